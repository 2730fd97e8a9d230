"""The retry settings: where they are set, how they combine, and the waits between tries.

What each failure leads to is the fault suite's (`tests/rest/test_faults.py`); here the emulator
counts requests while the settings change, and an injected sleep records the waits.
"""

from __future__ import annotations

from typing import Any

import pytest
from signalwire_streams import APIConnectionError, ServerError, ValidationError
from signalwire_streams.testing import Fault

from tests.helpers.clients import WSS_URL, Api


def test_backoff_doubles_with_jitter_up_to_the_cap(api: Api) -> None:
    sleeps, sleep = api.sleep_recorder()
    api.emulator.fail_next(503, count=7)
    client = api.make(max_retries=6, sleep=sleep)
    with pytest.raises(ServerError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL), client)
    assert info.value.attempts == 7 and len(api.emulator.requests) == 7
    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(sleeps) == len(ceilings)
    for slept, ceiling in zip(sleeps, ceilings, strict=True):
        assert 0.75 * ceiling <= slept <= ceiling


def test_retry_after_as_an_http_date_in_the_past_means_now(api: Api) -> None:
    sleeps, sleep = api.sleep_recorder()
    call = api.emulator.add_call()
    api.emulator.fail_next(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    api.run(lambda c: c.streams.create(call, WSS_URL), api.make(sleep=sleep))
    assert [r.status for r in api.emulator.requests] == [503, 200]
    assert sleeps == [0.0]


def test_the_default_sleep_really_waits(api: Api) -> None:
    """Without `sleep=`, a retry waits on the clock (`Retry-After: 0` keeps it short)."""
    call = api.emulator.add_call()
    api.emulator.fail_next(429, headers={"Retry-After": "0"})
    api.run(lambda c: c.streams.create(call, WSS_URL))
    assert [r.status for r in api.emulator.requests] == [429, 200]


@pytest.mark.parametrize(
    ("scope", "expected_requests"),
    [("client", 1), ("with_options", 1), ("call", 1), ("call overrides client", 3)],
)
def test_max_retries_per_client_and_per_call(api: Api, scope: str, expected_requests: int) -> None:
    _, sleep = api.sleep_recorder()
    api.emulator.fail_next(503, count=5)
    client: Any = api.make(max_retries=0 if scope == "client" else 5, sleep=sleep)
    if scope == "with_options":
        client = client.with_options(max_retries=0)
    per_call = {"call": 0, "call overrides client": 2}.get(scope)
    with pytest.raises(ServerError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL, max_retries=per_call), client)
    assert info.value.attempts == expected_requests
    assert len(api.emulator.requests) == expected_requests


def test_max_retries_per_call_on_a_stop(api: Api) -> None:
    _, sleep = api.sleep_recorder()
    api.emulator.fail_next(500, count=5)
    with pytest.raises(ServerError) as info:
        api.run(lambda c: c.streams.stop("CA1", "ST1", max_retries=4), api.make(sleep=sleep))
    assert info.value.attempts == 5 and len(api.emulator.requests) == 5


@pytest.mark.parametrize(
    ("client_setting", "call_setting", "streams"),
    [(True, None, 2), (False, True, 2), (True, False, 1), (False, None, 1)],
)
def test_retry_ambiguous_per_client_and_per_call(
    api: Api, client_setting: bool, call_setting: bool | None, streams: int
) -> None:
    """The call's setting wins over the client's; a duplicate shows the retry happened."""
    _, sleep = api.sleep_recorder()
    call = api.emulator.add_call()
    api.emulator.inject(Fault.drop_after_read())
    client = api.make(retry_ambiguous=client_setting, sleep=sleep)
    create = lambda c: c.streams.create(call, WSS_URL, retry_ambiguous=call_setting)  # noqa: E731
    if streams == 1:
        with pytest.raises(APIConnectionError):
            api.run(create, client)
    else:
        api.run(create, client)
    assert len(api.emulator.streams(call)) == streams


def test_with_options_keeps_retry_ambiguous_and_sleep(api: Api) -> None:
    sleeps, sleep = api.sleep_recorder()
    call = api.emulator.add_call()
    api.emulator.inject(Fault.status(500, acts=True))
    client = api.make(retry_ambiguous=True, sleep=sleep).with_options(timeout=5.0)
    assert client.retry_ambiguous is True
    api.run(lambda c: c.streams.create(call, WSS_URL), client)
    assert len(sleeps) == 1 and len(api.emulator.streams(call)) == 2


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"retry_ambiguous": "yes"}, "retry_ambiguous"),
        ({"retry_ambiguous": 1}, "retry_ambiguous"),
    ],
)
def test_bad_per_call_retry_settings_send_nothing(
    api: Api, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL, **options))
    assert info.value.field == field
    assert api.emulator.requests == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"sleep": 5}, "sleep"),
        ({"retry_ambiguous": None}, "retry_ambiguous"),
        ({"max_retries": None}, "max_retries"),
    ],
)
def test_bad_client_retry_settings(api: Api, options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        api.make(**options)
    assert info.value.field == field
