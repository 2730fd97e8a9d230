"""How requests travel: the form encoding, the direct transport path, aiohttp's errors.

Both clients hand their own requests straight to a transport (httpx's for `Client`,
aiohttp's through httpx-aiohttp for `AsyncClient`), so these tests pin down what that path
must keep: the same bytes on the wire as httpx's client would send, httpx's exceptions
sorted by whether the request can have left (which decides whether a create is retried),
decoding, proxies from the environment, and the request attached to errors. Every peer is
a real socket on 127.0.0.1.
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
from signalwire_streams._aiohttp import httpx_error
from signalwire_streams._core import _NOT_SENT_ERRORS, encode_form

from tests.conftest import WSS_URL
from tests.peers import CALL, PROJECT, Peer

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
    assert error.__cause__.request.url.port == int(space.rsplit(":", 1)[1])


AFTER_SENDING = [
    # (peer, the facade's error, httpx's error under AsyncClient, options)
    ("hang", APITimeoutError, httpx.ReadTimeout, {"timeout": 0.3}),
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
    assert not isinstance(error.__cause__, _NOT_SENT_ERRORS)
    if kind == "async":
        assert type(error.__cause__) is async_cause
        assert isinstance(error.__cause__.__cause__, aiohttp.ClientError)


@kinds
@pytest.mark.parametrize("peer", ["reset", "garbage"], indirect=True)
def test_a_stop_is_retried_after_the_same_failures(kind: str, peer: Peer) -> None:
    error = _stop(kind, peer.url, max_retries=1)
    assert isinstance(error, APIConnectionError) and error.attempts == 2
    assert len(peer.requests) == 2


def _connection_key() -> Any:
    from aiohttp.client_reqrep import ConnectionKey

    return ConnectionKey("example.com", 443, True, True, None, None, None, None)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            lambda: aiohttp.ClientConnectorError(_connection_key(), OSError(111, "refused")),
            httpx.ConnectError,
        ),
        (
            lambda: aiohttp.ClientConnectorDNSError(_connection_key(), OSError(-2, "no name")),
            httpx.ConnectError,
        ),
        (
            lambda: aiohttp.ClientProxyConnectionError(_connection_key(), OSError(111, "no")),
            httpx.ConnectError,
        ),
        (lambda: aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (lambda: aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (lambda: aiohttp.ServerTimeoutError("read"), httpx.ReadTimeout),
        (lambda: aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (lambda: aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (lambda: aiohttp.ClientConnectionResetError("reset"), httpx.ReadError),
        (lambda: aiohttp.ClientPayloadError("short"), httpx.RemoteProtocolError),
        (
            lambda: aiohttp.ClientResponseError(None, (), message="bad"),  # type: ignore[arg-type]
            httpx.RemoteProtocolError,
        ),
        (lambda: aiohttp.InvalidURL("x"), httpx.UnsupportedProtocol),
        (lambda: aiohttp.ClientError("other"), httpx.ReadError),
    ],
)
def test_aiohttp_errors_map_to_httpx_by_whether_the_request_left(
    error: Any, expected: type[httpx.TransportError]
) -> None:
    mapped = httpx_error(error())
    assert type(mapped) is expected
    assert str(mapped)
