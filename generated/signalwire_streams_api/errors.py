"""Errors the client raises besides httpx's own transport errors.

httpx.TransportError (connection refused, reset, protocol errors: httpx's own types)
└── httpx.TimeoutException
    └── AttemptTimeout: a phase or the whole attempt took longer than allowed
ResponseError: the answer came, its body is unusable
└── ResponseTooLarge: the body passed the client's `max_response_size`
"""

from typing import Literal

import httpx

Phase = Literal["pool", "connect", "send", "response", "body"]
"""Where an attempt was when its time ran out: waiting for a pooled connection, connecting
(TCP and TLS), sending the request, waiting for the status line and headers (interim
responses included), or reading the body."""

_DOING: dict[str, str] = {
    "pool": "waiting for a free connection",
    "connect": "connecting",
    "send": "sending the request",
    "response": "waiting for the response headers",
    "body": "reading the response body",
}


class AttemptTimeout(httpx.TimeoutException):
    """One attempt ran out of time. `phase` says where, `seconds` which limit ran out:
    the attempt's deadline (the longest part of the timeout, for all phases together) or a
    single phase's own timeout."""

    def __init__(self, phase: Phase, seconds: float, *, deadline: bool) -> None:
        limit = "deadline" if deadline else f"{phase} timeout"
        super().__init__(f"the {seconds:g} s {limit} ran out while {_DOING[phase]}")
        self.phase: Phase = phase
        self.seconds = seconds
        self.deadline = deadline


class ResponseError(Exception):
    """The status line and headers arrived, but the body cannot be used: it is larger than
    the client's `max_response_size`, or in an encoding this client does not decode.
    `status_code` is the answer's status."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class ResponseTooLarge(ResponseError):
    """The body, counted after decompression, passed `max_response_size`; reading stopped
    there."""

    def __init__(self, status_code: int, limit: int) -> None:
        super().__init__(
            f"the {status_code} response body is larger than the {limit:,} byte cap (max_response_size)",
            status_code,
        )
        self.limit = limit


__all__ = ["AttemptTimeout", "Phase", "ResponseError", "ResponseTooLarge"]
