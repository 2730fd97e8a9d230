"""The immutable values that pass between the emulator's parts, and out to tests.

`Request` and `Response` are what the service core takes and gives back: plain values, so
the core can be driven without a socket. `StreamRecord` and `RecordedRequest` are what it
keeps, for tests to assert on. `StreamPlan` is what the media engine gets for a new stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from ._vocabulary import MORE_INFO, SECRET_FIELD, Kind

__all__ = [
    "Headers",
    "RecordedRequest",
    "Refusal",
    "Request",
    "Response",
    "StreamPlan",
    "StreamRecord",
]

_REDACTED = "[secure]"

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Refusal:
    """Why the HTTP shell would not read a request's body (its framing or size)."""

    status: int
    message: str


@dataclass(frozen=True)
class Request:
    """One HTTP request, read whole: what the service core answers.

    `refusal` is set instead of `body` when the shell would not read the body; the core
    still logs the request and answers with that error. Headers and body stay out of the
    repr: they carry credentials.
    """

    method: str
    path: str
    query: str = ""
    headers: Headers = field(default=(), repr=False)
    body: bytes = field(default=b"", repr=False)
    refusal: Refusal | None = None

    @classmethod
    def of(
        cls,
        method: str,
        target: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        refusal: Refusal | None = None,
    ) -> Request:
        """A request from its request-target (a path or an absolute URL, with the query)."""
        if target.startswith("/"):
            path, _, query = target.partition("?")
        else:
            parts = urlsplit(target)
            path, query = parts.path, parts.query
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls(method, path, query, tuple(pairs), body, refusal)

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


@dataclass(frozen=True)
class Response:
    """An answer to write: status, headers and body, and how to deliver it.

    `close` asks to close the connection after it; `delay` to send it that many seconds late;
    `truncated` to send the headers and half the body, then hang up (both fault behaviours).
    """

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: Headers = ()
    close: bool = False
    delay: float = 0.0
    truncated: bool = False

    @classmethod
    def json(cls, status: int, payload: object, headers: Headers = ()) -> Response:
        return cls(status, json.dumps(payload).encode(), "application/json", headers)

    @classmethod
    def error(cls, status: int, code: int, message: str, headers: Headers = ()) -> Response:
        """SignalWire's JSON error body."""
        payload = {"code": code, "message": message, "more_info": MORE_INFO, "status": status}
        return cls.json(status, payload, headers)


@dataclass(frozen=True)
class StreamRecord:
    """What the emulator knows about one stream, for tests to assert on.

    Optional fields hold what the client sent (None when it sent nothing), not the service's
    defaults, so a test can tell "sent both_tracks" from "relied on the default".
    """

    sid: str
    parent_sid: str
    kind: Kind
    name: str | None
    status: str
    url: str
    track: str | None
    status_callback: str | None
    status_callback_method: str | None
    parameters: dict[str, str]
    codec: str | None
    real_time: bool | None
    extra_fields: dict[str, str]
    date_updated: datetime
    authorization_bearer_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request as the emulator received it and answered it.

    `status` is None when no answer went out (a dropped connection); `fault` names the fault
    the request met, if any. The Authorization header is never kept, and the bearer token is
    hidden from repr, so a failing test's output cannot leak either.
    """

    method: str
    path: str
    query: str
    form: tuple[tuple[str, str], ...]
    status: int | None
    username: str | None
    fault: str | None = None

    @property
    def fields(self) -> dict[str, str]:
        """The form as a dict (the last value wins), for terse assertions."""
        return dict(self.form)

    def __repr__(self) -> str:
        form = tuple((k, _REDACTED if k == SECRET_FIELD else v) for k, v in self.form)
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, "
            f"query={self.query!r}, form={form!r}, status={self.status!r}, "
            f"username={self.username!r}, fault={self.fault!r})"
        )


@dataclass(frozen=True)
class StreamPlan:
    """What the media engine needs to stream one stream; made when the stream is created."""

    stream_sid: str
    account_sid: str
    parent_sid: str
    conference: bool
    name: str
    url: str
    track: str
    codec: str | None
    parameters: dict[str, str]
    status_callback: str | None
    status_callback_method: str
    bearer_token: str | None = field(default=None, repr=False)
