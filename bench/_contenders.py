"""The rows of bench.rest's request table: each a way of sending the same create.

A raw keep-alive socket with a pre-built request is the floor; the standard library,
httpx, aiohttp and twilio-python are the peers; signalwire_streams.Client and AsyncClient
are what is measured. Every one sends the same form, with Basic auth, over keep-alive, to
the canned server (bench._canned), each with its default connection pool. A row whose
package is not installed is left out.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any
from urllib.parse import urlencode

from bench._canned import (
    ACCOUNT,
    API_PATH,
    CALL,
    CREATE_ARGS,
    FORM,
    PATH,
    TOKEN,
    TWILIO_ARGS,
    TWILIO_BASE,
    WSS,
)

__all__ = ["Contender", "contenders", "installed"]

# A client made ready: one create, and how to close it (its result awaited if awaitable).
SyncPair = tuple[Callable[[], object], Callable[[], None]]
AsyncPair = tuple[Callable[[], Awaitable[object]], Callable[[], object]]
AsyncMake = Callable[[], Coroutine[Any, Any, AsyncPair]]


def installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


@dataclass
class Contender:
    """One way of doing a create: `block(n)` does n of them, `in_flight` at a time."""

    key: str
    label: str
    in_flight: int
    peer: str | None = None  # the key of the row this one is compared with
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    _close: Callable[[], None] | None = None
    _block: Callable[[int], None] | None = None

    def block(self, n: int) -> None:
        assert self._block is not None
        self._block(n)

    def close(self) -> None:
        if self._close is not None:
            self._close()


def sync_contender(key: str, label: str, make: Callable[[], SyncPair]) -> Contender:
    once, close = make()

    def block(n: int) -> None:
        for _ in range(n):
            once()

    return Contender(key, label, 1, _block=block, _close=close)


def async_contender(key: str, label: str, in_flight: int, make: AsyncMake) -> Contender:
    """Its own event loop, kept across repetitions, so connections stay warm."""
    runner = asyncio.Runner()
    once, close = runner.run(make())

    async def worker(count: int) -> None:
        for _ in range(count):
            await once()

    async def run(n: int) -> None:
        share, extra = divmod(n, in_flight)
        counts = [share + (1 if i < extra else 0) for i in range(in_flight)]
        await asyncio.gather(*(worker(count) for count in counts if count))

    def shut() -> None:
        async def closing() -> None:
            result = close()
            if isinstance(result, Awaitable):
                await result

        runner.run(closing())
        runner.close()

    return Contender(key, label, in_flight, _block=lambda n: runner.run(run(n)), _close=shut)


def raw_socket(base: str) -> SyncPair:
    host, port = base.removeprefix("http://").split(":")
    body = urlencode(FORM).encode()
    auth = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Basic {auth}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def once() -> bytes:
        sock.sendall(request)
        data = sock.recv(65536)
        end = data.find(b"\r\n\r\n")
        while end < 0:
            data += sock.recv(65536)
            end = data.find(b"\r\n\r\n")
        start = data.find(b"Content-Length: ") + 16
        total = end + 4 + int(data[start : data.find(b"\r\n", start)])
        while len(data) < total:
            data += sock.recv(65536)
        return data

    return once, sock.close


def stdlib_http_client(base: str) -> SyncPair:
    import http.client

    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port))
    auth = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()

    def once() -> object:
        headers = {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", PATH, body=urlencode(FORM), headers=headers)
        return json.loads(connection.getresponse().read())

    return once, connection.close


def raw_httpx(base: str) -> SyncPair:
    import httpx

    client = httpx.Client()
    url = base + PATH
    auth = httpx.BasicAuth(ACCOUNT, TOKEN)

    def once() -> object:
        response = client.post(url, data=FORM, auth=auth)
        response.raise_for_status()
        return response.json()

    return once, client.close


def ours_sync(base: str, *, own_httpx: bool = False) -> SyncPair:
    import httpx
    from signalwire_streams import Client

    http = httpx.Client() if own_httpx else None
    client = Client(ACCOUNT, TOKEN, base, http_client=http)

    def once() -> object:
        return client.streams.create(CALL, WSS, **CREATE_ARGS)

    def close() -> None:
        client.close()
        if http is not None:
            http.close()

    return once, close


def twilio_sync(base: str) -> SyncPair:
    from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
    from twilio.rest import Client as TwilioClient  # type: ignore[import-untyped]

    class ToCanned(TwilioHttpClient):  # type: ignore[misc]
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            return super().request(
                method, base + API_PATH + url[len(TWILIO_BASE) :], *args, **kwargs
            )

    http = ToCanned()
    client = TwilioClient(ACCOUNT, TOKEN, http_client=http)

    def once() -> object:
        return client.calls(CALL).streams.create(**TWILIO_ARGS)

    return once, http.session.close


async def raw_aiohttp(base: str) -> AsyncPair:
    import aiohttp

    session = aiohttp.ClientSession()
    url = base + PATH
    # The form aiohttp 3.14 asks for: its `auth=` argument is deprecated.
    headers = {"Authorization": aiohttp.BasicAuth(ACCOUNT, TOKEN).encode()}

    async def once() -> object:
        async with session.post(url, data=FORM, headers=headers) as response:
            response.raise_for_status()
            return json.loads(await response.read())

    return once, session.close


async def raw_httpx_async(base: str, *, aiohttp_transport: bool = False) -> AsyncPair:
    import httpx

    if aiohttp_transport:
        from httpx_aiohttp import HttpxAiohttpClient

        client: httpx.AsyncClient = HttpxAiohttpClient()
    else:
        client = httpx.AsyncClient()
    url = base + PATH
    auth = httpx.BasicAuth(ACCOUNT, TOKEN)

    async def once() -> object:
        response = await client.post(url, data=FORM, auth=auth)
        response.raise_for_status()
        return response.json()

    return once, client.aclose


async def ours_async(base: str, *, stock_httpx: bool = False) -> AsyncPair:
    import httpx
    from signalwire_streams import AsyncClient

    http = httpx.AsyncClient() if stock_httpx else None
    client = AsyncClient(ACCOUNT, TOKEN, base, http_client=http)

    async def once() -> object:
        return await client.streams.create(CALL, WSS, **CREATE_ARGS)

    async def close() -> None:
        await client.aclose()
        if http is not None:
            await http.aclose()

    return once, close


async def twilio_async(base: str) -> AsyncPair:
    from twilio.http.async_http_client import (  # type: ignore[import-untyped]
        AsyncTwilioHttpClient,
    )
    from twilio.rest import Client as TwilioClient

    class ToCanned(AsyncTwilioHttpClient):  # type: ignore[misc]
        async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            url = base + API_PATH + url[len(TWILIO_BASE) :]
            return await super().request(method, url, *args, **kwargs)

    http = ToCanned()
    client = TwilioClient(ACCOUNT, TOKEN, http_client=http)

    async def once() -> object:
        return await client.calls(CALL).streams.create_async(**TWILIO_ARGS)

    return once, http.close


def contenders(base: str) -> list[Contender]:
    """The rows of the request table, in order; a row whose package is missing is left out."""
    has_aiohttp = installed("aiohttp")
    rows = [
        sync_contender("floor", "raw socket, pre-built request (floor)", lambda: raw_socket(base)),
        sync_contender("http.client", "http.client (stdlib)", lambda: stdlib_http_client(base)),
        sync_contender("httpx", "httpx.Client", lambda: raw_httpx(base)),
        sync_contender("ours", "signalwire_streams.Client", lambda: ours_sync(base)),
        sync_contender(
            "ours-own-httpx",
            "signalwire_streams.Client on an httpx.Client passed in",
            lambda: ours_sync(base, own_httpx=True),
        ),
    ]
    rows[-2].peer = rows[-1].peer = "httpx"
    if installed("twilio"):
        rows.append(sync_contender("twilio", "twilio-python Client", lambda: twilio_sync(base)))
        rows[-1].peer = "httpx"
    if has_aiohttp:
        rows.append(
            async_contender("aiohttp-1", "aiohttp.ClientSession", 1, lambda: raw_aiohttp(base))
        )
    rows.append(
        async_contender(
            "ours-async-1", "signalwire_streams.AsyncClient", 1, lambda: ours_async(base)
        )
    )
    rows[-1].peer = "aiohttp-1" if has_aiohttp else None
    if has_aiohttp:
        rows.append(
            async_contender("aiohttp", "aiohttp.ClientSession", 200, lambda: raw_aiohttp(base))
        )
    rows.append(
        async_contender("httpx-async", "httpx.AsyncClient", 200, lambda: raw_httpx_async(base))
    )
    if installed("httpx-aiohttp"):
        rows.append(
            async_contender(
                "httpx-aiohttp",
                "httpx.AsyncClient on httpx-aiohttp's transport",
                200,
                lambda: raw_httpx_async(base, aiohttp_transport=True),
            )
        )
    rows.append(
        async_contender(
            "ours-async", "signalwire_streams.AsyncClient", 200, lambda: ours_async(base)
        )
    )
    rows.append(
        async_contender(
            "ours-async-stock",
            "signalwire_streams.AsyncClient on an httpx.AsyncClient passed in",
            200,
            lambda: ours_async(base, stock_httpx=True),
        )
    )
    if installed("twilio") and has_aiohttp:
        rows.append(
            async_contender(
                "twilio-async",
                "twilio-python AsyncTwilioHttpClient",
                200,
                lambda: twilio_async(base),
            )
        )
    for row in rows:
        if row.in_flight > 1 and row.key != "aiohttp" and has_aiohttp:
            row.peer = "aiohttp"
    return rows
