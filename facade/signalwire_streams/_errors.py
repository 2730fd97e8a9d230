"""The errors this package raises.

    SignalWireError
    ├── ValidationError (also a ValueError): bad input or configuration; nothing was sent
    ├── APIConnectionError: the service could not be reached or the connection broke
    │   └── APITimeoutError
    ├── APIResponseError: an answer whose body is unusable (not JSON, no sid, too large)
    ├── ProtocolError: a media frame or status callback that breaks the documented protocol
    ├── SendError: a media session cannot send now (before start, one-way, ended)
    └── APIStatusError: an error status from the service (or a redirect, never followed)
        ├── BadRequestError 400
        ├── AuthenticationError 401
        ├── PermissionDeniedError 403
        ├── NotFoundError 404
        ├── ConflictError 409
        ├── UnprocessableEntityError 422
        ├── RateLimitError 429
        └── ServerError 5xx

Messages are short and never carry a credential; the raw body stays on `.body`.
"""

from __future__ import annotations

__all__ = [
    "APIConnectionError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitError",
    "SendError",
    "ServerError",
    "SignalWireError",
    "UnprocessableEntityError",
    "ValidationError",
]


class SignalWireError(Exception):
    """Base of every error raised by signalwire-streams."""


class ValidationError(SignalWireError, ValueError):
    """An argument or setting is wrong; nothing was sent.

    `field` names the argument at fault, `rule` says what it must be.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class APIConnectionError(SignalWireError):
    """The service could not be reached, or the connection broke before an answer."""

    def __init__(self, message: str = "Connection error", *, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class APITimeoutError(APIConnectionError):
    """An attempt ran out of time. `phase` says where, when known: "pool", "connect",
    "send", "response" (waiting for the status line and headers) or "body"."""

    def __init__(
        self, message: str = "Request timed out", *, attempts: int = 1, phase: str | None = None
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.phase = phase


class APIResponseError(SignalWireError):
    """The service answered, with a body this client cannot use: a 2xx that is not a stream,
    or any body larger than `max_response_size` or in an encoding it does not decode."""

    def __init__(self, message: str, *, status_code: int, body: bytes) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


class ProtocolError(SignalWireError):
    """A message from SignalWire (a WebSocket frame, a status callback) is malformed.

    `reason` says what is wrong with it; the message itself is not kept, since it may carry
    audio or a caller's parameters.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SendError(SignalWireError):
    """A media session was asked to send and cannot: its stream has not started, is one-way,
    or has ended, or the session has no way to send. The message says which."""


class APIStatusError(SignalWireError):
    """The service answered with an error status.

    `code`, `message` and `more_info` come from SignalWire's error body when it has one;
    `body` keeps the raw bytes, `request_id` the service's request id header if any.
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | str | None = None,
        more_info: str | None = None,
        request_id: str | None = None,
        body: bytes = b"",
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(
            f"{status_code}: {message}"
            if code is None
            else f"{status_code} (code {code}): {message}"
        )
        self.status_code = status_code
        self.message = message
        self.code = code
        self.more_info = more_info
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after
        self.attempts = attempts


class BadRequestError(APIStatusError):
    """400: the service refused the request's fields."""


class AuthenticationError(APIStatusError):
    """401: wrong Project ID or API token, or the token lacks the Voice scope."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not do this."""


class NotFoundError(APIStatusError):
    """404: no such call, conference or stream."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well formed but cannot be done now (e.g. the call has ended)."""


class RateLimitError(APIStatusError):
    """429: too many requests; `retry_after` is the service's hint in seconds, if any."""


class ServerError(APIStatusError):
    """5xx: the service failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most specific error type for an HTTP status."""
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, APIStatusError)
