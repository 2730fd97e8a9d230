"""A WebSocket server for SignalWire streams, on picows: one connection, one `Session`.

picows parses WebSocket frames in C and hands each to a listener callback; the listener
here feeds the connection's `Session` directly, so a frame costs one parse and no task
switch until the handler asks for it. Upgrades are checked by `_handshake` before any
message is read. picows logs each request's raw bytes at a level below DEBUG, credentials
included: its logger here is an adapter that declines those levels (so picows never even
formats them) and turns its per-connection INFO chatter into DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import ssl as _ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import picows

from .._errors import ValidationError
from .._secrets import Secret
from .._validation import is_loopback
from ._audio import ByteOrder
from ._events import Start
from ._handshake import Refusal, check_authorization, check_bearer_token
from ._session import MAX_QUEUE, Session, check_byteorder, check_keep_audio

__all__ = ["MAX_MESSAGE_SIZE", "Handler", "MediaServer", "OnRefusal", "serve"]

logger = logging.getLogger("signalwire_streams.media")

Handler = Callable[[Session], Awaitable[object]]
"""Awaited once per connection with that connection's session."""

OnRefusal = Callable[[int, str], object]
"""Called with the status (401, 400) and a one-line reason for each upgrade refused; the
reason names no header value, so it may be shown."""

# A 20 ms frame is under 2 kB even as base64 L16 at 24 kHz: a megabyte is a generous bound.
# picows checks it against each frame's header, so a longer frame closes the connection
# (1009) before its payload is buffered; fragments of one message count together.
MAX_MESSAGE_SIZE = 2**20
_HANDSHAKE_TIMEOUT = 10.0
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


class _PicowsLog(logging.LoggerAdapter[logging.Logger]):
    """picows's logger: nothing below DEBUG (raw request bytes), its per-connection INFO as
    DEBUG, and a peer's protocol error (an ERROR without a traceback) as WARNING."""

    def isEnabledFor(self, level: int) -> bool:
        return level >= logging.DEBUG and self.logger.isEnabledFor(level)

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level < logging.DEBUG:
            return
        if level == logging.INFO:
            level = logging.DEBUG
        elif level == logging.ERROR and not kwargs.get("exc_info"):
            level = logging.WARNING
        super().log(level, msg, *args, **kwargs)


_PICOWS_LOG = _PicowsLog(logging.getLogger("signalwire_streams.media.picows"))


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
    if ssl is not None and not isinstance(ssl, _ssl.SSLContext):
        raise ValidationError("ssl", "must be an ssl.SSLContext or None")
    if ssl is None and not behind_tls_proxy and not is_loopback(host):
        raise ValidationError(
            "ssl",
            f"required to serve on {host or 'every interface'!r}, which is not loopback: "
            "SignalWire connects only to wss:// URLs; pass ssl=, or behind_tls_proxy=True "
            "when a proxy in front of this server ends TLS",
        )
    return host


def _check_record_dir(value: object) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike):
        raise ValidationError("record_dir", "must be a folder's path, or None")
    folder = Path(value)
    if not folder.is_dir():
        raise ValidationError("record_dir", f"{str(folder)[:80]!r} is not a folder that exists")
    return folder


def recording_path(folder: Path, start: Start) -> Path:
    """Where a stream's WAV goes in `record_dir`: named by its stream sid, made safe (the
    sid comes from the peer: no separator, no leading dot), never over an existing file."""
    name = _SAFE_NAME.sub("_", start.stream_sid)[:100].lstrip(".") or "stream"
    path = folder / f"{name}.wav"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{name}-{number}.wav"
    return path


class _Connection(picows.WSListener):
    """One WebSocket: frames in, to its session; the handler's task; closing."""

    def __init__(self, server: MediaServer, path: str) -> None:
        self.server = server
        self.path = path
        self.session: Session | None = None
        self.transport: picows.WSTransport | None = None
        self.task: asyncio.Task[None] | None = None
        self.fragments: bytearray | None = None  # a message arriving in several frames
        self.fragment_type = picows.WSMsgType.TEXT

    def on_ws_connected(self, transport: picows.WSTransport) -> None:
        self.transport = transport
        server = self.server
        session = Session(
            keep_audio=server.keep_audio,
            l16_byteorder=server.l16_byteorder,
            path=self.path,
            bidirectional=server.bidirectional,
            max_queue=server.max_queue,
        )
        underlying = transport.underlying_transport
        session._attach(
            send=self.send_text, pause=underlying.pause_reading, resume=underlying.resume_reading
        )
        folder = server.record_dir
        if folder is not None:

            def record(event: object) -> None:
                if type(event) is Start and session.recording is None:
                    session.record(recording_path(folder, event))

            session.add_listener(record)
        self.session = session
        server._connections.add(self)
        self.task = asyncio.get_running_loop().create_task(server._run(self))

    def send_text(self, text: str) -> None:
        transport = self.transport
        if transport is not None and not transport.is_close_frame_sent:
            transport.send(picows.WSMsgType.TEXT, text.encode())

    def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
        session = self.session
        assert session is not None
        msg_type = frame.msg_type
        if msg_type is picows.WSMsgType.TEXT and frame.fin and self.fragments is None:
            try:
                session._deliver(frame.get_payload_as_utf8_text())
            except UnicodeDecodeError:
                self.close(picows.WSCloseCode.INVALID_TEXT, b"invalid UTF-8")
            return
        if msg_type is picows.WSMsgType.CLOSE:
            if not transport.is_close_frame_sent:
                transport.send_close(frame.get_close_code())
            transport.disconnect()
            return
        if msg_type in (picows.WSMsgType.TEXT, picows.WSMsgType.BINARY):
            if self.fragments is not None:
                self.close(picows.WSCloseCode.PROTOCOL_ERROR, b"expected a continuation")
                return
            if frame.fin:  # binary: not an event of this protocol, but counted as such
                session._deliver(frame.get_payload_as_bytes())
                return
            self.fragments = bytearray(frame.get_payload_as_memoryview())
            self.fragment_type = msg_type
            return
        if msg_type is picows.WSMsgType.CONTINUATION:
            self._continue(frame, session)

    def _continue(self, frame: picows.WSFrame, session: Session) -> None:
        fragments = self.fragments
        if fragments is None:
            self.close(picows.WSCloseCode.PROTOCOL_ERROR, b"unexpected continuation")
            return
        fragments += frame.get_payload_as_memoryview()
        if len(fragments) > self.server.max_size:
            self.close(picows.WSCloseCode.MESSAGE_TOO_BIG, b"message too big")
            return
        if not frame.fin:
            return
        self.fragments = None
        if self.fragment_type is picows.WSMsgType.BINARY:
            session._deliver(bytes(fragments))
            return
        try:
            session._deliver(fragments.decode("utf-8"))
        except UnicodeDecodeError:
            self.close(picows.WSCloseCode.INVALID_TEXT, b"invalid UTF-8")

    def on_ws_disconnected(self, transport: picows.WSTransport) -> None:
        if self.session is not None:
            self.session._finish()
        self.server._connections.discard(self)

    def close(self, code: picows.WSCloseCode, reason: bytes = b"") -> None:
        transport = self.transport
        if transport is None or transport.is_disconnected:
            return
        if not transport.is_close_frame_sent:
            transport.send_close(code, reason)
        transport.disconnect()


class MediaServer:
    """A media server: `async with serve(handler, ...) as server` runs one.

    Every connection is one stream: `handler(session)` is awaited with its `Session`, and
    the connection is closed when the handler returns (1011 if it raised). With
    `bearer_token`, an upgrade without `Authorization: Bearer <it>` is refused with 401 (400
    for two such headers) before any message is read. `port=0` picks a free port: read it
    from `server.port`; `reuse_port=True` lets several processes share one port.

    Without `ssl` it serves plain `ws://`, which only a loopback `host` may do unless
    `behind_tls_proxy=True` says a proxy in front ends TLS (SignalWire connects only to
    `wss://`). A message over `max_size` bytes closes the connection (1009); `max_queue`
    events wait for a handler that iterates before reading pauses. `keep_audio` (seconds
    per track) and `record_dir` (a WAV per stream, written as it arrives) set what each
    session keeps; `bidirectional` whether its streams can be sent audio (None: judged
    from each `start`). `on_refusal(status, reason)` hears of each upgrade turned away (a
    missing or wrong bearer token), e.g. to tell an operator; it must not block.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl: _ssl.SSLContext | None = None,
        bearer_token: str | None = None,
        keep_audio: float | bool = 0.0,
        record_dir: str | os.PathLike[str] | None = None,
        l16_byteorder: ByteOrder = "little",
        bidirectional: bool | None = None,
        max_size: int = MAX_MESSAGE_SIZE,
        max_queue: int = MAX_QUEUE,
        behind_tls_proxy: bool = False,
        reuse_port: bool = False,
        on_refusal: OnRefusal | None = None,
    ) -> None:
        token = check_bearer_token(Secret(bearer_token))
        del bearer_token
        if not callable(handler):
            raise ValidationError("handler", "must be an async function taking a Session")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValidationError("port", "must be an integer from 0 to 65535")
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1024:
            raise ValidationError("max_size", "must be a number of bytes of at least 1024")
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ValidationError("max_queue", "must be a positive number of events")
        if not isinstance(reuse_port, bool):
            raise ValidationError("reuse_port", "must be True or False")
        if on_refusal is not None and not callable(on_refusal):
            raise ValidationError("on_refusal", "must be a function taking (status, reason)")
        self._on_refusal = on_refusal
        self._handler = handler
        self._host = _check_transport(host, ssl, behind_tls_proxy)
        self._port = port
        self._ssl = ssl
        self._bearer_token = token
        self.keep_audio = check_keep_audio(keep_audio)
        self.record_dir = _check_record_dir(record_dir)
        self.l16_byteorder: ByteOrder = check_byteorder(l16_byteorder)
        if bidirectional is not None and not isinstance(bidirectional, bool):
            raise ValidationError("bidirectional", "must be True, False or None (not known)")
        self.bidirectional = bidirectional
        self.max_size = max_size
        self.max_queue = max_queue
        self._reuse_port = reuse_port
        self._server: asyncio.Server | None = None
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"MediaServer({where}, bearer_token={'set' if self._bearer_token else 'none'})"

    async def start(self) -> None:
        """Bind and start accepting connections."""
        if self._server is not None:
            return
        options: dict[str, Any] = {"reuse_port": True} if self._reuse_port else {}
        self._server = await picows.ws_create_server(
            self._upgrade,
            self._host,
            self._port,
            ssl=self._ssl,
            max_frame_size=self.max_size,
            websocket_handshake_timeout=_HANDSHAKE_TIMEOUT,
            logger_name=_PICOWS_LOG,
            enable_auto_pong=True,
            use_aiofastnet=False,
            **options,
        )

    def _upgrade(self, request: picows.WSUpgradeRequest) -> Any:
        values = request.headers.getall("Authorization", [])
        refusal = check_authorization(values, self._bearer_token)
        if refusal is not None:
            return self._refuse(refusal)
        return _Connection(self, request.path.decode("utf-8", "replace"))

    def _refuse(self, refusal: Refusal) -> picows.WSUpgradeResponseWithListener:
        logger.info("refused a media connection: %s (%d)", refusal.reason, refusal.status)
        if self._on_refusal is not None:
            try:
                self._on_refusal(refusal.status, refusal.reason)
            except Exception:
                logger.exception("on_refusal failed")
        response = picows.WSUpgradeResponse.create_error_response(
            refusal.status, refusal.body, dict(refusal.headers)
        )
        return picows.WSUpgradeResponseWithListener(response, None)

    async def _run(self, connection: _Connection) -> None:
        session = connection.session
        assert session is not None and connection.task is not None
        self._tasks.add(connection.task)
        try:
            await self._handler(session)
        except Exception:
            logger.exception("the media handler failed on stream %s", session.stream_sid)
            connection.close(picows.WSCloseCode.INTERNAL_ERROR, b"handler error")
        else:
            connection.close(picows.WSCloseCode.OK)
        finally:
            self._tasks.discard(connection.task)

    async def close(self) -> None:
        """Stop accepting, close open connections (1001) and wait for their handlers."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for connection in list(self._connections):
            connection.close(picows.WSCloseCode.GOING_AWAY)
        await server.wait_closed()
        if self._tasks:
            await asyncio.wait(list(self._tasks))

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


serve = MediaServer
"""`serve(handler, *, host, port, ssl, bearer_token, …)`: a `MediaServer`, for `async with`."""
