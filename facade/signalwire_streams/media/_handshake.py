"""Who may open a media WebSocket: the checks on an upgrade request, apart from any server.

`serve` and `asgi_app` both ask `check_authorization` before accepting, so that a request
with a missing, wrong or doubled `Authorization` header is refused with the same status
(401, or 400 for two headers) before any message is read. A refusal's `reason` is one
line for the log and names no header value: a presented credential, right or wrong, never
reaches a log record.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus

from .._secrets import Secret, reveal_checked

__all__ = ["Refusal", "bearer_token_matches", "check_authorization", "check_bearer_token"]

_BEARER = (("WWW-Authenticate", "Bearer"),)


@dataclass(frozen=True, slots=True)
class Refusal:
    """An upgrade request turned away: the status, and a one-line reason naming no value."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def phrase(self) -> str:
        return HTTPStatus(self.status).phrase

    @property
    def body(self) -> bytes:
        return f"{self.status} {self.phrase}: {self.reason}\n".encode()


def bearer_token_matches(authorization: str | None, token: str) -> bool:
    """Whether an `Authorization` header carries this bearer token (constant-time).

    For apps that accept the WebSocket themselves. Any text is safe to pass, a hostile
    header's included.
    """
    if not isinstance(authorization, str) or not isinstance(token, str):
        return False
    scheme, _, credentials = authorization.strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        credentials.strip().encode("utf-8", "surrogatepass"),
        token.encode("utf-8", "surrogatepass"),
    )


def _token_problem(value: object) -> str | None:
    """What is wrong with a bearer token to check for, if anything (never raises)."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if any(char.isspace() or not char.isprintable() for char in value):
        return "must not contain whitespace or control characters"
    return None


def check_bearer_token(token: Secret) -> Secret | None:
    """A server's `bearer_token` argument, checked without being shown."""
    if token.reveal() is None:
        return None
    reveal_checked("bearer_token", token, _token_problem)
    return token


def check_authorization(values: Sequence[str], token: Secret | None) -> Refusal | None:
    """The refusal for an upgrade whose `Authorization` headers are `values`, or None."""
    if token is None:
        return None
    if len(values) > 1:
        return Refusal(400, "more than one Authorization header")
    if not values:
        return Refusal(401, "no bearer token", _BEARER)
    if not bearer_token_matches(values[0], token.text()):
        return Refusal(401, "a wrong bearer token", _BEARER)
    return None
