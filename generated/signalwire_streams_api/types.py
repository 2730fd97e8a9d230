"""Shared types: what a request is before it is sent, and what comes back.

Endpoint modules build a `Request` once (`build_request`), `Client.send` / `Client.asend`
turn it into a `RawResponse`, and the endpoint's `parse_response` reads that into a
`Response` with the documented model for its status.
"""

import json
import re
from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote_plus

import httpx
from attrs import define, field


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

T = TypeVar("T")


@define(frozen=True)
class Request:
    """One request, ready to send to any number of attempts.

    `path` is relative to the client's base URL and already percent-encoded; `content` is
    the encoded body, left out of `repr` because it may carry secrets.
    """

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes = field(default=b"", repr=False)


@define(frozen=True)
class RawResponse:
    """What the server answered, read whole (within the client's size cap), not yet parsed."""

    status_code: int
    headers: httpx.Headers
    content: bytes = field(repr=False)
    reason: str = ""

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.content)


@define
class Response(Generic[T]):
    """A response from an endpoint: `parsed` is the documented model for the status, or None
    when the body is not JSON or does not fit that model (the raw bytes stay in `content`)."""

    status_code: int
    content: bytes
    headers: httpx.Headers
    parsed: T | None


# A character quote_plus would change; a form key or value without one is sent as is.
_FORM_UNSAFE = re.compile(r"[^A-Za-z0-9_.~-]")


def _form_text(value: object) -> str:
    """A form value as httpx writes it for `data=`: booleans as true/false, None as ''."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def encode_form(form: Mapping[str, object]) -> bytes:
    """An application/x-www-form-urlencoded body, in the mapping's order, byte for byte as
    httpx encodes `data=form` (booleans as true/false), without its per-call overhead."""
    unsafe = _FORM_UNSAFE.search
    parts: list[str] = []
    for key, value in form.items():
        name = quote_plus(key) if unsafe(key) else key
        if type(value) is str:
            parts.append(f"{name}={quote_plus(value) if unsafe(value) else value}")
            continue
        for item in value if isinstance(value, list | tuple) else (value,):
            text = _form_text(item)
            parts.append(f"{name}={quote_plus(text) if unsafe(text) else text}")
    return "&".join(parts).encode()


__all__ = ["UNSET", "RawResponse", "Request", "Response", "Unset", "encode_form"]
