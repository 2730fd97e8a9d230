r"""A status-callback endpoint: it checks each callback's signature, then reads it.

SignalWire sends `stream-started`, `stream-stopped` and `stream-error` to a stream's
`status_callback`, signed with your Signing Key (SIGNALWIRE_SIGNING_KEY); what it did not
sign is refused with 403. Behind a proxy, `request.url` must still be the URL SignalWire
requested: pass the Host header on, run uvicorn with --proxy-headers. Needs starlette, uvicorn.

    SIGNALWIRE_SIGNING_KEY=… uvicorn examples.status_callbacks:app --ssl-keyfile key.pem \
        --ssl-certfile cert.pem
    python examples/status_callbacks.py   # a self-demo: the emulator sends it callbacks
"""

import asyncio
import os
import socket
from urllib.parse import parse_qsl

import uvicorn
from signalwire_streams import callbacks, media
from signalwire_streams.testing import Emulator, LocalTLS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def status(request: Request) -> Response:
    body, url = await request.body(), str(request.url)
    signature = request.headers.get(callbacks.SIGNATURE_HEADER)
    if not callbacks.validate_webhook(os.environ["SIGNALWIRE_SIGNING_KEY"], signature, url, body):
        return Response(status_code=403)
    fields = parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
    event = callbacks.parse_status_callback(fields or request.query_params.multi_items())
    error = "" if event.error is None else f" ({event.error})"
    print(f"{event.event}: stream {event.stream_sid} of call {event.call_sid}{error}", flush=True)
    return Response(status_code=204)


app = Starlette(routes=[Route("/status", status, methods=["GET", "POST"])])


async def demo() -> None:
    """`app` under uvicorn on loopback; a stream that works, and one that cannot connect."""
    with LocalTLS() as tls, socket.create_server(("127.0.0.1", 0)) as listening:
        config = uvicorn.Config(app, ssl_keyfile=tls.key_file, ssl_certfile=tls.cert_file)
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve([listening]))
        callback = f"https://127.0.0.1:{listening.getsockname()[1]}/status"
        async with (
            media.serve(media.Session.collect, ssl=tls.server_context()) as receiver,
            Emulator(ca_file=tls.ca_file) as emulator,
            emulator.async_client() as sw,
        ):
            os.environ.update(emulator.environment())  # SIGNALWIRE_SIGNING_KEY among them
            for url in (f"{receiver.url}/media", "wss://127.0.0.1:9/nothing-listens-here"):
                call = emulator.add_call()
                await sw.streams.create(call, url, status_callback=callback)
                await asyncio.sleep(1)
                emulator.end_call(call)
        server.should_exit = True
        await serving


if __name__ == "__main__":
    asyncio.run(demo())
