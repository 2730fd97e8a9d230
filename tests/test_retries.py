"""Retries never start a second stream: what is retried, for create and for stop.

The emulator counts the requests it received; a raw loopback socket server stands in for a
service that hangs or hangs up, and counts connections.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from signalwire_streams import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    ServerError,
)

from tests.conftest import WSS_URL, Api
from tests.peers import Peer


def test_create_is_retried_after_503_and_429_honouring_retry_after(api: Api) -> None:
    call = api.emulator.add_call()
    api.emulator.fail_next(503, None, headers={"Retry-After": "0"})
    api.emulator.fail_next(429, None, headers={"Retry-After": "0"})
    stream = api.run(lambda c: c.streams.create(call, WSS_URL, name="once"))
    assert stream.name == "once"
    assert [r.status for r in api.emulator.requests] == [503, 429, 200]
    assert len(api.emulator.streams(call)) == 1


def test_create_gives_up_after_max_retries(api: Api) -> None:
    api.emulator.fail_next(429, None, headers={"Retry-After": "0"}, count=5)
    with pytest.raises(RateLimitError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL))
    assert info.value.attempts == 3
    assert info.value.retry_after == 0.0
    assert len(api.emulator.requests) == 3


@pytest.mark.parametrize("status", [500, 502, 504])
def test_create_is_not_retried_after_a_status_where_it_may_have_acted(
    api: Api, status: int
) -> None:
    api.emulator.fail_next(status, None, headers={"Retry-After": "0"}, count=3)
    with pytest.raises(ServerError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL))
    assert info.value.attempts == 1
    assert len(api.emulator.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_stop_is_idempotent_and_retried_after_5xx(api: Api, status: int) -> None:
    call = api.emulator.add_call()
    created = api.run(lambda c: c.streams.create(call, WSS_URL))
    api.emulator.fail_next(status, None, headers={"Retry-After": "0"}, count=2)
    stopped = api.run(lambda c: c.streams.stop(call, created.sid))
    assert stopped.status == "stopped"
    assert [r.status for r in api.emulator.requests] == [200, status, status, 200]


def test_retry_after_beyond_the_cap_is_left_to_the_caller(api: Api) -> None:
    api.emulator.fail_next(429, None, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimitError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL))
    assert info.value.retry_after == 3600.0
    assert len(api.emulator.requests) == 1


def test_retry_after_as_an_http_date(api: Api) -> None:
    call = api.emulator.add_call()
    api.emulator.fail_next(503, None, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    api.run(lambda c: c.streams.create(call, WSS_URL))
    assert [r.status for r in api.emulator.requests] == [503, 200]


def test_max_retries_zero_and_per_call_override(api: Api) -> None:
    api.emulator.fail_next(503, None, headers={"Retry-After": "0"}, count=2)
    with pytest.raises(ServerError):
        api.run(lambda c: c.with_options(max_retries=0).streams.create("CA1", WSS_URL))
    assert len(api.emulator.requests) == 1
    call = api.emulator.add_call()
    api.run(lambda c: c.with_options(max_retries=1).streams.create(call, WSS_URL))
    assert [r.status for r in api.emulator.requests] == [503, 503, 200]


def test_backoff_without_retry_after_still_retries(api: Api) -> None:
    call = api.emulator.add_call()
    api.emulator.fail_next(503, None)
    api.run(lambda c: c.streams.create(call, WSS_URL))
    assert [r.status for r in api.emulator.requests] == [503, 200]


@pytest.fixture
def hanging_peer() -> Iterator[Peer]:
    peer = Peer("hang")
    yield peer
    peer.close()


@pytest.fixture
def hanging_up_peer() -> Iterator[Peer]:
    peer = Peer("hang up")
    yield peer
    peer.close()


def test_create_is_not_retried_after_a_read_timeout(api: Api, hanging_peer: Peer) -> None:
    client = api.make(space=f"http://127.0.0.1:{hanging_peer.port}", timeout=0.3)
    with pytest.raises(APITimeoutError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL), client)
    assert info.value.attempts == 1
    assert hanging_peer.connections == 1


def test_stop_is_retried_after_a_read_timeout(api: Api, hanging_peer: Peer) -> None:
    client = api.make(space=f"http://127.0.0.1:{hanging_peer.port}", timeout=0.2, max_retries=1)
    with pytest.raises(APITimeoutError) as info:
        api.run(lambda c: c.streams.stop("CA1", "ST1"), client)
    assert info.value.attempts == 2
    assert hanging_peer.connections == 2


def test_create_is_not_retried_when_the_connection_drops_after_sending(
    api: Api, hanging_up_peer: Peer
) -> None:
    client = api.make(space=f"http://127.0.0.1:{hanging_up_peer.port}")
    with pytest.raises(APIConnectionError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL), client)
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.attempts == 1
    assert hanging_up_peer.connections == 1


def test_stop_is_retried_when_the_connection_drops(api: Api, hanging_up_peer: Peer) -> None:
    client = api.make(space=f"http://127.0.0.1:{hanging_up_peer.port}", max_retries=1)
    with pytest.raises(APIConnectionError) as info:
        api.run(lambda c: c.streams.stop("CA1", "ST1"), client)
    assert info.value.attempts == 2
    assert hanging_up_peer.connections == 2


def test_create_is_retried_when_the_connection_is_refused(api: Api) -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    client = api.make(space=f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(APIConnectionError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL), client)
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.attempts == 2
    assert "Connection error" in str(info.value)
    assert isinstance(info.value.__cause__, Exception)
