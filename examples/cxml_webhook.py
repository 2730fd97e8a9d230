"""A voice webhook answering calls with `<Connect><Stream>`, and the stream's route beside it.

SignalWire requests `/incoming-call` (your number's "a call comes in" URL), signed with your
Signing Key (SIGNALWIRE_SIGNING_KEY); the cXML answer connects the call to `/media` here,
with MEDIA_BEARER_TOKEN (random if unset). Needs starlette and uvicorn. Run it with
`uvicorn examples.cxml_webhook:app --ssl-keyfile key.pem --ssl-certfile cert.pem`, or:

    python examples/cxml_webhook.py   # a self-demo: a call comes in from the emulator
"""

import asyncio
import os
import secrets
import socket
from urllib.parse import parse_qsl

import httpx
import uvicorn
from signalwire_streams import callbacks, cxml, media
from signalwire_streams.testing import Emulator, LocalTLS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

BEARER_TOKEN = os.environ.get("MEDIA_BEARER_TOKEN") or secrets.token_urlsafe(24)


async def incoming_call(request: Request) -> Response:
    body, url = await request.body(), str(request.url)
    signature = request.headers.get(callbacks.SIGNATURE_HEADER)
    if not callbacks.validate_webhook(os.environ["SIGNALWIRE_SIGNING_KEY"], signature, url, body):
        return Response(status_code=403)
    caller = dict(parse_qsl(body.decode(errors="replace"))).get("From", "")
    answer = cxml.connect_stream(
        f"wss://{request.url.netloc}/media",
        authorization_bearer_token=BEARER_TOKEN,
        parameters={"from": caller},
    )
    return Response(answer, media_type=cxml.CONTENT_TYPE)


async def listen(session: media.Session) -> None:
    await session.collect()
    caller = session.custom_parameters.get("from")
    print(f"call {session.call_sid} from {caller}: {session.frames} frames", flush=True)


app = Starlette(
    routes=[
        Route("/incoming-call", incoming_call, methods=["POST"]),
        WebSocketRoute("/media", media.asgi_app(listen, bearer_token=BEARER_TOKEN)),
    ]
)


async def demo() -> None:
    """`app` under uvicorn on loopback; the emulator plays SignalWire for one call."""
    with LocalTLS() as tls, socket.create_server(("127.0.0.1", 0)) as listening:
        config = uvicorn.Config(app, ssl_keyfile=tls.key_file, ssl_certfile=tls.cert_file)
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve([listening]))
        webhook = f"https://127.0.0.1:{listening.getsockname()[1]}/incoming-call"
        async with Emulator(ca_file=tls.ca_file) as emulator:
            os.environ.update(emulator.environment())  # SIGNALWIRE_SIGNING_KEY among them
            call = emulator.add_call()
            fields = {"CallSid": call, "From": "+15551230000"}  # SignalWire calls the webhook
            signature = callbacks.compute_signature(emulator.signing_key, webhook, fields)
            headers = {callbacks.SIGNATURE_HEADER: signature}
            async with httpx.AsyncClient(verify=tls.client_context()) as http:
                answer = await http.post(webhook, data=fields, headers=headers)
            emulator.answer(call, answer.text)  # and runs the cXML it answered
            await asyncio.sleep(2)
            emulator.end_call(call)
        server.should_exit = True
        await serving


if __name__ == "__main__":
    asyncio.run(demo())
