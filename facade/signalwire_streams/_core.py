"""The request core shared by `Client` and `AsyncClient`: everything but the I/O.

Requests are built by the generated endpoint functions from bodies made by the generated
models; responses are read here into a `Stream` or a typed error. The sync and async shells
only send, sleep and loop, asking `Attempts` what to do after each try.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote_plus

import httpx
from signalwire_streams_api.api.default import (
    create_call_stream,
    create_conference_stream,
    stop_call_stream,
    stop_conference_stream,
)
from signalwire_streams_api.models import (
    CallStream,
    ConferenceStream,
    CreateCallStreamRequest,
    CreateConferenceStreamRequest,
    ErrorBody,
    ErrorDetail,
    StopStatus,
    StopStreamRequest,
)
from signalwire_streams_api.types import Unset

from . import _config
from ._errors import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    status_error_class,
)
from ._models import Stream, StreamStatus
from ._validation import (
    check_bool,
    check_callback_url,
    check_choice,
    check_extra_fields,
    check_id,
    check_max_retries,
    check_optional_text,
    check_parameters,
    check_stream_name,
    check_websocket_url,
)

__all__ = ["Attempts", "Operation", "RetryIn", "create_stream", "encode_form", "stop_stream"]

log = logging.getLogger("signalwire_streams")

Kind = Literal["call", "conference"]
TRACKS = ("inbound_track", "outbound_track", "both_tracks")
CALLBACK_METHODS = ("GET", "POST")
CODECS = ("PCMU", "PCMA", "L16", "L16@16000h", "L16@24000h")

# Statuses after which the service cannot have acted: safe to retry even a create.
_NOT_ACTED_STATUSES = frozenset({429, 503})
# Ambiguous statuses, after which it may have acted: retried for a stop, and for a create
# only when the caller opts in with `retry_ambiguous`.
_MAYBE_ACTED_STATUSES = frozenset({408, 500, 502, 504})
# Transport failures that happen before the request can have reached the service.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_REQUEST_ID_HEADERS = ("x-request-id", "x-signalwire-request-id", "request-id")
_EXCERPT = 120
_MAX_CODE = 20  # characters of an error code kept; SignalWire's are five digits


@dataclass(frozen=True, slots=True)
class Operation:
    """One request ready to send, relative to the base URL, and how to read its answer.

    The body may hold the bearer token, so it stays out of `repr` (and tracebacks' locals).
    """

    name: str
    method: str
    path: str
    body: bytes = field(repr=False)
    headers: dict[str, str]
    idempotent: bool
    kind: Kind
    # Per-call overrides of the client's retry settings; None keeps the client's.
    max_retries: int | None = None
    retry_ambiguous: bool | None = None


@dataclass(frozen=True, slots=True)
class RetryIn:
    """Wait this many seconds, then send the operation again."""

    seconds: float


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
    """The body httpx sends for `data=form`, byte for byte, in half its time.

    Sending it as `content=` skips httpx's own form encoding, about 5 % of its client's
    CPU per create; `tests/test_transport.py` holds the two equal.
    """
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


def _from_generated(
    name: str,
    kwargs: dict[str, Any],
    *,
    idempotent: bool,
    kind: Kind,
    max_retries: object,
    retry_ambiguous: object = None,
) -> Operation:
    return Operation(
        name=name,
        method=str(kwargs["method"]).upper(),
        path=str(kwargs["url"]),
        body=encode_form(kwargs["data"]),
        headers=dict(kwargs["headers"]),
        idempotent=idempotent,
        kind=kind,
        max_retries=None if max_retries is None else check_max_retries(max_retries),
        retry_ambiguous=(
            None if retry_ambiguous is None else check_bool("retry_ambiguous", retry_ambiguous)
        ),
    )


def create_stream(
    account_sid: str,
    kind: Kind,
    parent_sid: object,
    url: object,
    *,
    name: object = None,
    track: object = "both_tracks",
    status_callback: object = None,
    status_callback_method: object = "POST",
    parameters: object = None,
    authorization_bearer_token: object = None,
    extra_fields: object = None,
    codec: object = None,
    real_time: object = None,
    max_retries: object = None,
    retry_ambiguous: object = None,
) -> Operation:
    """Validate a create's arguments and build its request; raises before anything is sent.

    `Track` and `StatusCallbackMethod` are always sent: SignalWire's APIs disagree on
    their defaults, so being explicit is the only way to get what the caller asked for.
    """
    parent_field = "call_sid" if kind == "call" else "conference_sid"
    parent = check_id(parent_field, parent_sid)
    fields: dict[str, Any] = {"Url": check_websocket_url("url", url)}
    if name is not None:
        fields["Name"] = check_stream_name("name", name)
    fields["Track"] = check_choice("track", track, TRACKS)
    if status_callback is not None:
        fields["StatusCallback"] = check_callback_url("status_callback", status_callback)
    fields["StatusCallbackMethod"] = check_choice(
        "status_callback_method", status_callback_method, CALLBACK_METHODS
    )
    token = check_optional_text("authorization_bearer_token", authorization_bearer_token)
    if token is not None:
        fields["AuthorizationBearerToken"] = token
    if kind == "conference":
        if codec is not None:
            fields["StreamCodec"] = check_choice("codec", codec, CODECS)
        if real_time is not None:
            fields["StreamRealTime"] = check_bool("real_time", real_time)
    fields.update(check_parameters(parameters))
    fields.update(check_extra_fields(extra_fields))
    if kind == "call":
        kwargs = create_call_stream._get_kwargs(
            account_sid, parent, body=CreateCallStreamRequest.from_dict(fields)
        )
    else:
        kwargs = create_conference_stream._get_kwargs(
            account_sid, parent, body=CreateConferenceStreamRequest.from_dict(fields)
        )
    return _from_generated(
        f"create {kind} stream",
        kwargs,
        idempotent=False,
        kind=kind,
        max_retries=max_retries,
        retry_ambiguous=retry_ambiguous,
    )


def stop_stream(
    account_sid: str,
    kind: Kind,
    parent_sid: object,
    stream: object,
    *,
    max_retries: object = None,
) -> Operation:
    """Build a stop by sid or by name (path-encoded by the generated code): `Status=stopped`."""
    parent_field = "call_sid" if kind == "call" else "conference_sid"
    parent = check_id(parent_field, parent_sid)
    target = check_stream_name("stream", stream)
    body = StopStreamRequest(status=StopStatus.STOPPED)
    if kind == "call":
        kwargs = stop_call_stream._get_kwargs(account_sid, parent, target, body=body)
    else:
        kwargs = stop_conference_stream._get_kwargs(account_sid, parent, target, body=body)
    return _from_generated(
        f"stop {kind} stream", kwargs, idempotent=True, kind=kind, max_retries=max_retries
    )


class Attempts:
    """Decides, after each try of one operation, whether to retry, return or raise.

    A create is retried only when the service cannot have acted on it (the connection
    failed before the request went out, 429, 503): retrying after an ambiguous failure (a
    500, a read timeout, a dropped connection) could start a second stream, so that takes
    `retry_ambiguous`. A stop is idempotent and is retried after those too.
    """

    def __init__(
        self,
        operation: Operation,
        settings: _config.Settings,
        *,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.operation = operation
        self.max_retries = (
            settings.max_retries if operation.max_retries is None else operation.max_retries
        )
        retry_ambiguous = (
            settings.retry_ambiguous
            if operation.retry_ambiguous is None
            else operation.retry_ambiguous
        )
        self._retry_ambiguous = operation.idempotent or retry_ambiguous
        self.count = 0
        self._jitter = jitter

    def after_error(self, error: httpx.TransportError) -> RetryIn:
        """A try failed in transport: the wait before the next, or the error to raise."""
        self.count += 1
        safe = isinstance(error, _NOT_SENT_ERRORS) or self._retry_ambiguous
        if safe and self.count <= self.max_retries:
            return self._retry(self._backoff(), type(error).__name__)
        raise connection_error(error, attempts=self.count) from error

    def after_response(self, response: httpx.Response) -> Stream | RetryIn:
        """A try got an answer: the stream, the wait before the next try, or an error."""
        self.count += 1
        status = response.status_code
        if 200 <= status < 300:
            log.debug("%s: %s after %d attempt(s)", self.operation.name, status, self.count)
            return parse_stream(self.operation.kind, response)
        retryable = status in _NOT_ACTED_STATUSES or (
            self._retry_ambiguous and status in _MAYBE_ACTED_STATUSES
        )
        if retryable and self.count <= self.max_retries:
            hint = retry_after(response.headers)
            if hint is None:
                return self._retry(self._backoff(), f"status {status}")
            if hint <= _config.MAX_RETRY_AFTER:
                return self._retry(hint, f"status {status}, Retry-After")
        raise status_error(response, attempts=self.count)

    def _backoff(self) -> float:
        delay: float = _config.INITIAL_RETRY_DELAY * 2.0 ** (self.count - 1)
        return min(delay, _config.MAX_RETRY_DELAY) * (1 - 0.25 * self._jitter())

    def _retry(self, seconds: float, reason: str) -> RetryIn:
        log.info(
            "%s: retrying in %.2f s after %s (attempt %d of %d)",
            self.operation.name,
            seconds,
            reason,
            self.count + 1,
            self.max_retries + 1,
        )
        return RetryIn(seconds)


def connection_error(error: httpx.TransportError, *, attempts: int) -> APIConnectionError:
    """A short message naming the cause; httpx's own message has no credentials in it."""
    detail = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out ({detail})", attempts=attempts)
    return APIConnectionError(f"Connection error ({detail})", attempts=attempts)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` in seconds, from either of its forms (delta seconds or an HTTP date)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds == float("inf"):
        return None
    return max(seconds, 0.0)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_body(response: httpx.Response) -> object:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested past the stack: not ours
        return None


def parse_date(value: object) -> datetime | None:
    """RFC 2822 as documented, ISO 8601 as a fallback; always timezone-aware, else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_stream(kind: Kind, response: httpx.Response) -> Stream:
    """A 2xx answer as a `Stream`, or `APIResponseError` when the body is unusable."""
    data = _json_body(response)
    if not isinstance(data, dict):
        problem = "is not JSON" if data is None else "is not a JSON object"
        raise APIResponseError(
            f"{response.status_code} response body {problem}",
            status_code=response.status_code,
            body=response.content,
        )
    try:
        model = (CallStream if kind == "call" else ConferenceStream).from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise APIResponseError(
            "response body does not match the stream schema",
            status_code=response.status_code,
            body=response.content,
        ) from error
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


def _error_fields(data: object) -> tuple[int | str | None, str | None, str | None]:
    """(code, message, more_info) from any of SignalWire's error body shapes."""
    if not isinstance(data, dict):
        return None, None, None
    try:
        body = ErrorBody.from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None, None, None
    code, message, more_info = _code(body.code), _text(body.message), _text(body.more_info)
    errors = body.errors
    if not isinstance(errors, Unset) and isinstance(errors, list) and errors:
        first = errors[0]
        if isinstance(first, ErrorDetail):
            code = code if code is not None else _code(first.code)
            message = message or _text(first.message)
            more_info = more_info or _text(first.more_info)
        elif isinstance(first, str):
            message = message or _text(first)
    return code, message, more_info


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _fallback_message(response: httpx.Response) -> str:
    """A message for a body that is not SignalWire's JSON: HTML, text or nothing."""
    reason = response.reason_phrase or "HTTP error"
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


def status_error(response: httpx.Response, *, attempts: int) -> APIStatusError:
    """The typed error for a non-2xx answer, whatever shape its body has."""
    code, message, more_info = _error_fields(_json_body(response))
    request_id = next(
        (response.headers[name] for name in _REQUEST_ID_HEADERS if name in response.headers),
        None,
    )
    return status_error_class(response.status_code)(
        _short(message) if message else _fallback_message(response),
        status_code=response.status_code,
        code=code,
        more_info=more_info,
        request_id=request_id,
        body=response.content,
        retry_after=retry_after(response.headers),
        attempts=attempts,
    )
