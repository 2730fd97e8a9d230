"""A WebSocket server for SignalWire streams, on `websockets`: one connection, one session."""

from __future__ import annotations

import hmac
import logging
import ssl as _ssl
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from websockets.asyncio.server import Server, ServerConnection
from websockets.asyncio.server import serve as _websockets_serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from .._errors import ValidationError
from .._validation import is_loopback
from ._audio import ByteOrder
from ._session import Session, check_byteorder

__all__ = ["Handler", "MediaServer", "bearer_token_matches", "redacting_logger", "serve"]

logger = logging.getLogger("signalwire_streams.media")

Handler = Callable[[Session], Awaitable[object]]
"""Awaited once per connection with that connection's session."""

# A 20 ms frame is under 2 kB even as base64 L16 at 24 kHz: a megabyte is a generous bound.
# websockets checks it against a frame's header, so a longer frame is refused (close code
# 1009) before its payload is read: its bytes are discarded as they arrive, never buffered.
MAX_MESSAGE_SIZE = 2**20
# Messages received but not yet read by the handler, per connection. Above it websockets
# stops reading the socket until the handler has read down to a quarter of it, so TCP makes
# a fast sender wait and a slow handler costs bounded memory: about this many messages plus
# what one read from the socket brings (the TLS layer reads up to 256 KiB at a time). It is
# websockets' default, set here because the bound is part of this server's contract.
MAX_QUEUE = 16
_REDACTED = "[secure]"


class _RedactingAdapter(logging.LoggerAdapter[logging.Logger]):
    """websockets logs every handshake header at DEBUG: hide the Authorization value."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if (
            len(args) == 2
            and isinstance(args[0], str)
            and args[0].lower() in ("authorization", "proxy-authorization")
        ):
            args = (args[0], _REDACTED)
        super().log(level, msg, *args, **kwargs)


def redacting_logger(name: str) -> logging.LoggerAdapter[logging.Logger]:
    """The named logger, as websockets' `logger=`, with credentials in headers hidden."""
    return _RedactingAdapter(logging.getLogger(name))


def bearer_token_matches(authorization: str | None, token: str) -> bool:
    """Whether an `Authorization` header carries this bearer token (constant-time).

    For apps that accept the WebSocket themselves (ASGI, or websockets' own serve).
    """
    if authorization is None:
        return False
    scheme, _, credentials = authorization.strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    )


def _check_transport(host: object, ssl: object, behind_tls_proxy: object) -> str:
    """The host to bind, once it is clear SignalWire will reach it over TLS.

    SignalWire connects only to `wss://` URLs, so plain `ws://` is served on loopback only
    (tests, local development, a proxy on the same host), or when the caller says a proxy
    in front ends TLS (`behind_tls_proxy=True`).
    """
    if not isinstance(host, str):
        raise ValidationError("host", "must be a string: an address or a name to bind")
    if not isinstance(behind_tls_proxy, bool):
        raise ValidationError("behind_tls_proxy", "must be True or False")
    if ssl is None and not behind_tls_proxy and not is_loopback(host):
        raise ValidationError(
            "ssl",
            f"required to serve on {host or 'every interface'!r}, which is not loopback: "
            "SignalWire connects only to wss:// URLs; pass ssl=, or behind_tls_proxy=True "
            "when a proxy in front of this server ends TLS",
        )
    return host


def _check_bearer_token(token: str | None) -> str | None:
    if token is None:
        return None
    if not isinstance(token, str) or not token:
        raise ValidationError("bearer_token", "must be a non-empty string")
    if any(c.isspace() or not c.isprintable() for c in token):
        raise ValidationError("bearer_token", "must not contain whitespace or control characters")
    return token


class MediaServer:
    """A media server: `async with serve(handler, ...) as server` runs one.

    Every connection is one stream: `handler(session)` is awaited with its `Session`, and
    the connection is closed when the handler returns. With `bearer_token`, an upgrade
    without `Authorization: Bearer <it>` is refused with 401 before any message is read.
    `port=0` picks a free port: read it from `server.port`.

    Without `ssl` it serves plain `ws://`, which only a loopback `host` may do unless
    `behind_tls_proxy=True` says a proxy in front ends TLS (SignalWire connects only to
    `wss://`). A message over `max_size` bytes is refused with close code 1009; at most
    `MAX_QUEUE` unread messages are buffered per connection before TCP makes the sender wait.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl: _ssl.SSLContext | None = None,
        bearer_token: str | None = None,
        keep_audio: bool = True,
        l16_byteorder: ByteOrder = "little",
        max_size: int = MAX_MESSAGE_SIZE,
        behind_tls_proxy: bool = False,
    ) -> None:
        if not callable(handler):
            raise ValidationError("handler", "must be an async function taking a Session")
        if ssl is not None and not isinstance(ssl, _ssl.SSLContext):
            raise ValidationError("ssl", "must be an ssl.SSLContext or None")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValidationError("port", "must be an integer from 0 to 65535")
        self._handler = handler
        self._host = _check_transport(host, ssl, behind_tls_proxy)
        self._port = port
        self._ssl = ssl
        self._bearer_token = _check_bearer_token(bearer_token)
        self._keep_audio = keep_audio
        self._l16_byteorder = check_byteorder(l16_byteorder)
        self._max_size = max_size
        self._server: Server | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"MediaServer({where}, bearer_token={'set' if self._bearer_token else 'none'})"

    async def start(self) -> None:
        """Bind and start accepting connections."""
        if self._server is not None:
            return
        self._server = await _websockets_serve(
            self._serve_connection,
            self._host,
            self._port,
            ssl=self._ssl,
            process_request=self._authorize if self._bearer_token is not None else None,
            compression=None,
            max_size=self._max_size,
            max_queue=MAX_QUEUE,
            logger=redacting_logger("websockets.server"),
        )

    async def close(self) -> None:
        """Stop accepting, close open connections and wait for their handlers."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The bound port (the real one when port 0 was asked)."""
        if self._server is None:
            raise RuntimeError("the MediaServer is not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        """The base `wss://` (or `ws://` without TLS) URL of this server."""
        host = self._host or "127.0.0.1"
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"{'wss' if self._ssl is not None else 'ws'}://{host}:{self.port}"

    def _authorize(self, connection: ServerConnection, request: Request) -> Response | None:
        assert self._bearer_token is not None
        if bearer_token_matches(request.headers.get("Authorization"), self._bearer_token):
            return None
        logger.info(
            "refused a media connection from %s: missing or wrong bearer token",
            connection.remote_address,
        )
        return Response(
            HTTPStatus.UNAUTHORIZED.value,
            HTTPStatus.UNAUTHORIZED.phrase,
            Headers([("WWW-Authenticate", "Bearer"), ("Content-Length", "0")]),
            b"",
        )

    async def _serve_connection(self, connection: ServerConnection) -> None:
        session = Session(
            connection,
            keep_audio=self._keep_audio,
            l16_byteorder=self._l16_byteorder,
            path=connection.request.path if connection.request is not None else None,
        )
        try:
            await self._handler(session)
        except Exception:
            logger.exception("the media handler failed on stream %s", session.stream_sid)
            await connection.close(1011, "handler error")


serve = MediaServer
"""`serve(handler, *, host, port, ssl, bearer_token, …)`: a `MediaServer`, for `async with`."""
