"""How requests travel: the form encoding, the generated client's own pools, their errors.

The generated client sends on its own pools (httpx's transport for `Client`, aiohttp's for
`AsyncClient`) unless an httpx client is passed in, so these tests pin down what those paths
must keep: the same bytes on the wire as httpx's client would send, httpx's exceptions
sorted by whether the request can have left (which decides whether a create is retried),
decoding, and proxies from the environment. Every peer is a real socket on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from signalwire_streams import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    Client,
    StreamStatus,
)
from signalwire_streams_api.errors import AttemptTimeout
from signalwire_streams_api.types import encode_form

from tests.helpers.clients import WSS_URL
from tests.helpers.peers import CALL, PROJECT, Peer

TOKEN = "PT-transport-test"


# --- the form ----------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "a b",
    "a+b",
    "a&b=c",
    "100%",
    "%41",
    "ü",
    "日本",
    "\n\r\t",
    "~._-",
    "/?#[]@!$'()*,;",
]


@pytest.mark.parametrize(
    "form",
    [
        {"Url": WSS_URL, "Name": "asr", "Track": "both_tracks", "StatusCallbackMethod": "POST"},
        {f"k{text}": text for text in NASTY},
        {text or "empty": f"{text}{text}" for text in NASTY},
        {"StreamRealTime": True, "Other": False, "Nothing": None, "Number": 7, "Real": 1.5},
        {"Many": ["a b", True, 3], "Tuple": ("x", "y&z"), "Empty": []},
        {},
    ],
    ids=["plain", "nasty-values", "nasty-keys", "primitives", "sequences", "empty"],
)
def test_the_form_is_encoded_byte_for_byte_as_httpx_does(form: dict[str, Any]) -> None:
    expected = httpx.Request("POST", "http://x", data=form).content
    assert encode_form(form) == expected


@pytest.fixture
def peer(request: pytest.FixtureRequest) -> Iterator[Peer]:
    server = Peer(getattr(request, "param", "ok"))
    yield server
    server.close()


def _create(kind: str, space: str, **options: Any) -> Any:
    """A create through a fresh client of `kind`: the stream, or the exception raised."""

    async def in_async() -> Any:
        async with AsyncClient(PROJECT, TOKEN, space, **options) as client:
            return await client.streams.create(CALL, WSS_URL, name="t")

    try:
        if kind == "async":
            return asyncio.run(in_async())
        with Client(PROJECT, TOKEN, space, **options) as client:
            return client.streams.create(CALL, WSS_URL, name="t")
    except Exception as error:
        return error


def _stop(kind: str, space: str, **options: Any) -> Any:
    async def in_async() -> Any:
        async with AsyncClient(PROJECT, TOKEN, space, **options) as client:
            return await client.streams.stop(CALL, "t")

    try:
        if kind == "async":
            return asyncio.run(in_async())
        with Client(PROJECT, TOKEN, space, **options) as client:
            return client.streams.stop(CALL, "t")
    except Exception as error:
        return error


kinds = pytest.mark.parametrize("kind", ["sync", "async"])


# --- what goes on the wire ---------------------------------------------------------------


def _head(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    line, *fields = head.decode("latin-1").split("\r\n")
    headers = {}
    for field in fields:
        name, _, value = field.partition(":")
        headers[name.strip().lower()] = value.strip()
    return line, headers, body


async def _async_create_through(http: httpx.AsyncClient | None, space: str) -> None:
    async with AsyncClient(PROJECT, TOKEN, space, http_client=http) as client:
        await client.streams.create(CALL, WSS_URL, name="t", parameters={"k": "a b&c"})


def test_the_direct_path_sends_what_httpx_s_client_sends(peer: Peer) -> None:
    """Our own pool (request built here, sent by the transport) and an http_client passed
    in (the whole of httpx) put the same request line, headers and body on the wire, sync
    and async."""
    with Client(PROJECT, TOKEN, peer.url) as client:
        client.streams.create(CALL, WSS_URL, name="t", parameters={"k": "a b&c"})
    with httpx.Client() as http, Client(PROJECT, TOKEN, peer.url, http_client=http) as client:
        client.streams.create(CALL, WSS_URL, name="t", parameters={"k": "a b&c"})
    asyncio.run(_async_create_through(None, peer.url))

    async def through_httpx() -> None:
        async with httpx.AsyncClient() as http:
            await _async_create_through(http, peer.url)

    asyncio.run(through_httpx())
    sent = [_head(raw) for raw in peer.requests]
    assert len(sent) == 4
    line, headers, body = sent[1]  # httpx's own client
    assert line == f"POST /api/laml/2010-04-01/Accounts/{PROJECT}/Calls/{CALL}/Streams HTTP/1.1"
    assert headers["authorization"].startswith("Basic ")
    assert headers["user-agent"].startswith("signalwire-streams/")
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert b"Parameter1.Value=a+b%26c" in body
    for other in sent:
        assert other[0] == line and other[2] == body
        for name in ("host", "authorization", "user-agent", "content-type", "content-length"):
            assert other[1][name] == headers[name], name
        assert set(other[1]) >= {"accept", "accept-encoding"}


@kinds
@pytest.mark.parametrize("peer", ["gzip"], indirect=True)
def test_a_compressed_answer_is_decoded(kind: str, peer: Peer) -> None:
    stream = _create(kind, peer.url)
    assert not isinstance(stream, Exception), stream
    assert stream.status is StreamStatus.IN_PROGRESS


@kinds
def test_connections_are_kept_alive(kind: str, peer: Peer) -> None:
    async def three() -> None:
        async with AsyncClient(PROJECT, TOKEN, peer.url) as client:
            for _ in range(3):
                await client.streams.create(CALL, WSS_URL)

    if kind == "async":
        asyncio.run(three())
    else:
        with Client(PROJECT, TOKEN, peer.url) as client:
            for _ in range(3):
                client.streams.create(CALL, WSS_URL)
    assert (len(peer.requests), peer.connections) == (3, 1)


@kinds
def test_a_proxy_named_by_the_environment_is_used(
    kind: str, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", peer.url)
    with socket.create_server(("127.0.0.1", 0)) as placeholder:  # nothing listens here
        target = f"http://127.0.0.1:{placeholder.getsockname()[1]}"
    stream = _create(kind, target)
    assert not isinstance(stream, Exception), stream
    line, _, _ = _head(peer.requests[0])
    assert line.startswith(f"POST {target}/api/laml/2010-04-01/Accounts/{PROJECT}/")


# --- failures: retried only when the request cannot have left ---------------------------


@kinds
def test_refused_connection_is_a_connect_error_and_a_create_is_retried(kind: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        space = f"http://127.0.0.1:{placeholder.getsockname()[1]}"
    error = _create(kind, space, max_retries=1)
    assert isinstance(error, APIConnectionError) and not isinstance(error, APITimeoutError)
    assert error.attempts == 2
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert f"Could not connect to {space.removeprefix('http://')}" in str(error)


@kinds
def test_a_host_that_does_not_resolve_is_named_and_a_create_is_retried(kind: str) -> None:
    error = _create(kind, "https://no-such-space.invalid", max_retries=1, sleep=_no_wait(kind))
    assert isinstance(error, APIConnectionError) and not isinstance(error, APITimeoutError)
    assert error.attempts == 2
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert "no-such-space.invalid" in str(error)


def _no_wait(kind: str) -> Any:
    async def sleep(seconds: float) -> None:
        pass

    return sleep if kind == "async" else (lambda seconds: None)


AFTER_SENDING = [
    # (peer, the facade's error, the generated client's error under AsyncClient, options)
    # A second: the peer's thread must read the request before the client gives up and
    # aborts the connection, which would discard it unread on a busy machine.
    ("hang", APITimeoutError, AttemptTimeout, {"timeout": 1.0}),
    ("hang up", APIConnectionError, httpx.RemoteProtocolError, {}),
    ("reset", APIConnectionError, httpx.ReadError, {}),
    ("garbage", APIConnectionError, httpx.RemoteProtocolError, {}),
    ("truncated", APIConnectionError, httpx.RemoteProtocolError, {}),
]


@kinds
@pytest.mark.parametrize(
    ("peer", "error_type", "async_cause", "options"),
    AFTER_SENDING,
    indirect=["peer"],
    ids=[case[0] for case in AFTER_SENDING],
)
def test_a_create_is_not_retried_once_the_request_has_left(
    kind: str,
    peer: Peer,
    error_type: type[APIConnectionError],
    async_cause: type[Exception],
    options: dict[str, Any],
) -> None:
    error = _create(kind, peer.url, max_retries=2, **options)
    assert type(error) is error_type, repr(error)
    assert error.attempts == 1
    assert (len(peer.requests), peer.connections) == (1, 1)
    assert isinstance(error.__cause__, httpx.TransportError)
    assert not isinstance(error.__cause__, httpx.ConnectError)
    if isinstance(error.__cause__, AttemptTimeout):
        assert error.__cause__.phase == "response" == error.phase  # type: ignore[attr-defined]
    if kind == "async":
        assert type(error.__cause__) is async_cause
        if async_cause is not AttemptTimeout:
            assert isinstance(error.__cause__.__cause__, aiohttp.ClientError)


@kinds
@pytest.mark.parametrize("peer", ["reset", "garbage"], indirect=True)
def test_a_stop_is_retried_after_the_same_failures(kind: str, peer: Peer) -> None:
    error = _stop(kind, peer.url, max_retries=1)
    assert isinstance(error, APIConnectionError) and error.attempts == 2
    assert len(peer.requests) == 2
