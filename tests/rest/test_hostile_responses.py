"""Hostile answers: whatever status, headers and body come back, a create or a stop ends in
a `Stream`, a retry within bounds, or one of the package's errors with a short message.

Property-based (hypothesis), with the strategies of tests/helpers/strategies.py. The
minimal examples of the bugs these found stay at the end as plain regression tests.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from signalwire_streams import APIStatusError, SignalWireError, Stream, _answers, _config, _core
from signalwire_streams_api.api.default import create_call_stream, create_conference_stream
from signalwire_streams_api.types import RawResponse, Response

from tests.helpers.clients import WSS_URL
from tests.helpers.strategies import (
    ANY_CHAR,
    HUGE_TEXT,
    JSON,
    KINDS,
    SHORT_TEXT,
    TEXT,
    WRONG,
    dumps,
    examples,
)

ACCOUNT = "b08dacad-2f6c-4de1-93d6-cc732e0c69c5"
CALL = "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad"


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


# The minimal examples of bugs the properties above found, kept after their fixes.


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
