"""Faults: how the emulator answers a request instead of as SignalWire normally would.

A `Fault` is a value; picking which request meets it is the service core's job, and the
socket tricks some need (hanging up, a cut body, a late answer) are the HTTP shell's. Here
is only what each fault means: its answer, and how that answer is delivered.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal

from .._errors import ValidationError
from ._models import Response
from ._vocabulary import MORE_INFO

__all__ = ["Fault", "FaultKind", "deliver", "drops_before_read"]

FaultKind = Literal["status", "drop", "delay", "truncate", "body", "reshape"]


@dataclass(frozen=True, repr=False)
class Fault:
    """How the emulator answers one request instead of as SignalWire normally would.

    Make one with the class methods and queue it with `Emulator.inject`. `acts` says
    whether the service does the work first (starts or stops the stream) and then fails,
    which is the case a retried create would turn into a second stream.
    """

    kind: FaultKind
    acts: bool
    response: Response | None = None
    seconds: float = 0.0
    replace: tuple[tuple[str, object], ...] = ()
    remove: tuple[str, ...] = ()

    @classmethod
    def status(
        cls,
        status: int,
        body: object = None,
        *,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        acts: bool = False,
    ) -> Fault:
        """Answer with this status: a dict or list body as JSON, a str or bytes body as is
        (HTML when it starts with `<`), None as SignalWire's JSON error for the status."""
        return cls("status", acts, _render(status, body, headers, content_type))

    @classmethod
    def drop_before_read(cls) -> Fault:
        """Close the connection once the request line and headers arrive: no answer, and
        the service never acts on the request."""
        return cls("drop", False)

    @classmethod
    def drop_after_read(cls) -> Fault:
        """Act on the request, then close the connection without answering."""
        return cls("drop", True)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Act on the request and answer normally, `seconds` late (beyond a timeout)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValidationError("seconds", f"must be a number of 0 or more, not {seconds!r}")
        return cls("delay", True, seconds=float(seconds))

    @classmethod
    def truncated_body(cls) -> Fault:
        """Act, then send the headers and half the body, and close the connection."""
        return cls("truncate", True)

    @classmethod
    def body(
        cls, content: str | bytes, *, status: int = 200, content_type: str | None = None
    ) -> Fault:
        """Act, then answer `status` with this body instead (not JSON, HTML, empty)."""
        return cls("body", True, _render(status, content, None, content_type))

    @classmethod
    def reshape(
        cls, replace: Mapping[str, object] | None = None, remove: tuple[str, ...] = ()
    ) -> Fault:
        """Act, then answer with the usual JSON changed: keys set to other values (an
        unknown status, a wrong type, an extra key) and keys removed."""
        return cls("reshape", True, replace=tuple((replace or {}).items()), remove=remove)

    def __repr__(self) -> str:
        return f"Fault({self.description!r})"

    @property
    def description(self) -> str:
        """A short name for the request log."""
        if self.kind == "status":
            assert self.response is not None
            return f"status {self.response.status}" + (", acted" if self.acts else "")
        if self.kind == "drop":
            return "drop after read" if self.acts else "drop before read"
        if self.kind == "delay":
            return f"delay {self.seconds:g} s"
        if self.kind == "body":
            assert self.response is not None
            return f"body {self.response.status} {self.response.content_type}"
        if self.kind == "reshape":
            keys = [key for key, _ in self.replace] + [f"-{key}" for key in self.remove]
            return f"reshape {', '.join(keys)}"
        return "truncated body"

    def answer(self, normal: Response) -> Response:
        """The answer to send in place of `normal`, the service's own (after acting)."""
        if self.kind in ("status", "body"):
            assert self.response is not None
            return self.response
        if self.kind != "reshape":
            return normal
        payload = json.loads(normal.body)
        for key in self.remove:
            payload.pop(key, None)
        payload.update(self.replace)
        return dataclasses.replace(normal, body=json.dumps(payload).encode())


def drops_before_read(fault: Fault | None) -> bool:
    """Whether the connection is to be closed before the body is read (nothing acts)."""
    return fault is not None and fault.kind == "drop" and not fault.acts


def deliver(fault: Fault | None, response: Response) -> Response | None:
    """`response` marked for how the fault delivers it; None: no answer at all."""
    if fault is None:
        return response
    if fault.kind == "drop":
        return None
    if fault.kind == "truncate":
        return dataclasses.replace(response, truncated=True)
    if fault.kind == "delay":
        return dataclasses.replace(response, delay=fault.seconds)
    return response


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _default_code(status: int) -> int:
    if status == 429:
        return 20429
    if status >= 500:
        return 20504
    if status in (401, 403):
        return 20003
    if status == 404:
        return 20404
    return 10000


def _render(
    status: int,
    body: object,
    headers: Mapping[str, str] | None,
    content_type: str | None,
) -> Response:
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise ValidationError("status", f"must be from 200 to 599, not {status!r}")
    extra: list[tuple[str, str]] = []
    for name, value in (headers or {}).items():
        if any(c in name + value for c in "\r\n") or not name:
            raise ValidationError("headers", f"invalid header {name!r}")
        if name.lower() in ("content-length", "transfer-encoding", "connection"):
            raise ValidationError("headers", f"the emulator sets {name} itself")
        if name.lower() == "content-type":
            content_type = value
        else:
            extra.append((name, value))
    if status in (204, 304):
        return Response(status, headers=tuple(extra))
    payload: bytes
    if body is None:
        payload = json.dumps(
            {
                "code": _default_code(status),
                "message": _reason(status),
                "more_info": MORE_INFO,
                "status": status,
            }
        ).encode()
        content_type = content_type or "application/json"
    elif isinstance(body, str | bytes):
        payload = body.encode() if isinstance(body, str) else body
        if content_type is None:
            html = payload.lstrip().startswith(b"<")
            content_type = f"text/{'html' if html else 'plain'}; charset=utf-8"
    else:
        try:
            payload = json.dumps(body).encode()
        except (TypeError, ValueError):
            raise ValidationError(
                "body", f"must be None, str, bytes or JSON-serialisable, not {type(body).__name__}"
            ) from None
        content_type = content_type or "application/json"
    return Response(status, payload, content_type, tuple(extra))
