"""Hostile input: whatever goes in, out comes a result or one of the package's own errors.

Property-based (hypothesis) over the facade's arguments and settings, the response parser,
the status-callback parser and signatures, and the media event parser and `Session`, with
the strategies of tests/helpers/strategies.py.

The minimal examples of the bugs this suite found in `_config` and `_core` stay at the end
as plain regression tests.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import math
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from signalwire_streams import (
    APIStatusError,
    AsyncClient,
    Client,
    ProtocolError,
    SignalWireError,
    Stream,
    ValidationError,
    _answers,
    _config,
    _core,
)
from signalwire_streams.callbacks import (
    _KNOWN_FIELDS,
    StatusCallback,
    StreamEvent,
    compute_signature,
    parse_status_callback,
    validate_signature,
)
from signalwire_streams.media import (
    Connected,
    Dtmf,
    Mark,
    Media,
    MediaFormat,
    Session,
    Start,
    Stop,
    UnknownEvent,
    parse_event,
)
from signalwire_streams_api.api.default import create_call_stream, create_conference_stream
from signalwire_streams_api.types import RawResponse, Response

from tests.helpers.clients import WSS_URL
from tests.helpers.strategies import (
    ANY_CHAR,
    ANY_OBJECT,
    CREATE_ARGS,
    CREATE_FIELDS,
    HASHABLE,
    HUGE_TEXT,
    JSON,
    KINDS,
    NEAR_SIDS,
    SHORT_TEXT,
    SID,
    TEXT,
    WRONG,
    arg,
    dumps,
    examples,
    mostly_valid,
    parent_field,
    url,
)

ACCOUNT = "b08dacad-2f6c-4de1-93d6-cc732e0c69c5"
CALL = "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad"


# 1. Facade arguments and settings

PARAMETER_FIELD = re.compile(r"Parameter[0-9]+\.(Name|Value)")


def form_of(operation: _core.Operation) -> list[tuple[str, str]]:
    """The operation's body read back as a form, strictly (as the emulator reads it)."""
    return parse_qsl(
        operation.request.content.decode("ascii"), keep_blank_values=True, errors="strict"
    )


@examples(800)
@given(kind=KINDS, args=CREATE_ARGS)
def test_create_builds_a_request_or_refuses_with_a_validation_error(
    kind: str, args: dict[str, Any]
) -> None:
    args = dict(args)
    parent = args.pop("parent_sid")
    target = args.pop("url")
    try:
        operation = _core.create_stream(ACCOUNT, kind, parent, target, **args)  # type: ignore[arg-type]
    except ValidationError as error:
        event("refused")
        assert error.field in CREATE_FIELDS | {parent_field(kind)}
        assert isinstance(error.rule, str) and error.rule
        # Messages never echo a bearer token (unless another argument, echoed, holds it).
        token = args.pop("authorization_bearer_token", None)
        if isinstance(token, str) and len(token) >= 8 and token not in repr((parent, args)):
            assert token not in str(error)
        return
    event("accepted")
    assert isinstance(operation, _core.Operation)
    assert operation.request.method == "POST"
    segments = operation.request.path.split("/")
    collection = "Calls" if kind == "call" else "Conferences"
    assert segments[:4] == ["", "Accounts", ACCOUNT, collection] and segments[5:] == ["Streams"]
    assert unquote(segments[4], errors="strict") == parent
    form = form_of(operation)
    fields = dict(form)
    assert fields["Url"] == target
    if args.get("name") is not None:
        assert fields["Name"] == args["name"]
    # Parameter{N} pairs in any place in the body: N gives the order.
    sent = sorted((k, v) for k, v in form if PARAMETER_FIELD.fullmatch(k))
    given_parameters = list((args.get("parameters") or {}).items())
    assert sent == sorted(
        (f"Parameter{i}.{part}", text)
        for i, (name, value) in enumerate(given_parameters, start=1)
        for part, text in (("Name", name), ("Value", value))
    )


@examples(500)
@given(
    kind=KINDS,
    parent=arg(SID, *NEAR_SIDS),
    stream=arg(st.one_of(SID, TEXT), *NEAR_SIDS),
    max_retries=arg(st.integers(0, 5), -1, True, "2", None),
)
def test_stop_builds_a_request_or_refuses_with_a_validation_error(
    kind: str, parent: object, stream: object, max_retries: object
) -> None:
    try:
        operation = _core.stop_stream(ACCOUNT, kind, parent, stream, max_retries=max_retries)  # type: ignore[arg-type]
    except ValidationError as error:
        assert error.field in {parent_field(kind), "stream", "max_retries"}
        return
    segments = operation.request.path.split("/")
    assert len(segments) == 7 and segments[5] == "Streams"
    assert unquote(segments[4], errors="strict") == parent
    assert unquote(segments[6], errors="strict") == stream
    assert form_of(operation) == [("Status", "stopped")]


TIMEOUTS = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan, 1e300, 1e10, 10**400, 2**1024, 1e-300]),
    st.sampled_from([-1, 0, 0.0, -0.0, True, False, "30", None]),
    st.floats(),
    st.floats(min_value=1e-3, max_value=600),
    st.integers(),
    st.builds(httpx.Timeout, st.sampled_from([math.inf, math.nan, -1.0, 0.0])),
    st.builds(httpx.Timeout, st.floats(0.1, 60) | st.none()),
    st.builds(
        httpx.Timeout,
        st.floats(0.1, 60),
        connect=st.floats(0.1, 60) | st.none(),
        read=st.floats(0.1, 60) | st.none(),
        write=st.floats(0.1, 60) | st.none(),
        pool=st.floats(0.1, 60) | st.none(),
    ),
    ANY_OBJECT,
)
SPACES = st.one_of(
    st.sampled_from(
        ["https://\x00", "https://xn--a.example", "https://a..b", "https://a\u200db.x"]
    ),
    st.sampled_from(["example", "my-space", "example.signalwire.com", "EXAMPLE.signalwire.com"]),
    st.sampled_from(["-x", "x-", "a" * 64, "a_b", "例", "localhost", "http://localhost:8080"]),
    url(("https", "http", "HTTPS", "ftp", "wss", "")),
    st.builds(
        lambda scheme, host, tail: f"{scheme}://{host}{tail}",
        st.sampled_from(["http", "https"]),
        st.sampled_from(["127.0.0.1:1", "[::1]:1", "localhost", "a.localhost", "127.1.2.3"]),
        st.sampled_from(["", "/", "/api/laml/2010-04-01", "//", "?x", "#y", "/%zz"]),
    ),
)
SETTINGS_FIELDS = {"project_id", "api_token", "space", "timeout", "max_retries", "retry_ambiguous"}
ENVIRONMENT = st.dictionaries(
    st.sampled_from([_config.ENV_PROJECT_ID, _config.ENV_API_TOKEN, _config.ENV_SPACE]),
    st.one_of(SID, SPACES, TEXT),
    max_size=3,
)
SETTINGS_ARGS = mostly_valid(
    {
        "project_id": arg(SID, *NEAR_SIDS, None),
        "api_token": arg(st.text(ANY_CHAR, min_size=1, max_size=40) | TEXT, *NEAR_SIDS, None),
        "space": arg(SPACES, None, ""),
        "timeout": TIMEOUTS,
        "max_retries": arg(st.integers(0, 10), -1, 2**100, 2.0, None, "2"),
        "retry_ambiguous": arg(st.booleans(), 0, 1, None, "true"),
    },
    {},
    {
        "project_id": SID,
        "api_token": st.text(st.characters(exclude_categories=["Cs", "Zs", "Cc"]), min_size=1),
        "space": st.sampled_from(
            ["example", "h.example.com", "https://h.example", "http://[::1]:1"]
        ),
        "timeout": st.one_of(st.floats(1e-3, 600), st.builds(httpx.Timeout, st.floats(0.1, 60))),
        "max_retries": st.integers(0, 10),
        "retry_ambiguous": st.booleans(),
    },
)


@examples(800)
@given(args=SETTINGS_ARGS, env=ENVIRONMENT)
def test_settings_resolve_to_usable_settings_or_a_validation_error(
    args: dict[str, Any], env: dict[str, str]
) -> None:
    try:
        settings = _config.resolve_settings(**args, env=env)
    except ValidationError as error:
        event("refused")
        assert error.field in SETTINGS_FIELDS
        if isinstance(args["api_token"], str) and len(args["api_token"]) >= 8:
            assert args["api_token"] not in str(error)
        return
    event("accepted")
    # Accepted settings must work: a URL httpx can send to, a Basic auth header, a timeout.
    request = httpx.Request("POST", settings.base_url + "/Accounts/a/Calls/b/Streams")
    assert request.url.scheme in ("http", "https")
    f"{settings.project_id}:{settings.api_token}".encode()
    timeouts = settings.timeout.as_dict().values()
    assert all(isinstance(t, float) and 0 < t <= 1e9 for t in timeouts)
    assert isinstance(settings.max_retries, int) and settings.max_retries >= 0


@examples(80)
@given(client_type=st.sampled_from([Client, AsyncClient]), args=SETTINGS_ARGS)
def test_clients_are_made_or_refused_with_a_validation_error(
    client_type: type[Client] | type[AsyncClient], args: dict[str, Any]
) -> None:
    try:
        client = client_type(**args)
    except ValidationError as error:
        assert error.field in SETTINGS_FIELDS
        return
    if isinstance(client, Client):
        client.close()
    else:
        asyncio.run(client.aclose())


# 2. The response parser

OPERATIONS = [
    _core.create_stream(ACCOUNT, "call", CALL, WSS_URL, name="asr"),
    _core.create_stream(ACCOUNT, "conference", CALL, WSS_URL, retry_ambiguous=True),
    _core.create_stream(ACCOUNT, "call", CALL, WSS_URL, max_retries=1, retry_ambiguous=False),
    _core.stop_stream(ACCOUNT, "call", CALL, "asr"),
    _core.stop_stream(ACCOUNT, "conference", CALL, "asr", max_retries=0),
]


def client_settings(max_retries: int, retry_ambiguous: bool) -> _config.Settings:
    return _config.resolve_settings(
        ACCOUNT,
        "token",
        "example",
        timeout=1,
        max_retries=max_retries,
        retry_ambiguous=retry_ambiguous,
        env={},
    )


MONTHS = ("Jan", "Feb", "Dec", "Foo", "")
# Years past 2**31 - 1 overflow in the standard library's date code.
YEARS = st.one_of(st.integers(), st.integers(2**31, 10**30))
HTTP_DATES = st.builds(
    lambda day, date, month, year, h, m, s, zone: (
        f"{day}, {date:02d} {month} {year} {h:02d}:{m:02d}:{s:02d} {zone}"
    ),
    st.sampled_from(["Mon", "Sun", "Xyz", ""]),
    st.integers(0, 99),
    st.sampled_from(MONTHS),
    st.one_of(st.integers(1, 9999), st.integers(1970, 2100), YEARS),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from(["GMT", "UT", "+0000", "-0000", "+2359", "+9999", "-2400", "EST", "XYZ", ""]),
)
RETRY_AFTER = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(repr),
    st.sampled_from(["NaN", "nan", "inf", "-inf", "Infinity", "1e400", "-1e400", " 5 ", "1_0"]),
    st.sampled_from(["0x10", "", "5, 10", "1.5", "-0", "60", "60.0000001", "Wed, 21 Oct 2015"]),
    HTTP_DATES,
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")),
    SHORT_TEXT,
)
HEADER_BYTES = st.one_of(
    RETRY_AFTER.map(lambda text: text.encode("utf-8", "surrogatepass")), st.binary(max_size=40)
)
HEADERS = st.lists(
    st.tuples(
        st.sampled_from(
            [b"Retry-After", b"retry-after", b"X-Request-Id", b"Request-Id", b"Content-Type", b"X"]
        ),
        HEADER_BYTES,
    ),
    max_size=4,
)
STREAM_STATUSES = ("in-progress", "stopped", "queued", "", "IN-PROGRESS")
DATES = st.one_of(
    HTTP_DATES, st.datetimes().map(datetime.isoformat), st.sampled_from(["", "now", "2025-13-01"])
)
STREAM_BODY = st.fixed_dictionaries(
    {},
    optional={
        "sid": st.one_of(st.uuids().map(str), st.text(max_size=5), WRONG),
        "account_sid": WRONG,
        "call_sid": WRONG,
        "conference_sid": WRONG,
        "name": st.one_of(st.text(max_size=10), WRONG),
        "status": st.one_of(st.sampled_from(STREAM_STATUSES), WRONG),
        "date_updated": st.one_of(DATES, WRONG),
        "uri": WRONG,
        "api_version": WRONG,
        "error_code": st.one_of(st.integers(), st.text(max_size=8), WRONG),
        "additional": WRONG,
    },
)
# Long codes, and codes with a line break: the message stays short and on one line.
CODES = st.one_of(
    st.integers(),
    st.text(max_size=10),
    WRONG,
    HUGE_TEXT,
    st.text(ANY_CHAR, min_size=41, max_size=60),
    st.just("a\nb"),
)
LONG_OR_SHORT = st.one_of(st.text(max_size=40), HUGE_TEXT, WRONG)
ERROR_DETAIL = st.fixed_dictionaries(
    {},
    optional={
        "code": CODES,
        "message": LONG_OR_SHORT,
        "more_info": WRONG,
    },
)
ERROR_BODY = st.fixed_dictionaries(
    {},
    optional={
        "code": CODES,
        "message": LONG_OR_SHORT,
        "more_info": WRONG,
        "status": WRONG,
        "errors": st.one_of(st.lists(st.one_of(ERROR_DETAIL, LONG_OR_SHORT), max_size=3), WRONG),
    },
)
# Bodies nested deeper than the recursion limit too.
DEPTHS = st.integers(1, 100_000)
BODIES = st.one_of(
    st.binary(max_size=100),
    JSON.map(dumps).map(str.encode),
    STREAM_BODY.map(dumps).map(str.encode),
    ERROR_BODY.map(dumps).map(str.encode),
    st.tuples(STREAM_BODY, st.sampled_from(["utf-8", "utf-16", "utf-32"])).map(
        lambda pair: json.dumps(pair[0], ensure_ascii=False).encode(pair[1], "surrogatepass")
    ),
    st.builds(
        lambda t: f"<html><head><title>{t}</title></head></html>".encode("utf-8", "surrogatepass"),
        TEXT,
    ),
    st.builds(lambda t: t.encode("utf-8", "surrogatepass"), TEXT),
    DEPTHS.map(lambda n: b"[" * n + b"]" * n),
    st.integers(4301, 6000).map(lambda n: b'{"sid": "x", "error_code": ' + b"7" * n + b"}"),
)


def response(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> RawResponse:
    return RawResponse(status, httpx.Headers(headers), body)


def parsed(kind: str, answer: RawResponse) -> Response[Any]:
    """The answer as the generated code reads it for a create of `kind`."""
    endpoint = create_call_stream if kind == "call" else create_conference_stream
    return endpoint.parse_response(answer)


def check_status_error(error: APIStatusError) -> None:
    """A short message on one line; a finite, non-negative retry_after if any."""
    text = str(error)
    assert isinstance(text, str) and isinstance(error.message, str)
    assert len(text) <= 200 and len(text.splitlines()) <= 1, text[:300]
    assert error.retry_after is None or (
        math.isfinite(error.retry_after) and error.retry_after >= 0
    )


@examples(400)
@given(
    operation=st.sampled_from(OPERATIONS),
    max_retries=st.integers(0, 3),
    retry_ambiguous=st.booleans(),
    answers=st.lists(
        st.tuples(st.integers(100, 599) | st.sampled_from([200, 429, 503, 500]), HEADERS, BODIES),
        min_size=1,
        max_size=4,
    ),
)
def test_attempts_end_in_a_stream_a_retry_or_a_signalwire_error(
    operation: _core.Operation,
    max_retries: int,
    retry_ambiguous: bool,
    answers: list[tuple[int, Any, bytes]],
) -> None:
    attempts = _core.Attempts(operation, client_settings(max_retries, retry_ambiguous))
    for retries, (status, headers, body) in enumerate(answers):
        assert retries <= attempts.max_retries  # each answer before this one was retried
        try:
            outcome = attempts.after_response(response(status, headers, body))
        except APIStatusError as error:
            assert not 200 <= status < 300 and error.status_code == status
            assert error.attempts == retries + 1
            check_status_error(error)
            return
        except SignalWireError:
            assert 200 <= status < 300
            return
        if isinstance(outcome, Stream):
            assert 200 <= status < 300 and isinstance(outcome.sid, str) and outcome.sid
            return
        assert isinstance(outcome, _core.RetryIn), outcome
        assert math.isfinite(outcome.seconds)
        assert 0 <= outcome.seconds <= max(_config.MAX_RETRY_DELAY, _config.MAX_RETRY_AFTER)


@examples(600)
@given(
    kind=KINDS,
    status=st.integers(100, 599),
    headers=HEADERS,
    body=BODIES,
)
def test_parse_stream_and_status_error_never_raise_anything_else(
    kind: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    answer = response(status, headers, body)
    try:
        stream = _answers.parse_stream(kind, parsed(kind, answer))
    except SignalWireError as error:
        assert isinstance(str(error), str)
    else:
        assert isinstance(stream, Stream) and stream.sid
        assert stream.date_updated is None or stream.date_updated.tzinfo is not None
        assert all(
            value is None or isinstance(value, str)
            for value in (stream.account_sid, stream.call_sid, stream.conference_sid, stream.uri)
        )
    error = _answers.status_error(parsed(kind, answer), attempts=1)
    assert isinstance(error, APIStatusError) and error.status_code == status
    check_status_error(error)
    hint = _answers.retry_after(answer.headers)
    assert hint is None or (math.isfinite(hint) and hint >= 0)


# 3. Status callbacks and signatures

# The fields the parser knows, one it does not, and one in the wrong letter case.
CALLBACK_NAMES = (*sorted(_KNOWN_FIELDS), "Unique-ID", "streamsid")
CALLBACK_VALUES = st.one_of(
    TEXT,
    st.sampled_from([e.value for e in StreamEvent] + ["stream-paused", "STREAM-STARTED"]),
    st.datetimes(timezones=st.none() | st.just(UTC)).map(datetime.isoformat),
    st.sampled_from(["2025-09-26T16:25:04.792Z", "2025-13-01", "now", "+10000-01-01"]),
)
CALLBACK_NAME = st.one_of(st.sampled_from(CALLBACK_NAMES), TEXT)
COMPLETE = st.fixed_dictionaries(
    {"StreamSid": st.uuids().map(str), "StreamEvent": CALLBACK_VALUES},
    optional={
        name: CALLBACK_VALUES for name in CALLBACK_NAMES if name not in ("StreamSid", "StreamEvent")
    },
)
FIELDS = st.one_of(
    COMPLETE,
    COMPLETE.map(lambda d: list(d.items())),
    st.dictionaries(CALLBACK_NAME, CALLBACK_VALUES, max_size=8),
    st.lists(st.tuples(CALLBACK_NAME, CALLBACK_VALUES), max_size=8),
    st.lists(st.tuples(CALLBACK_NAME, CALLBACK_VALUES), max_size=8).map(tuple),
    st.dictionaries(HASHABLE, st.one_of(TEXT, ANY_OBJECT), max_size=4),
    st.lists(st.one_of(st.tuples(ANY_OBJECT, ANY_OBJECT), ANY_OBJECT), max_size=4),
    st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=2),
    TEXT,
    st.binary(max_size=10),
)


@examples(600)
@given(fields=FIELDS)
def test_a_callback_parses_or_raises_protocol_error(fields: Any) -> None:
    try:
        callback = parse_status_callback(fields)
    except ProtocolError as error:
        assert isinstance(error.reason, str)
        return
    assert isinstance(callback, StatusCallback)
    assert isinstance(callback.event, str) and callback.event
    assert isinstance(callback.stream_sid, str) and callback.stream_sid
    assert callback.timestamp is None or isinstance(callback.timestamp, datetime)
    for value in (callback.account_sid, callback.call_sid, callback.stream_name, callback.error):
        assert value is None or isinstance(value, str)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in callback.extra.items())


SIGNATURES = st.one_of(
    st.none(),
    TEXT,
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", max_size=30),
)


@examples(500)
@given(key=TEXT, target=st.one_of(url(), TEXT), fields=FIELDS, signature=SIGNATURES)
def test_signatures_are_computed_and_checked_or_refused_with_our_errors(
    key: str, target: str, fields: Any, signature: str | None
) -> None:
    try:
        computed = compute_signature(key, target, fields)
    except SignalWireError:
        pass
    else:
        assert isinstance(computed, str) and len(base64.b64decode(computed)) == 20
        assert validate_signature(key, target, fields, computed) is True
        assert validate_signature(key, target, fields, f" {computed}\n") is True
    try:
        result = validate_signature(key, target, fields, signature)
    except SignalWireError:
        return
    assert isinstance(result, bool)


@examples(200)
@given(
    key=st.text(ANY_CHAR, min_size=1, max_size=20),
    scheme=st.sampled_from(["http", "https"]),
    host=st.sampled_from(["hooks.example.com", "127.0.0.1", "[::1]", "u:p@h.example"]),
    with_port=st.booleans(),
    # A URL as received has no raw tab, CR or LF (urlsplit would drop them), nor / ? #.
    path=st.text(ANY_CHAR.filter(lambda c: c not in "\t\r\n/?#"), max_size=20),
    fields=st.dictionaries(TEXT, TEXT, max_size=4),
)
def test_a_signature_still_matches_with_the_port_added_or_removed(
    key: str, scheme: str, host: str, with_port: bool, path: str, fields: dict[str, str]
) -> None:
    port = ":443" if scheme == "https" else ":80"
    signed = f"{scheme}://{host}{port if with_port else ''}/{path}"
    other = f"{scheme}://{host}{'' if with_port else port}/{path}"
    signature = compute_signature(key, signed, fields)
    assert validate_signature(key, other, fields, signature)


# 4. The media event parser and Session

EVENT_NAMES = (
    "connected",
    "start",
    "media",
    "dtmf",
    "mark",
    "stop",
    "clear",
    "paused",
    "",
    "Media",
)
NUMBER = st.one_of(
    st.integers(0, 10**6),
    st.integers(0, 10**6).map(str),
    st.sampled_from(["", "01", "1.5", "-1", "\uff11\uff12", "\u00b2", "9" * 18, "9" * 19, " 1"]),
    WRONG,
)
STRING_FIELD = st.one_of(st.text(max_size=12), st.text(ANY_CHAR, max_size=5), WRONG)
PAYLOAD = st.one_of(
    st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()),
    st.sampled_from(
        ["", "=", "A", "AA", "AA=", "AAA=", "AAAA", "A===", "AA==AA==", " AAAA", "AA\nA="]
    ),
    st.text("ABCabc+/=-_ \n", max_size=12),
    WRONG,
)
TRACK = st.one_of(st.sampled_from(["inbound", "outbound", "inbound_track"]), STRING_FIELD)
MEDIA_FORMAT = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "encoding": st.one_of(
                st.sampled_from(["audio/x-mulaw", "audio/x-alaw", "audio/x-L16", "audio/ogg"]),
                STRING_FIELD,
            ),
            "sampleRate": st.one_of(
                st.sampled_from([8000, 16000, 24000, "8000", 2**31, 2**32]),
                st.integers(1, 10**18),
                NUMBER,
            ),
            "channels": st.one_of(st.sampled_from([1, 2, "2"]), NUMBER),
        },
    ),
    WRONG,
)
BODIES_BY_EVENT: dict[str, st.SearchStrategy[Any]] = {
    "start": st.fixed_dictionaries(
        {},
        optional={
            "streamSid": STRING_FIELD,
            "accountSid": STRING_FIELD,
            "callSid": STRING_FIELD,
            "tracks": st.one_of(st.lists(TRACK, max_size=3), WRONG),
            "customParameters": st.one_of(
                st.dictionaries(st.text(ANY_CHAR, max_size=8), st.text(ANY_CHAR, max_size=8)),
                st.dictionaries(st.text(max_size=5), WRONG, max_size=3),
                WRONG,
            ),
            "mediaFormat": MEDIA_FORMAT,
        },
    ),
    "media": st.fixed_dictionaries(
        {},
        optional={"track": TRACK, "chunk": NUMBER, "timestamp": NUMBER, "payload": PAYLOAD},
    ),
    "dtmf": st.fixed_dictionaries(
        {}, optional={"digit": STRING_FIELD, "duration": NUMBER, "track": TRACK}
    ),
    "mark": st.fixed_dictionaries({}, optional={"name": STRING_FIELD}),
    "stop": st.fixed_dictionaries(
        {}, optional={"accountSid": STRING_FIELD, "callSid": STRING_FIELD}
    ),
}


@st.composite
def frame_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A WRONG object shaped like one of SignalWire's messages, each field of a random type."""
    event = draw(st.one_of(st.sampled_from(EVENT_NAMES), WRONG))
    message: dict[str, Any] = {"event": event}
    body_key = draw(st.sampled_from([event if isinstance(event, str) else "media", "media"]))
    body = BODIES_BY_EVENT.get(body_key)
    if body is not None and draw(st.integers(0, 9)):
        message[body_key] = draw(st.one_of(body, body, JSON))
    extra = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "sequenceNumber": NUMBER,
                "streamSid": STRING_FIELD,
                "protocol": STRING_FIELD,
                "version": STRING_FIELD,
                "other": WRONG,
            },
        )
    )
    message.update(extra)
    if draw(st.integers(0, 3)) == 0:  # the docs' log envelope around the message
        wrapper = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "timestamp": STRING_FIELD,
                    "eventType": STRING_FIELD,
                    "streamSid": STRING_FIELD,
                    "sequenceNumber": NUMBER,
                    "event": WRONG,
                },
            )
        )
        message = {**wrapper, "rawEvent": draw(st.one_of(st.just(message), JSON))}
    return message


def raw_json_with(number: str) -> st.SearchStrategy[str]:
    """A media frame with a raw number literal json.dumps would not write (or would refuse)."""
    return st.sampled_from(["chunk", "timestamp", "sequenceNumber"]).map(
        lambda key: f'{{"event": "media", "media": {{"payload": "AAAA", "{key}": {number}}}}}'
    )


FRAMES = st.one_of(
    frame_objects().map(dumps),
    frame_objects().map(lambda m: dumps(m).encode()),
    frame_objects().map(lambda m: bytearray(dumps(m).encode())),
    frame_objects().map(lambda m: dumps(m).encode("utf-16")),
    st.integers(4301, 6000).flatmap(lambda n: raw_json_with("1" * n)),
    st.sampled_from(["1e400", "-1e400", "NaN", "-0", "1.0", "0x1"]).flatmap(raw_json_with),
    st.text(ANY_CHAR, max_size=50),
    st.binary(max_size=50),
    JSON.map(dumps),
    st.integers(1, 200).map(lambda n: "[" * n + "]" * n),
    st.integers(900, 100_000).map(
        lambda n: '{"event": "media", "media":' + "[" * n + "]" * n + "}"
    ),
    ANY_OBJECT,
)
EVENT_TYPES = (Connected, Start, Media, Dtmf, Mark, Stop, UnknownEvent)


def read_everything(event: object) -> None:
    """Every public attribute and property of an event: a value, or ProtocolError."""
    for name in dir(event):
        if name.startswith("_"):
            continue
        try:
            value = getattr(event, name)
        except ProtocolError:
            continue
        if isinstance(value, MediaFormat):
            read_everything(value)
    assert isinstance(repr(event), str)


def parse(message: object) -> object:
    """parse_event's result, or its ProtocolError; anything else fails the test."""
    try:
        return parse_event(message)  # type: ignore[arg-type]
    except ProtocolError as error:
        return error


@examples(800)
@given(message=FRAMES)
def test_a_frame_parses_into_an_event_or_raises_protocol_error(message: object) -> None:
    event = parse(message)
    if isinstance(event, ProtocolError):
        assert isinstance(event.reason, str) and len(event.reason) < 500
        return
    assert isinstance(event, EVENT_TYPES)
    read_everything(event)
    if isinstance(event, Media):
        assert isinstance(event.track, str) and isinstance(event.payload_base64, str)
        for number in (event.chunk, event.timestamp, event.sequence_number):
            assert number is None or type(number) is int
    elif isinstance(event, Start):
        assert isinstance(event.stream_sid, str)
        assert all(isinstance(v, str) for v in event.custom_parameters.values())
        assert all(isinstance(t, str) for t in event.tracks)
        assert type(event.media_format.sample_rate) is int
        assert type(event.media_format.channels) is int
    elif isinstance(event, Dtmf | Mark):
        assert isinstance(event.digit if isinstance(event, Dtmf) else event.name, str)
    elif isinstance(event, UnknownEvent):
        assert isinstance(event.event, str)


async def feed(messages: list[object]) -> AsyncIterator[object]:
    for message in messages:
        yield message


def expected_session(messages: list[object], keep_audio: bool) -> tuple[int, int, str]:
    """(malformed frames, media frames, end) as Session must count them."""
    malformed = frames = 0
    for message in messages:
        event = parse(message)
        if isinstance(event, ProtocolError):
            malformed += 1
            continue
        if isinstance(event, Media):
            if keep_audio and isinstance(parse_payload(event), ProtocolError):
                malformed += 1
                continue
            frames += 1
        if isinstance(event, Stop):
            return malformed, frames, "stop"
    return malformed, frames, "close"


def parse_payload(event: Media) -> bytes | ProtocolError:
    try:
        return event.payload
    except ProtocolError as error:
        return error


def result_or_protocol_error(call: Callable[[], object]) -> None:
    with contextlib.suppress(ProtocolError):
        call()


PLAUSIBLE_FORMAT = st.fixed_dictionaries(
    {
        "encoding": st.sampled_from(["audio/x-mulaw", "audio/x-alaw", "audio/x-L16", "audio/ogg"]),
        "sampleRate": st.one_of(st.sampled_from([8000, 16000, 24000]), st.integers(1, 10**18)),
        "channels": st.sampled_from([1, 2]),
    }
)


@st.composite
def session_messages(draw: st.DrawFn) -> list[object]:
    """A stream's messages, mostly well formed, in a plausible order, with junk mixed in."""
    start = {"event": "start", "sequenceNumber": "1", "start": draw(BODIES_BY_EVENT["start"])}
    start["start"].setdefault("streamSid", "MZ1")
    start["start"]["mediaFormat"] = draw(
        st.one_of(PLAUSIBLE_FORMAT, PLAUSIBLE_FORMAT, MEDIA_FORMAT)
    )
    media = st.builds(
        lambda body: dumps({"event": "media", "media": body}), BODIES_BY_EVENT["media"]
    )
    middle = draw(st.lists(st.one_of(media, media, FRAMES, frame_objects().map(dumps))))
    end = draw(st.sampled_from([[], ['{"event": "stop"}']]))
    return [dumps(start), *middle, *end]


@examples(250)
@given(
    messages=st.one_of(
        st.lists(st.one_of(FRAMES, frame_objects().map(dumps)), max_size=12), session_messages()
    ),
    keep_audio=st.booleans(),
    byteorder=st.sampled_from(["little", "big"]),
)
def test_a_session_skips_and_counts_malformed_frames(
    messages: list[object], keep_audio: bool, byteorder: Any
) -> None:
    session = Session(feed(messages), keep_audio=keep_audio, l16_byteorder=byteorder)  # type: ignore[arg-type]
    events = asyncio.run(_collect(session))
    malformed, frames, end = expected_session(messages, keep_audio)
    assert (session.malformed_frames, session.frames, session.end) == (malformed, frames, end)
    assert len(events) + malformed <= len(messages)
    assert isinstance(repr(session), str)
    for name in ("stream_sid", "call_sid", "account_sid", "custom_parameters", "media_format"):
        getattr(session, name)
    for track in (*session.tracks, "inbound", "nothing"):
        assert session.frames_on(track) >= 0
        assert isinstance(session.payload(track), bytes)
        result_or_protocol_error(lambda track=track: session.audio(track))
        result_or_protocol_error(lambda track=track: session.duration(track))
    result_or_protocol_error(lambda: session.write_wav(io.BytesIO()))


async def _collect(session: Session) -> list[object]:
    return [event async for event in session]


# The minimal examples of bugs found here in _config and _core, kept after their fixes.


def test_a_huge_int_timeout_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        _config.resolve_settings("p", "t", "example", timeout=10**400, max_retries=0, env={})


@pytest.mark.parametrize(
    "timeout",
    [
        math.inf,
        1e300,
        1e10,
        httpx.Timeout(math.inf),
        httpx.Timeout(1.0, read=math.inf),
        httpx.Timeout(-1.0),
        httpx.Timeout(math.nan),
    ],
)
def test_a_timeout_that_cannot_be_used_is_a_validation_error(timeout: object) -> None:
    with pytest.raises(ValidationError):
        _config.resolve_settings("p", "t", "example", timeout=timeout, max_retries=0, env={})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "space", ["https://\x00", "https://xn--a.example", "https://a..b", "https://a\u200db.example"]
)
def test_an_unusable_space_is_a_validation_error(space: str) -> None:
    # Each fails before any DNS lookup: UnicodeError, InvalidURL or idna's InvalidCodepoint.
    with pytest.raises(SignalWireError), Client("p", "t", space, max_retries=0, timeout=1) as sw:
        sw.streams.create(CALL, WSS_URL)


def test_an_api_token_that_is_not_utf8_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Client("p", "\ud800", "example")


@pytest.mark.parametrize("where", ["retry-after", "date_updated"])
def test_an_http_date_with_a_huge_year_is_ignored(where: str) -> None:
    date = "Mon, 01 Jan 2147483648 00:00:00 GMT"
    if where == "retry-after":
        assert _answers.retry_after({"retry-after": date}) is None
    else:
        answer = response(200, [], json.dumps({"sid": "x", "date_updated": date}).encode())
        assert _answers.parse_stream("call", parsed("call", answer)).date_updated is None


@pytest.mark.parametrize("status", [200, 400])
def test_a_deeply_nested_body_is_not_json(status: int) -> None:
    answer = response(status, [], b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(SignalWireError):
        _core.Attempts(OPERATIONS[0], client_settings(0, False)).after_response(answer)


def test_an_error_with_a_long_code_has_a_short_message() -> None:
    answer = response(400, [], json.dumps({"code": "x" * 1000}).encode())
    error = _answers.status_error(parsed("call", answer), attempts=1)
    assert len(str(error)) <= 200
