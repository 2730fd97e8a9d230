"""Hostile answers: whatever status, headers and body come back, a create or a stop ends in
a `Stream`, a retry within bounds, or one of the package's errors with a short message.

Property-based (hypothesis), with the strategies of tests/helpers/strategies.py. Each
answer comes from a canned transport under a public `Client` (tests/helpers/canned.py),
whose `sleep=` records the waits between tries. The minimal examples of the bugs these
found stay at the end as plain regression tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from signalwire_streams import (
    APIStatusError,
    BadRequestError,
    Client,
    RateLimitError,
    SignalWireError,
    Stream,
)

from tests.helpers.canned import CALL, Canned, OutOfAnswers, answer
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


@dataclass(frozen=True)
class Operation:
    """A create or a stop through the public client; `max_retries` is its own, if any."""

    name: str
    send: Callable[[Client], Stream]
    max_retries: int | None = None

    def __repr__(self) -> str:
        return self.name


OPERATIONS = [
    Operation("create, named", lambda sw: sw.streams.create(CALL, WSS_URL, name="asr")),
    Operation(
        "conference create, retry_ambiguous",
        lambda sw: sw.conference_streams.create(CALL, WSS_URL, retry_ambiguous=True),
    ),
    Operation(
        "create, max_retries=1",
        lambda sw: sw.streams.create(CALL, WSS_URL, max_retries=1, retry_ambiguous=False),
        max_retries=1,
    ),
    Operation("stop", lambda sw: sw.streams.stop(CALL, "asr")),
    Operation(
        "conference stop, max_retries=0",
        lambda sw: sw.conference_streams.stop(CALL, "asr", max_retries=0),
        max_retries=0,
    ),
]
# The longest wait before a retry, as the README says: backoff up to 8 s, and a Retry-After
# honoured up to 60 s.
LONGEST_WAIT = 60.0

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
    operation: Operation,
    max_retries: int,
    retry_ambiguous: bool,
    answers: list[tuple[int, Any, bytes]],
) -> None:
    canned = Canned(*(answer(status, headers, body) for status, headers, body in answers))
    client = canned.client(max_retries=max_retries, retry_ambiguous=retry_ambiguous)
    limit = max_retries if operation.max_retries is None else operation.max_retries
    try:
        outcome: Stream | SignalWireError | None = operation.send(client)
    except SignalWireError as error:
        outcome = error
    except OutOfAnswers:  # every answer was retried
        outcome = None
    sent = len(canned.requests)
    assert sent - 1 <= limit  # each answer before the last one sent was retried
    # A wait before each retry, finite and within bounds.
    assert len(canned.sleeps) == sent - 1
    assert all(math.isfinite(wait) and 0 <= wait <= LONGEST_WAIT for wait in canned.sleeps)
    event(f"ends in {'a retry with no answer left' if outcome is None else type(outcome).__name__}")
    if outcome is None:
        return
    status = answers[sent - 1][0]
    if isinstance(outcome, APIStatusError):
        assert not 200 <= status < 300 and outcome.status_code == status
        assert outcome.attempts == sent
        check_status_error(outcome)
    elif isinstance(outcome, SignalWireError):
        assert 200 <= status < 300
    else:
        assert 200 <= status < 300 and isinstance(outcome.sid, str) and outcome.sid


@examples(600)
@given(
    kind=KINDS,
    status=st.integers(100, 599),
    headers=HEADERS,
    body=BODIES,
)
def test_any_answer_ends_in_a_stream_or_a_short_signalwire_error(
    kind: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    """A 2xx is read as a stream or refused; any other status becomes an APIStatusError,
    with the Retry-After of its headers, if usable, as `retry_after`."""
    canned = Canned(answer(status, headers, body))
    client = canned.client(max_retries=0)
    streams = client.streams if kind == "call" else client.conference_streams
    try:
        stream = streams.create(CALL, WSS_URL)
    except APIStatusError as error:
        assert not 200 <= status < 300 and error.status_code == status and error.attempts == 1
        check_status_error(error)
        return
    except SignalWireError as error:
        assert 200 <= status < 300
        assert isinstance(str(error), str)
        return
    assert 200 <= status < 300
    assert isinstance(stream, Stream) and stream.sid
    assert stream.date_updated is None or stream.date_updated.tzinfo is not None
    assert all(
        value is None or isinstance(value, str)
        for value in (stream.account_sid, stream.call_sid, stream.conference_sid, stream.uri)
    )


# The minimal examples of bugs the properties above found, kept after their fixes.


@pytest.mark.parametrize("where", ["retry-after", "date_updated"])
def test_an_http_date_with_a_huge_year_is_ignored(where: str) -> None:
    date = "Mon, 01 Jan 2147483648 00:00:00 GMT"
    if where == "retry-after":
        client = Canned(answer(429, [("Retry-After", date)], {})).client(max_retries=0)
        with pytest.raises(RateLimitError) as caught:
            client.streams.create(CALL, WSS_URL)
        assert caught.value.retry_after is None
    else:
        client = Canned(answer(200, [], {"sid": "x", "date_updated": date})).client()
        assert client.streams.create(CALL, WSS_URL).date_updated is None


@pytest.mark.parametrize("status", [200, 400])
def test_a_deeply_nested_body_is_not_json(status: int) -> None:
    client = Canned(answer(status, [], b"[" * 100_000 + b"]" * 100_000)).client(max_retries=0)
    with pytest.raises(SignalWireError):
        client.streams.create(CALL, WSS_URL, name="asr")


def test_an_error_with_a_long_code_has_a_short_message() -> None:
    client = Canned(answer(400, [], {"code": "x" * 1000})).client(max_retries=0)
    with pytest.raises(BadRequestError) as caught:
        client.streams.create(CALL, WSS_URL)
    assert len(str(caught.value)) <= 200
