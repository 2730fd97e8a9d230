"""httpx requests over aiohttp's connection pool: `AsyncClient`'s transport by default.

httpx's own async transport costs about 15 times raw aiohttp's CPU per request with
hundreds in flight (its pool bookkeeping, and anyio/sniffio on every request);
httpx-aiohttp's transport keeps httpx's Request and Response and sends them with aiohttp.
This subclass sends them its own way for one reason: errors. httpx-aiohttp maps every
`aiohttp.ClientConnectionError` to `httpx.ConnectTimeout`, so a connection the server drops
or resets *after* the request went out would read as "never sent", and `_core.Attempts`
would retry a create that may have started a stream; a malformed response escapes as a
bare aiohttp exception. Here only failures before the request left become ConnectError or
ConnectTimeout, and every aiohttp error becomes an httpx one.

Imported on first use of `AsyncClient` only: aiohttp takes longer to import than httpx.
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _HttpxAiohttpTransport
from yarl import URL

__all__ = ["AiohttpTransport", "httpx_error"]

_TimeoutKey = tuple[float | None, float | None, float | None]


def httpx_error(error: Exception) -> httpx.TransportError:
    """The httpx exception for an aiohttp one, sorted by whether the request can have left.

    Connection refused, DNS, TLS handshake and connect or pool timeouts happen before a
    byte is written: ConnectError / ConnectTimeout, which a create may retry. Everything
    after (a read timeout, a reset, a hang-up, a broken response) may follow a request the
    service acted on: ReadTimeout, ReadError or RemoteProtocolError, as httpx's own
    transport would raise.
    """
    try:
        message = str(error) or type(error).__name__
    except Exception:  # aiohttp's __str__ reads attributes that may not be set
        message = type(error).__name__
    if isinstance(error, aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(message)
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ServerFingerprintMismatch):
        return httpx.ConnectError(message)
    if isinstance(error, TimeoutError):  # aiohttp.SocketTimeoutError: sock_read ran out
        return httpx.ReadTimeout(message)
    if isinstance(
        error,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        return httpx.RemoteProtocolError(message)
    if isinstance(error, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(message)
    return httpx.ReadError(message)  # a reset or another broken connection


class AiohttpTransport(_HttpxAiohttpTransport):
    """httpx-aiohttp's transport with the error mapping above, no second cookie jar, and
    the whole body read before the response is returned (a create's answer is small)."""

    def __init__(self) -> None:
        # httpx's defaults: certifi (or SSL_CERT_FILE / SSL_CERT_DIR), 100 connections.
        super().__init__()
        self._timeouts: dict[_TimeoutKey, aiohttp.ClientTimeout] = {}

    def get_client(self) -> aiohttp.ClientSession:
        """The session, made inside the running event loop on the first request."""
        limits = self.limits
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        # httpx keeps the cookies, if anyone does; aiohttp's jar would only cost time.
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        # aiohttp has no write timeout; its `connect` covers waiting for the pool.
        parts = request.extensions.get("timeout", {})
        key = (parts.get("connect"), parts.get("read"), parts.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            if len(self._timeouts) >= 32:  # with_options(timeout=...) with ever new values
                self._timeouts.clear()
            timeout = aiohttp.ClientTimeout(sock_connect=key[0], sock_read=key[1], connect=key[2])
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self.client
        if not isinstance(session, aiohttp.ClientSession):
            session = self.client = self.get_client()
        body = await request.aread()
        try:
            async with session.request(
                request.method,
                URL(str(request.url), encoded=True),  # httpx has already encoded it
                headers=request.headers,
                data=body or None,
                allow_redirects=False,
                auto_decompress=False,  # httpx decodes, by the response's headers
                timeout=self._timeout(request),
                server_hostname=request.extensions.get("sni_hostname"),
            ) as answer:
                content = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise httpx_error(error) from error
        response = httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            stream=httpx.ByteStream(content),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (answer.reason or "").encode("latin-1", "replace"),
            },
        )
        await response.aread()
        return response
