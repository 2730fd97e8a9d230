"""Reading the service's answers: a `Stream`, or the typed error a failure becomes.

The generated `parse_response` has already read each body into the documented model for its
status (`parsed`), or left `parsed=None` when it could not; this module decides what that
means for a caller. Messages are short, never carry a credential, and keep the raw bytes on
the error's `.body`.
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx
from signalwire_streams_api.errors import AttemptTimeout
from signalwire_streams_api.models import CallStream, ConferenceStream, ErrorBody, ErrorDetail
from signalwire_streams_api.types import RawResponse, Response

from ._dates import parse_timestamp
from ._errors import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    status_error_class,
)
from ._models import Stream, StreamStatus

__all__ = [
    "connection_error",
    "parse_date",
    "parse_stream",
    "redirect_error",
    "retry_after",
    "status_error",
]

_REQUEST_ID_HEADERS = ("x-request-id", "x-signalwire-request-id", "request-id")
_EXCERPT = 120
_MAX_CODE = 20  # characters of an error code kept; SignalWire's are five digits
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def connection_error(error: Exception, *, attempts: int, host: str) -> APIConnectionError:
    """A short message naming the host and the cause; httpx's own carries no credentials."""
    if isinstance(error, AttemptTimeout):
        return APITimeoutError(
            f"Request to {host} timed out: {error}", attempts=attempts, phase=error.phase
        )
    detail = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"Request to {host} timed out ({detail})", attempts=attempts)
    if isinstance(error, httpx.ConnectError):
        return APIConnectionError(f"Could not connect to {host} ({detail})", attempts=attempts)
    return APIConnectionError(f"Connection to {host} failed ({detail})", attempts=attempts)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` in seconds, from either of its forms (delta seconds or an HTTP date)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        when = _http_date(value)
        if when is None:
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds == float("inf"):
        return None
    return max(seconds, 0.0)


def _http_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def parse_date(value: object) -> datetime | None:
    """`date_updated`: RFC 2822 as documented (four-letter months too, as in SignalWire's own
    example `Tue, 25 Sept 2018 20:00:00 +0000`), ISO 8601 as a fallback; always
    timezone-aware, else None (the stream is still returned)."""
    return parse_timestamp(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _problem(content: bytes) -> str:
    """Why a 2xx body gave no stream (the failure path only: the body is parsed again)."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "is not JSON"
    return "does not match the stream schema" if isinstance(data, dict) else "is not a JSON object"


def parse_stream(kind: str, response: Response[Any]) -> Stream:
    """A 2xx answer as a `Stream`, or `APIResponseError` when the body is unusable."""
    model = response.parsed
    if not isinstance(model, CallStream | ConferenceStream):
        raise APIResponseError(
            f"{response.status_code} response body {_problem(response.content)}",
            status_code=response.status_code,
            body=response.content,
        )
    sid = _text(model.sid)
    if sid is None:
        raise APIResponseError(
            "response has no stream sid", status_code=response.status_code, body=response.content
        )
    error_code = _code(model.error_code)
    return Stream(
        sid=sid,
        account_sid=_text(model.account_sid),
        call_sid=_text(model.call_sid) if isinstance(model, CallStream) else None,
        conference_sid=(
            _text(model.conference_sid) if isinstance(model, ConferenceStream) else None
        ),
        name=_text(model.name),
        status=_status(model.status),
        date_updated=parse_date(model.date_updated),
        uri=_text(model.uri),
        api_version=_text(model.api_version),
        error_code=None if error_code is None else str(error_code),
    )


def _status(value: object) -> StreamStatus | str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return StreamStatus(value)
    except ValueError:
        return value


def _code(value: object) -> int | str | None:
    """SignalWire's error code: a number, or a short string (a longer one is cut)."""
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        return None
    if isinstance(value, int) and abs(value) >= 10**_MAX_CODE:
        return _short(str(value), _MAX_CODE)
    return _short(value, _MAX_CODE) if isinstance(value, str) else value


def _short(text: str, limit: int = _EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error_fields(body: object) -> tuple[int | str | None, str | None, str | None]:
    """(code, message, more_info) from any of SignalWire's error body shapes."""
    if not isinstance(body, ErrorBody):
        return None, None, None
    code, message, more_info = _code(body.code), _text(body.message), _text(body.more_info)
    errors = body.errors
    if isinstance(errors, list) and errors:
        first = errors[0]
        if isinstance(first, ErrorDetail):
            code = code if code is not None else _code(first.code)
            message = message or _text(first.message)
            more_info = more_info or _text(first.more_info)
        elif isinstance(first, str):
            message = message or _text(first)
    return code, message, more_info


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


def _fallback_message(response: Response[Any]) -> str:
    """A message for a body that is not SignalWire's JSON: HTML, text or nothing."""
    reason = _reason(response.status_code)
    content = response.content.strip()
    if not content:
        return reason
    if content[:1] == b"<":
        import html  # a proxy's error page is rare; html.entities is not small

        match = _TITLE.search(content[:4096])
        title = html.unescape(match.group(1).decode("utf-8", "replace")) if match else ""
        return _short(f"{reason}: {title}") if title.strip() else f"{reason} (HTML body)"
    if content[:1] in (b"{", b"["):
        return reason
    return _short(f"{reason}: {content[: _EXCERPT * 2].decode('utf-8', 'replace')}")


def status_error(response: Response[Any], *, attempts: int) -> APIStatusError:
    """The typed error for a non-2xx answer, whatever shape its body has."""
    code, message, more_info = _error_fields(response.parsed)
    headers = response.headers
    request_id = next((headers[name] for name in _REQUEST_ID_HEADERS if name in headers), None)
    return status_error_class(response.status_code)(
        _short(message) if message else _fallback_message(response),
        status_code=response.status_code,
        code=code,
        more_info=more_info,
        request_id=request_id,
        body=response.content,
        retry_after=retry_after(headers),
        attempts=attempts,
    )


def redirect_error(raw: RawResponse, *, attempts: int) -> APIStatusError:
    """A 3xx: never followed, so that no request and no credential goes to another host."""
    location = raw.headers.get("location", "")
    try:
        parts = urlsplit(location)
        port = f":{parts.port}" if parts.port else ""  # no user info, no query: no secrets
        host = f"{parts.scheme}://{parts.hostname}{port}" if parts.hostname else ""
        target = _short(host + parts.path)
    except ValueError:
        target = "an unreadable Location"
    where = f" to {target}" if location else ""
    return APIStatusError(
        f"redirected{where}; this client never follows redirects: check the Space or base URL",
        status_code=raw.status_code,
        body=raw.content,
        attempts=attempts,
    )
