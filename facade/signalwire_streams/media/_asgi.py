"""The media server as an ASGI application, for the web apps streams usually live in.

`asgi_app(handler, ...)` serves SignalWire's WebSockets under uvicorn, hypercorn or any
ASGI server, behind their workers and a load balancer: each stream is one connection, so
nothing is shared between processes. It checks the upgrade as `serve` does (401 or 400,
before accepting, through the server's denial response where it has one, else close 1008),
feeds a `Session` from a reading task, closes with 1000 when the handler returns and 1011
if it raises, and closes with 1009 a message over `max_size`.

In a Starlette or FastAPI route, hand the route's WebSocket over in one line:

    stream_app = media.asgi_app(handle, bearer_token=TOKEN)

    @app.websocket("/media")
    async def media_route(websocket: WebSocket) -> None:
        await stream_app(websocket.scope, websocket.receive, websocket.send)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .._secrets import Secret
from ._audio import ByteOrder
from ._handshake import Refusal, check_authorization
from ._options import MAX_MESSAGE_SIZE, Handler, SessionOptions
from ._session import MAX_QUEUE, Session

__all__ = ["ASGIApp", "asgi_app"]

logger = logging.getLogger("signalwire_streams.media")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_NORMAL, _POLICY, _TOO_BIG, _FAILED = 1000, 1008, 1009, 1011


class ASGIApp:
    """An ASGI application that serves SignalWire streams: `handler(session)` per stream.

    Run it under an ASGI server (`uvicorn module:app --workers 4`), or call it from a
    framework's WebSocket route with the route's scope, receive and send. The arguments
    mean what they mean for `serve`.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        bearer_token: str | None = None,
        keep_audio: float | bool = 0.0,
        record_dir: str | os.PathLike[str] | None = None,
        l16_byteorder: ByteOrder = "little",
        bidirectional: bool | None = None,
        max_size: int = MAX_MESSAGE_SIZE,
        max_queue: int = MAX_QUEUE,
    ) -> None:
        self._options = SessionOptions.checked(
            handler,
            bearer_token=Secret(bearer_token),
            keep_audio=keep_audio,
            record_dir=record_dir,
            l16_byteorder=l16_byteorder,
            bidirectional=bidirectional,
            max_size=max_size,
            max_queue=max_queue,
        )
        del bearer_token

    def __repr__(self) -> str:
        return f"ASGIApp(bearer_token={'set' if self._options.bearer_token else 'none'})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "http":
            body = b"426 Upgrade Required: this endpoint takes SignalWire media WebSockets\n"
            await send(
                {
                    "type": "http.response.start",
                    "status": 426,
                    "headers": [(b"upgrade", b"websocket"), (b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": body})
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        values = [
            value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name.lower() == b"authorization"
        ]
        refusal = check_authorization(values, self._options.bearer_token)
        if (await receive())["type"] != "websocket.connect":
            return
        if refusal is not None:
            await _refuse(scope, send, refusal)
            return
        await send({"type": "websocket.accept"})
        resumed = asyncio.Event()  # cleared while the session's queue is full
        resumed.set()
        session = self._session(scope, send, resumed)
        reader = asyncio.get_running_loop().create_task(self._read(session, receive, send, resumed))
        try:
            await self._options.handler(session)
        except Exception:
            logger.exception("the media handler failed on stream %s", session.stream_sid)
            code = _FAILED
        else:
            code = _NORMAL
        finally:
            reader.cancel()
        if not session._closed:
            session._finish()
            await _close(send, code)

    def _session(self, scope: Scope, send: Send, resumed: asyncio.Event) -> Session:
        async def send_text(text: str) -> None:
            await send({"type": "websocket.send", "text": text})

        return self._options.new_session(
            scope.get("path"), send=send_text, pause=resumed.clear, resume=resumed.set
        )

    async def _read(
        self, session: Session, receive: Receive, send: Send, resumed: asyncio.Event
    ) -> None:
        """Messages from the server into the session, until the peer goes; while the
        session's queue is full, nothing is asked of the server, whose own bound applies."""
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.disconnect":
                    return
                if kind != "websocket.receive":
                    continue
                text = message.get("text")
                data: str | bytes = text if text is not None else message.get("bytes") or b""
                if len(data) > self._options.max_size:
                    await _close(send, _TOO_BIG)
                    return
                session._deliver(data)
                if not resumed.is_set():
                    await resumed.wait()
        finally:
            session._finish()


async def _refuse(scope: Scope, send: Send, refusal: Refusal) -> None:
    logger.info("refused a media connection: %s (%d)", refusal.reason, refusal.status)
    if "websocket.http.response" not in scope.get("extensions", {}):
        await _close(send, _POLICY)  # the server answers 403
        return
    headers = [(name.lower().encode(), value.encode()) for name, value in refusal.headers]
    headers.append((b"content-type", b"text/plain"))
    await send(
        {"type": "websocket.http.response.start", "status": refusal.status, "headers": headers}
    )
    await send({"type": "websocket.http.response.body", "body": refusal.body})


async def _close(send: Send, code: int) -> None:
    with contextlib.suppress(Exception):  # the connection is gone already: nothing to close
        await send({"type": "websocket.close", "code": code})


asgi_app = ASGIApp
"""`asgi_app(handler, *, bearer_token, …)`: an `ASGIApp`, the way `serve` is a `MediaServer`."""
