"""Hostile servers: every call ends in time, in bounded memory, with a package error.

A scripted loopback server (tests/helpers/scripted_server.py) drips its headers or its body,
sends interim `100 Continue` answers forever, announces or streams gigabytes, sends a gzip
body that inflates to 1 GiB, redirects to a second host, or resets the connection at each
phase. Every case runs a create through `Client` and `AsyncClient`, on their own connections
and on an httpx client of the caller's (made with `follow_redirects=True`, which must not
matter), and asserts:

- the wall time: at most the timeout plus one second;
- the peak memory growth of the process: under 50 MB (its peak resident set, reset first);
- how many requests the server read, and that a redirect's target read none;
- the error: a package error of the expected type, and for a timeout, the phase.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from signalwire_streams import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    Client,
    SignalWireError,
)

from tests.helpers.scripted_server import ScriptedServer, gzip_bomb

PROJECT = "6f2a4c1e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
TOKEN = "PT-hostile-server-token"
CALL = "9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
WSS = "wss://receiver.example.com/audio"
TIMEOUT = 1.0
MARGIN = 1.0
MEMORY_MB = 50.0

VARIANTS = ["sync", "async", "sync-their-httpx", "async-their-httpx"]


def _peak_reset() -> float:
    """Reset the process's peak resident set (Linux) and return the current one, in MB."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return _status_mb("VmRSS")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} in /proc/self/status")


def _create(variant: str, url: str) -> Any:
    """One create through a fresh client of `variant`: the stream, or the error it raised."""
    options: dict[str, Any] = {"timeout": TIMEOUT}

    async def in_async() -> Any:
        http = httpx.AsyncClient(follow_redirects=True) if "their" in variant else None
        try:
            async with AsyncClient(PROJECT, TOKEN, url, http_client=http, **options) as client:
                return await client.streams.create(CALL, WSS)
        finally:
            if http is not None:
                await http.aclose()

    try:
        if variant.startswith("async"):
            return asyncio.run(in_async())
        with httpx.Client(follow_redirects=True) as http:
            given = http if "their" in variant else None
            with Client(PROJECT, TOKEN, url, http_client=given, **options) as client:
                return client.streams.create(CALL, WSS)
    except Exception as error:
        return error


def _measured(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """The result, the wall time and the peak memory growth (MB) of `call()`."""
    before = _peak_reset()
    started = time.monotonic()
    result = call()
    elapsed = time.monotonic() - started
    return result, elapsed, _status_mb("VmHWM") - before


@pytest.fixture(scope="module", autouse=True)
def _bomb_made_once() -> None:
    # Under the 1 MiB cap as sent, so that only counting the inflated bytes can stop it.
    assert len(gzip_bomb()) < 2**20  # made once (a few seconds), outside any timed case


# (script, expected error, timeout phase, requests the server reads)
CASES: list[tuple[str, type[SignalWireError], str | None, int]] = [
    ("drip-headers", APITimeoutError, "response", 1),
    ("endless-100-continue", APITimeoutError, "response", 1),
    ("drip-body", APITimeoutError, "body", 1),
    ("huge-content-length", APIResponseError, None, 1),
    ("endless-chunked", APIResponseError, None, 1),
    ("gzip-bomb", APIResponseError, None, 1),
    ("reset-after-request", APIConnectionError, None, 1),
    ("reset-mid-headers", APIConnectionError, None, 1),
    ("reset-mid-body", APIConnectionError, None, 1),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    ("script", "expected", "phase", "requests"), CASES, ids=[case[0] for case in CASES]
)
def test_a_hostile_answer_ends_in_time_in_bounded_memory_with_a_package_error(
    variant: str, script: str, expected: type[SignalWireError], phase: str | None, requests: int
) -> None:
    with ScriptedServer(script) as server:
        error, elapsed, grew = _measured(lambda: _create(variant, server.url))
        seen = server.requests
    assert isinstance(error, expected), repr(error)
    assert elapsed <= TIMEOUT + MARGIN, f"{elapsed:.2f} s"
    assert grew < MEMORY_MB, f"{grew:.1f} MB"
    assert seen == requests  # a create that may have been acted on is never sent again
    if phase is not None:
        assert isinstance(error, APITimeoutError) and error.phase == phase
        assert f"{TIMEOUT:g} s deadline ran out" in str(error)
    if expected is APIResponseError:
        assert "1,048,576 byte cap" in str(error) and error.status_code == 200


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_connection_reset_before_the_request_is_read_is_a_connection_error(
    variant: str,
) -> None:
    with ScriptedServer(reset_on_accept=True) as server:
        error, elapsed, _ = _measured(lambda: _create(variant, server.url))
        seen = server.requests
    assert isinstance(error, APIConnectionError), repr(error)
    assert elapsed <= TIMEOUT + MARGIN
    assert seen == 0


@pytest.fixture
def elsewhere() -> Iterator[ScriptedServer]:
    with ScriptedServer("ok") as server:
        yield server


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed(variant: str, status: int, elsewhere: ScriptedServer) -> None:
    with ScriptedServer(f"redirect-{status}", redirect_to=elsewhere.url) as server:
        error, elapsed, _ = _measured(lambda: _create(variant, server.url))
        seen = server.requests
    assert isinstance(error, APIStatusError), repr(error)
    assert error.status_code == status
    assert f"redirected to {elsewhere.url}/api/laml/2010-04-01/x" in str(error)
    assert "token=leak" not in str(error)  # the Location's query is not repeated
    assert (seen, elsewhere.requests, elsewhere.connections) == (1, 0, 0)
    assert elapsed <= TIMEOUT + MARGIN


def test_the_size_cap_is_configurable() -> None:
    with ScriptedServer("ok") as server:
        small = Client(PROJECT, TOKEN, server.url, max_response_size=100)
        with small, pytest.raises(APIResponseError, match="100 byte cap"):
            small.streams.create(CALL, WSS)
        with Client(PROJECT, TOKEN, server.url, max_response_size=10_000) as client:
            assert client.streams.create(CALL, WSS).sid
