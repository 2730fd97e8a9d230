r"""Streams received in a Starlette app: `media.asgi_app` behind a WebSocket route.

SignalWire connects only to `wss://`: serve it with TLS, or behind a proxy that ends TLS.
Set MEDIA_BEARER_TOKEN to the `authorization_bearer_token` your streams carry; without it
the token is random, so every connection is refused (401). Needs starlette and uvicorn.

    MEDIA_BEARER_TOKEN=… uvicorn examples.asgi_receiver:app --ssl-keyfile key.pem \
        --ssl-certfile cert.pem
    python examples/asgi_receiver.py   # a self-demo: the emulator streams a call to it
"""

import asyncio
import os
import secrets
import socket

import uvicorn
from signalwire_streams import media
from signalwire_streams.testing import Emulator, LocalTLS
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

BEARER_TOKEN = os.environ.get("MEDIA_BEARER_TOKEN") or secrets.token_urlsafe(24)


async def handle(session: media.Session) -> None:
    """One stream: read it to its end, then say what came."""
    await session.collect()
    print(
        f"stream {session.stream_sid} of call {session.call_sid}: {session.frames} frames, "
        f"parameters {session.custom_parameters}, ended by {session.end}",
        flush=True,
    )


app = Starlette(
    routes=[WebSocketRoute("/media", media.asgi_app(handle, bearer_token=BEARER_TOKEN))]
)


async def demo() -> None:
    """`app` under uvicorn on loopback, with a throwaway certificate; a call streams to it."""
    with LocalTLS() as tls, socket.create_server(("127.0.0.1", 0)) as listening:
        config = uvicorn.Config(app, ssl_keyfile=tls.key_file, ssl_certfile=tls.cert_file)
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve([listening]))
        url = f"wss://127.0.0.1:{listening.getsockname()[1]}/media"
        async with Emulator(ca_file=tls.ca_file) as emulator, emulator.async_client() as sw:
            call = emulator.add_call()
            parameters = {"customer": "42"}
            await sw.streams.create(
                call, url, parameters=parameters, authorization_bearer_token=BEARER_TOKEN
            )
            await asyncio.sleep(2)
            emulator.end_call(call)
        server.should_exit = True
        await serving


if __name__ == "__main__":
    asyncio.run(demo())
