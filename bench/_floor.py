"""The floor: the fastest plain Python media receivers we can write, beside which ours is read.

    python -m bench._floor --kind picows|websockets|aiohttp [--port P] [--cert PEM]

Each checks the same bearer token as ours, parses every message and does bench._tally's
work per event, and nothing else: no session, no queue, no state beyond the tally.

    picows      picows' WSListener, the tally in on_ws_frame; each frame's payload decoded
                from picows' buffer by a msgspec Decoder into typed structs (a tagged union
                on "event", chunk and timestamp taken from their strings of digits)
    websockets  websockets' asyncio server, `async for message in connection`, json.loads
    aiohttp     aiohttp's WebSocket server, `async for message in ws`, orjson.loads (orjson
                is in the bench extra; without it, this kind exits 2)

picows is served as ours is (the event loop's own transport, not aiofastnet), websockets
and aiohttp without compression or keep-alive pings, as the generator asks for none. What
it prints and reads is bench._tally's receiver protocol.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

import msgspec

from bench._tally import Options, Serving, Tally, receiver_parser, run_receiver, token_ok

__all__ = ["KINDS", "main"]

MAX_SIZE = 2**20  # the longest message taken, as ours


# --- picows + msgspec -----------------------------------------------------------------------


class _MediaBody(msgspec.Struct):
    track: str
    chunk: int
    timestamp: int
    payload: str


class _Media(msgspec.Struct, tag="media", tag_field="event"):
    media: _MediaBody


class _StartBody(msgspec.Struct, rename="camel"):
    stream_sid: str
    custom_parameters: dict[str, str] = {}


class _Start(msgspec.Struct, tag="start", tag_field="event"):
    start: _StartBody


class _Stop(msgspec.Struct, tag="stop", tag_field="event"):
    pass


class _Connected(msgspec.Struct, tag="connected", tag_field="event"):
    pass


_DECODE = msgspec.json.Decoder(_Media | _Start | _Stop | _Connected, strict=False).decode


@asynccontextmanager
async def picows_msgspec(tally: Tally, options: Options) -> AsyncIterator[int]:
    import picows

    text, close = picows.WSMsgType.TEXT, picows.WSMsgType.CLOSE

    class Listener(picows.WSListener):
        def __init__(self) -> None:
            self.stream = tally.opened()

        def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
            if frame.msg_type is text:
                message = _DECODE(frame.get_payload_as_memoryview())
                if type(message) is _Media:
                    body = message.media
                    self.stream.media(body.timestamp, body.chunk)
                elif type(message) is _Start:
                    parameters = message.start.custom_parameters
                    self.stream.start(parameters.get("t0"), parameters.get("probe"))
                elif type(message) is _Stop:
                    self.stream.stop()
            elif frame.msg_type is close:
                transport.send_close(frame.get_close_code())
                transport.disconnect()

        def on_ws_disconnected(self, transport: picows.WSTransport) -> None:
            tally.closed(self.stream)

    def upgrade(request: picows.WSUpgradeRequest) -> Any:
        if token_ok(request.headers.getall("Authorization", [])):
            return Listener()
        response = picows.WSUpgradeResponse.create_error_response(
            HTTPStatus.UNAUTHORIZED, b"401 Unauthorized\n"
        )
        return picows.WSUpgradeResponseWithListener(response, None)

    server = await picows.ws_create_server(
        upgrade,
        "127.0.0.1",
        options.port,
        ssl=options.ssl,
        max_frame_size=MAX_SIZE,
        enable_auto_pong=True,
        use_aiofastnet=False,
        reuse_port=options.reuse_port or None,
    )
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


# --- websockets + json ----------------------------------------------------------------------


@asynccontextmanager
async def websockets_json(tally: Tally, options: Options) -> AsyncIterator[int]:
    from websockets.asyncio.server import ServerConnection, serve
    from websockets.exceptions import ConnectionClosed
    from websockets.http11 import Request, Response

    def check(connection: ServerConnection, request: Request) -> Response | None:
        if token_ok(request.headers.get_all("Authorization")):
            return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "401 Unauthorized\n")

    async def handle(connection: ServerConnection) -> None:
        stream = tally.opened()
        try:
            async for message in connection:
                data = json.loads(message)
                event = data["event"]
                if event == "media":
                    body = data["media"]
                    stream.media(int(body["timestamp"]), int(body["chunk"]))
                elif event == "start":
                    parameters = data["start"].get("customParameters", {})
                    stream.start(parameters.get("t0"), parameters.get("probe"))
                elif event == "stop":
                    stream.stop()
        except ConnectionClosed:
            pass
        finally:
            tally.closed(stream)

    async with serve(
        handle,
        "127.0.0.1",
        options.port,
        ssl=options.ssl,
        process_request=check,
        compression=None,
        max_size=MAX_SIZE,
        ping_interval=None,
        reuse_port=options.reuse_port or None,
    ) as server:
        yield int(next(iter(server.sockets)).getsockname()[1])


# --- aiohttp + orjson -----------------------------------------------------------------------


@asynccontextmanager
async def aiohttp_orjson(tally: Tally, options: Options) -> AsyncIterator[int]:
    import orjson
    from aiohttp import WSMsgType, web

    async def handle(request: web.Request) -> web.StreamResponse:
        if not token_ok(request.headers.getall("Authorization", [])):
            return web.Response(status=HTTPStatus.UNAUTHORIZED, text="401 Unauthorized\n")
        ws = web.WebSocketResponse(compress=False, max_msg_size=MAX_SIZE)
        await ws.prepare(request)
        stream = tally.opened()
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                data = orjson.loads(message.data)
                event = data["event"]
                if event == "media":
                    body = data["media"]
                    stream.media(int(body["timestamp"]), int(body["chunk"]))
                elif event == "start":
                    parameters = data["start"].get("customParameters", {})
                    stream.start(parameters.get("t0"), parameters.get("probe"))
                elif event == "stop":
                    stream.stop()
        finally:
            tally.closed(stream)
        return ws

    app = web.Application()
    app.router.add_get("/media", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(
        runner,
        "127.0.0.1",
        options.port,
        ssl_context=options.ssl,
        reuse_port=options.reuse_port or None,
    )
    try:
        await site.start()
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


KINDS: dict[str, Serving] = {
    "picows": picows_msgspec,
    "websockets": websockets_json,
    "aiohttp": aiohttp_orjson,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = receiver_parser("python -m bench._floor", (__doc__ or "").partition("\n")[0])
    parser.add_argument("--kind", choices=list(KINDS), required=True)
    args = parser.parse_args(argv)
    if args.kind == "aiohttp":
        try:
            import orjson  # noqa: F401
        except ImportError:
            print("orjson is not installed: pip install -e '.[bench]'", file=sys.stderr)
            return 2
    return run_receiver(KINDS[args.kind], args)


if __name__ == "__main__":
    sys.exit(main())
