"""The request core shared by `Client` and `AsyncClient`: everything but the I/O.

Each operation's request is built by the generated endpoint's `build_request` from the
generated models, once; every answer is read by its `parse_response`. This module adds what
is facade: checking the arguments first, the retry policy (`Attempts`) and the error tree.
The sync and async shells only send, sleep and loop, asking `Attempts` what to do after
each try.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, get_args

import httpx
from signalwire_streams_api.api.default import (
    create_call_stream,
    create_conference_stream,
    stop_call_stream,
    stop_conference_stream,
)
from signalwire_streams_api.errors import AttemptTimeout, ResponseError
from signalwire_streams_api.models import (
    CreateCallStreamRequest,
    CreateConferenceStreamRequest,
    StatusCallbackMethod,
    StopStatus,
    StopStreamRequest,
    StreamCodec,
    Track,
)
from signalwire_streams_api.models.status_callback_method import StatusCallbackMethodValue
from signalwire_streams_api.models.stream_codec import StreamCodecValue
from signalwire_streams_api.models.track import TrackValue
from signalwire_streams_api.types import RawResponse, Request, Response

from . import _config
from ._answers import connection_error, parse_stream, redirect_error, retry_after, status_error
from ._errors import APIResponseError
from ._models import Codec, Stream
from ._models import StatusCallbackMethod as CallbackMethod
from ._models import Track as TrackName
from ._secrets import Secret, reveal_checked
from ._validation import (
    bearer_token_problem,
    check_bool,
    check_callback_url,
    check_choice,
    check_extra_fields,
    check_id,
    check_max_retries,
    check_parameters,
    check_stream_name,
    check_websocket_url,
    numbered_field_pattern,
)

__all__ = [
    "CALLBACK_METHODS",
    "CODECS",
    "MAX_PARAMETERS",
    "TRACKS",
    "TRANSPORT_ERRORS",
    "Attempts",
    "CreateOptions",
    "Operation",
    "RetryIn",
    "create_stream",
    "stop_stream",
]

log = logging.getLogger("signalwire_streams")

Kind = Literal["call", "conference"]

# The wire vocabulary, from the spec through the generated code: a value the spec gains
# after `scripts/regenerate` is accepted and sent without a change here.
TRACKS: tuple[str, ...] = get_args(TrackValue)
CALLBACK_METHODS: tuple[str, ...] = get_args(StatusCallbackMethodValue)
CODECS: tuple[str, ...] = get_args(StreamCodecValue)
_PARAMETER_KEY, _PARAMETER_VALUE, MAX_PARAMETERS = CreateCallStreamRequest.NUMBERED_PAIRS
# Form fields `extra_fields` may not set: every documented one, and the numbered pairs.
_DOCUMENTED_FIELDS = frozenset(
    name.lower()
    for model in (CreateCallStreamRequest, CreateConferenceStreamRequest, StopStreamRequest)
    for name in model.WIRE_NAMES
)
_NUMBERED_FIELD = numbered_field_pattern(_PARAMETER_KEY, _PARAMETER_VALUE)

# Statuses after which the service cannot have acted: safe to retry even a create.
_NOT_ACTED_STATUSES = frozenset({429, 503})
# Ambiguous statuses, after which it may have acted: retried for a stop, and for a create
# only when the caller opts in with `retry_ambiguous`.
_MAYBE_ACTED_STATUSES = frozenset({408, 500, 502, 504})
# Transport failures that happen before the request can have reached the service.
_NOT_SENT_PHASES = frozenset({"pool", "connect"})

TRANSPORT_ERRORS = (httpx.TransportError, ResponseError)
"""What one try can raise instead of answering: `Attempts.after_error` takes each."""


class CreateOptions(TypedDict, total=False):
    """The keyword arguments of `streams.create` and `conference_streams.create`.

    `name`: unique per call, to stop it by. `track`: which audio (default `both_tracks`).
    `status_callback` / `status_callback_method`: where stream events are sent, and how.
    `parameters`: custom parameters for the `start` message, in order (at most 99).
    `authorization_bearer_token`: sent to your server as `Authorization: Bearer …`.
    `extra_fields`: undocumented form fields, passed through. `max_retries` and
    `retry_ambiguous`: this call's retry settings, over the client's.
    """

    name: str | None
    track: TrackName
    status_callback: str | None
    status_callback_method: CallbackMethod
    parameters: Mapping[str, str] | None
    authorization_bearer_token: str | None
    extra_fields: Mapping[str, str] | None
    max_retries: int | None
    retry_ambiguous: bool | None


@dataclass(frozen=True, slots=True)
class Operation:
    """One request ready to send, and how to read its answer.

    The request's body may hold the bearer token: the generated `Request` keeps it out of
    `repr`, so it stays out of tracebacks' locals too.
    """

    name: str
    request: Request
    parse: Callable[[RawResponse], Response[Any]] = field(repr=False)
    idempotent: bool
    kind: Kind
    # Per-call overrides of the client's retry settings; None keeps the client's.
    max_retries: int | None = None
    retry_ambiguous: bool | None = None


@dataclass(frozen=True, slots=True)
class RetryIn:
    """Wait this many seconds, then send the operation again."""

    seconds: float


_CREATE_OPTIONS = frozenset(CreateOptions.__annotations__)


def create_stream(
    account_sid: str,
    kind: Kind,
    parent_sid: object,
    url: object,
    *,
    codec: Codec | None = None,
    real_time: bool | None = None,
    bearer_token: Secret | None = None,
    **options: Any,
) -> Operation:
    """Check a create's arguments and build its request; raises before anything is sent.

    `Track` and `StatusCallbackMethod` are always sent (the generated models keep the
    spec's defaults): SignalWire's APIs disagree on their defaults, so being explicit is
    the only way to get what the caller asked for. The bearer token arrives as a `Secret`
    and is revealed last, after every check that can raise.
    """
    if "authorization_bearer_token" in options:  # a direct caller's plain text
        bearer_token = Secret(options.pop("authorization_bearer_token"))
    unknown = sorted(set(options) - _CREATE_OPTIONS)
    if unknown:
        raise TypeError(f"create() got an unexpected keyword argument {unknown[0]!r}")
    parent = check_id("call_sid" if kind == "call" else "conference_sid", parent_sid)
    fields: dict[str, Any] = {"url": check_websocket_url("url", url)}
    if options.get("name") is not None:
        fields["name"] = check_stream_name("name", options["name"])
    if "track" in options:
        fields["track"] = Track(check_choice("track", options["track"], TRACKS))
    if options.get("status_callback") is not None:
        fields["status_callback"] = check_callback_url(
            "status_callback", options["status_callback"]
        )
    if "status_callback_method" in options:
        method = check_choice(
            "status_callback_method", options["status_callback_method"], CALLBACK_METHODS
        )
        fields["status_callback_method"] = StatusCallbackMethod(method)
    parameters = check_parameters(options.get("parameters"), MAX_PARAMETERS)
    extra = check_extra_fields(options.get("extra_fields"), _DOCUMENTED_FIELDS, _NUMBERED_FIELD)
    if kind == "conference":
        if codec is not None:
            fields["stream_codec"] = StreamCodec(check_choice("codec", codec, CODECS))
        if real_time is not None:
            fields["stream_real_time"] = check_bool("real_time", real_time)
    retries = _retries(options.get("max_retries"))
    ambiguous = _ambiguous(options.get("retry_ambiguous"))
    if bearer_token is not None and bearer_token.reveal() is not None:
        fields["authorization_bearer_token"] = reveal_checked(
            "authorization_bearer_token", bearer_token, bearer_token_problem
        )
    # Nothing below raises: the token is in `fields` from here on.
    if kind == "conference":
        body: CreateCallStreamRequest | CreateConferenceStreamRequest
        body = CreateConferenceStreamRequest(**fields)
        endpoint: Any = create_conference_stream
    else:
        body = CreateCallStreamRequest(**fields)
        endpoint = create_call_stream
    body.set_custom_parameters(parameters)
    body.additional_properties.update(extra)  # sent after the documented fields
    return Operation(
        name=f"create {kind} stream",
        request=endpoint.build_request(account_sid, parent, body=body),
        parse=endpoint.parse_response,
        idempotent=False,
        kind=kind,
        max_retries=retries,
        retry_ambiguous=ambiguous,
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
    parent = check_id("call_sid" if kind == "call" else "conference_sid", parent_sid)
    target = check_stream_name("stream", stream)
    endpoint: Any = stop_call_stream if kind == "call" else stop_conference_stream
    body = StopStreamRequest(status=StopStatus.STOPPED)
    return Operation(
        name=f"stop {kind} stream",
        request=endpoint.build_request(account_sid, parent, target, body=body),
        parse=endpoint.parse_response,
        idempotent=True,
        kind=kind,
        max_retries=_retries(max_retries),
    )


def _retries(value: object) -> int | None:
    return None if value is None else check_max_retries(value)


def _ambiguous(value: object) -> bool | None:
    return None if value is None else check_bool("retry_ambiguous", value)


class Attempts:
    """Decides, after each try of one operation, whether to retry, return or raise.

    A create is retried only when the service cannot have acted on it (the connection
    failed before the request went out, 429, 503): retrying after an ambiguous failure (a
    500, a timeout after sending, a dropped connection) could start a second stream, so that
    takes `retry_ambiguous`. A stop is idempotent and is retried after those too.
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
        self._host = settings.host
        self.count = 0
        self._jitter = jitter

    def after_error(self, error: Exception) -> RetryIn:
        """A try failed before a usable answer: the wait before the next, or the error."""
        self.count += 1
        if isinstance(error, ResponseError):  # it answered: the service may have acted
            raise APIResponseError(str(error), status_code=error.status_code, body=b"") from error
        not_sent = isinstance(error, httpx.ConnectError) or (
            isinstance(error, AttemptTimeout) and error.phase in _NOT_SENT_PHASES
        )
        if (not_sent or self._retry_ambiguous) and self.count <= self.max_retries:
            return self._retry(self._backoff(), type(error).__name__)
        raise connection_error(error, attempts=self.count, host=self._host) from error

    def after_response(self, raw: RawResponse) -> Stream | RetryIn:
        """A try got an answer: the stream, the wait before the next try, or an error."""
        self.count += 1
        status = raw.status_code
        if 200 <= status < 300:
            log.debug("%s: %s after %d attempt(s)", self.operation.name, status, self.count)
            return parse_stream(self.operation.kind, self.operation.parse(raw))
        if 300 <= status < 400:
            raise redirect_error(raw, attempts=self.count)
        retryable = status in _NOT_ACTED_STATUSES or (
            self._retry_ambiguous and status in _MAYBE_ACTED_STATUSES
        )
        if retryable and self.count <= self.max_retries:
            hint = retry_after(raw.headers)
            if hint is None:
                return self._retry(self._backoff(), f"status {status}")
            if hint <= _config.MAX_RETRY_AFTER:
                return self._retry(hint, f"status {status}, Retry-After")
        raise status_error(self.operation.parse(raw), attempts=self.count)

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
