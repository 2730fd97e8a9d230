"""The fault suite: every failure the emulator can inject, through both clients.

Each case says what a create, a create with `retry_ambiguous=True`, and a stop end in, and
how many requests the emulator received: a retry shows up as a request, and a duplicate
stream as a second stream on the call. The README's retry table is rendered from these
cases, and `test_readme_retry_table_is_the_fault_suite` holds the two equal.

Retries sleep through an injected recorder, so the suite waits only where a real timeout
has to pass.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from signalwire_streams import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    Client,
    NotFoundError,
    RateLimitError,
    ServerError,
    SignalWireError,
    Stream,
)
from signalwire_streams.testing import Emulator, Fault

from tests.helpers.clients import WSS_URL, Api
from tests.helpers.paths import README

TIMEOUT = 0.3  # the client's, in the cases where the emulator answers too late
LATE = 2.0  # how late the emulator answers then
HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@dataclass(frozen=True)
class Outcome:
    """What one operation ends in: `error` (None for a stream) after the service received
    `requests` requests, leaving `streams` streams on the call (creates only). `tries` is
    how many times the client sent, when some never reached the service."""

    error: type[SignalWireError] | None
    requests: int
    streams: int = 0
    tries: int | None = None

    @property
    def attempts(self) -> int:
        return self.requests if self.tries is None else self.tries


@dataclass(frozen=True)
class Case:
    failure: str
    fault: Fault | None  # None: the service is down (connection refused)
    create: Outcome
    create_opted_in: Outcome
    stop: Outcome
    count: int = 1
    late: bool = False  # the client's timeout must run out
    retry_after: float | None = None  # the wait the client must take, when it retries


def ok(requests: int, streams: int = 1, *, tries: int | None = None) -> Outcome:
    return Outcome(None, requests, streams, tries)


def _not_acted(failure: str, fault: Fault, error: type[SignalWireError]) -> Case:
    """An ambiguous status after which the service had in fact not acted."""
    return Case(failure, fault, Outcome(error, 1), ok(2), ok(2))


def _acted(failure: str, fault: Fault, error: type[SignalWireError], **options: Any) -> Case:
    """An ambiguous failure after which the service had acted: the opt-in duplicates."""
    return Case(failure, fault, Outcome(error, 1, 1), ok(2, 2), ok(2), **options)


def _final(failure: str, fault: Fault, error: type[SignalWireError] | None, streams: int) -> Case:
    """An answer no client retries: the service answered, and said what it did."""
    outcome = Outcome(error, 1, streams)
    return Case(failure, fault, outcome, outcome, Outcome(error, 1))


CASES = [
    Case(
        "connection refused (the service is down)",
        None,
        ok(1, tries=2),
        ok(1, tries=2),
        ok(1, tries=2),
    ),
    Case(
        "429 with `Retry-After: 1`",
        Fault.status(429, headers={"Retry-After": "1"}),
        ok(2),
        ok(2),
        ok(2),
        retry_after=1.0,
    ),
    Case("503, no `Retry-After`", Fault.status(503), ok(2), ok(2), ok(2)),
    Case(
        "503, three times in a row (`max_retries=2`)",
        Fault.status(503, headers={"Retry-After": "0"}),
        Outcome(ServerError, 3),
        Outcome(ServerError, 3),
        Outcome(ServerError, 3),
        count=3,
    ),
    _final(
        "429 with `Retry-After: 3600` (over the 60 s cap)",
        Fault.status(429, headers={"Retry-After": "3600"}),
        RateLimitError,
        0,
    ),
    _not_acted("500 with SignalWire's JSON error", Fault.status(500), ServerError),
    _not_acted("502 with a proxy's HTML page", Fault.status(502, HTML), ServerError),
    _not_acted("504 with an empty body", Fault.status(504, ""), ServerError),
    _not_acted("408 request timeout", Fault.status(408), APIStatusError),
    _acted("500 after starting the stream", Fault.status(500, acts=True), ServerError),
    _acted("answer later than the timeout", Fault.delay(LATE), APITimeoutError, late=True),
    Case(
        "connection dropped before the request is read",
        Fault.drop_before_read(),
        Outcome(APIConnectionError, 1, 0),
        ok(2),
        ok(2),
    ),
    _acted(
        "connection dropped after the request is read", Fault.drop_after_read(), APIConnectionError
    ),
    _acted("body cut short (`Content-Length` not met)", Fault.truncated_body(), APIConnectionError),
    _final(
        "400 with a JSON error body",
        Fault.status(400, {"code": 21000, "message": "no"}),
        BadRequestError,
        0,
    ),
    _final("404", Fault.status(404), NotFoundError, 0),
    _final("418, a status with no meaning here", Fault.status(418, "teapot"), APIStatusError, 0),
    _final("200, body not JSON", Fault.body("OK"), APIResponseError, 1),
    _final("200, HTML body", Fault.body("<html><body>Welcome</body></html>"), APIResponseError, 1),
    _final("200, no `sid`", Fault.reshape(remove=("sid",)), APIResponseError, 1),
    _final("200, an unknown `status` value", Fault.reshape({"status": "paused"}), None, 1),
    _final("200, extra keys", Fault.reshape({"region": "us-east", "tags": [1]}), None, 1),
    _final(
        "200, optional keys missing",
        Fault.reshape(remove=("status", "name", "date_updated", "uri", "account_sid")),
        None,
        1,
    ),
    _final(
        "200, values of the wrong type", Fault.reshape({"status": 7, "date_updated": []}), None, 1
    ),
]


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        return int(placeholder.getsockname()[1])


def _run(api: Api, operation: Callable[[Any], Any], client: Any) -> Stream | SignalWireError:
    try:
        result = api.run(operation, client)
    except SignalWireError as error:
        return error
    assert isinstance(result, Stream)
    return result


def _check(result: Stream | SignalWireError, expected: Outcome, requests: int) -> None:
    if expected.error is None:
        assert isinstance(result, Stream), repr(result)
    else:
        assert type(result) is expected.error, repr(result)
        assert getattr(result, "attempts", 1) == expected.attempts
    assert requests == expected.requests


def _client(api: Api, emulator: Emulator, case: Case, sleep: Callable[[float], Any]) -> Any:
    return api.make(
        space=emulator.base_url if case.fault is not None else None,
        timeout=TIMEOUT if case.late else 5.0,
        sleep=sleep,
    )


@pytest.mark.parametrize("opted_in", [False, True], ids=["create", "create-opted-in"])
@pytest.mark.parametrize("case", CASES, ids=[case.failure for case in CASES])
def test_create(api: Api, case: Case, opted_in: bool) -> None:
    expected = case.create_opted_in if opted_in else case.create
    sleeps, sleep = api.sleep_recorder()
    if case.fault is None:
        _down_then_up(api, sleep, sleeps, lambda c, call: c.streams.create(call, WSS_URL), expected)
        return
    emulator = api.emulator
    call = emulator.add_call()
    emulator.inject(case.fault, count=case.count)
    client = _client(api, emulator, case, sleep)
    result = _run(api, lambda c: c.streams.create(call, WSS_URL, retry_ambiguous=opted_in), client)
    _check(result, expected, len(emulator.requests))
    assert len(emulator.streams(call)) == expected.streams
    assert len(sleeps) == expected.attempts - 1
    if case.retry_after is not None and sleeps:
        assert sleeps == [case.retry_after]
    _check_faulted_result(case, result)


@pytest.mark.parametrize("case", CASES, ids=[case.failure for case in CASES])
def test_stop(api: Api, case: Case) -> None:
    sleeps, sleep = api.sleep_recorder()
    if case.fault is None:
        _down_then_up(
            api,
            sleep,
            sleeps,
            lambda c, call: c.streams.stop(call, "live"),
            case.stop,
            live_stream=True,
        )
        return
    emulator = api.emulator
    call = emulator.add_call()
    stream = api.run(lambda c: c.streams.create(call, WSS_URL))
    emulator.clear_requests()
    emulator.inject(case.fault, count=case.count)
    client = _client(api, emulator, case, sleep)
    result = _run(api, lambda c: c.streams.stop(call, stream.sid), client)
    _check(result, case.stop, len(emulator.requests))
    assert len(sleeps) == case.stop.attempts - 1
    stopped = case.stop.error is None or case.fault.acts
    assert emulator.streams(call)[0].status == ("stopped" if stopped else "in-progress")
    _check_faulted_result(case, result)


def _check_faulted_result(case: Case, result: Stream | SignalWireError) -> None:
    """What the caller gets out of the answers that are not SignalWire's usual shape."""
    if case.failure == "200, an unknown `status` value":
        assert isinstance(result, Stream) and result.status == "paused"
    if case.failure == "200, optional keys missing":
        assert isinstance(result, Stream)
        assert (result.status, result.name, result.date_updated) == (None, None, None)
    if case.failure == "200, values of the wrong type":
        assert isinstance(result, Stream) and (result.status, result.date_updated) == (None, None)
    if case.failure == "502 with a proxy's HTML page":
        assert isinstance(result, ServerError | Stream)
        if isinstance(result, ServerError):
            assert result.message == "Bad Gateway: 502 Bad Gateway"


def _down_then_up(
    api: Api,
    sleep: Callable[[float], Any],
    sleeps: list[float],
    operation: Callable[[Any, str], Any],
    expected: Outcome,
    *,
    live_stream: bool = False,
) -> None:
    """The first try finds no service; it is up (with a stream named `live` on the call,
    if asked) by the time the client's backoff ends."""
    port = _free_port()
    emulator = Emulator(port=port, media=False)
    call = "CA-refused"

    def start_then(seconds: float) -> Any:
        emulator.start()
        emulator.add_call(call)
        if live_stream:
            with Client(emulator.project_id, emulator.api_token, emulator.base_url) as setup:
                setup.streams.create(call, WSS_URL, name="live")
            emulator.clear_requests()
        return sleep(seconds)

    client = api.make(
        project_id=emulator.project_id,
        api_token=emulator.api_token,
        space=f"http://127.0.0.1:{port}",
        sleep=start_then,
    )
    try:
        result = _run(api, lambda c: operation(c, call), client)
        _check(result, expected, len(emulator.requests))
        assert len(sleeps) == 1 and 0.375 <= sleeps[0] <= 0.5  # backoff, less jitter
        assert len(emulator.streams(call)) == (1 if live_stream else expected.streams)
    finally:
        emulator.stop()


def _cell(outcome: Outcome, *, streams: bool) -> str:
    retried = outcome.attempts > 1
    if outcome.error is None:
        text = "retried, succeeds" if retried else "succeeds"
    else:
        name = f"`{outcome.error.__name__}`"
        text = f"retried, then {name}" if retried else name
    details = [f"{outcome.requests} request{'s' if outcome.requests > 1 else ''}"]
    if streams:
        count = f"{outcome.streams} stream{'' if outcome.streams == 1 else 's'}"
        details.append(f"**{count}**" if outcome.streams > 1 else count)
    return f"{text} ({', '.join(details)})"


def retry_table() -> str:
    """The README's retry table, one row per case of this suite."""
    lines = [
        "| failure | `create` | `create(…, retry_ambiguous=True)` | `stop` |",
        "|---|---|---|---|",
    ]
    for case in CASES:
        cells = (
            _cell(case.create, streams=True),
            _cell(case.create_opted_in, streams=True),
            _cell(case.stop, streams=False),
        )
        lines.append(f"| {case.failure} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def test_readme_retry_table_is_the_fault_suite() -> None:
    """Regenerate the table with `python -m tests.rest.test_faults` after changing a case."""
    match = re.search(
        r"<!-- retry-table -->\n(.*?)<!-- /retry-table -->", README.read_text(), re.DOTALL
    )
    assert match is not None, "README.md has no retry table markers"
    assert match.group(1) == retry_table()


if __name__ == "__main__":
    print(retry_table(), end="")
