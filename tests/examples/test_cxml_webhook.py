"""examples/cxml_webhook.py under a real uvicorn: SignalWire's request for an incoming call,
signed, is answered with `<Connect><Stream>` to the app's own media route; the emulator
runs that answer and the call's audio reaches the route. Unsigned requests get 403."""

from __future__ import annotations

import httpx
from signalwire_streams import callbacks, cxml
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.paths import ROOT
from tests.helpers.receivers import SPEED, TOKEN, eventually
from tests.helpers.uvicorn import Uvicorn

SIGNING_KEY = "signing-key-for-the-example"
CALLER = "+15550001111"


async def test_an_incoming_call_is_answered_and_streamed_to_the_app(tls: LocalTLS) -> None:
    env = {"SIGNALWIRE_SIGNING_KEY": SIGNING_KEY, "MEDIA_BEARER_TOKEN": TOKEN}
    app = Uvicorn("examples.cxml_webhook:app", tls, cwd=ROOT, env=env)
    webhook = f"{app.https_url}/incoming-call"
    try:
        async with Emulator(ca_file=tls.ca_file, speed=SPEED, signing_key=SIGNING_KEY) as emulator:
            call = emulator.add_call()
            fields = {
                "AccountSid": emulator.project_id,
                "CallSid": call,
                "From": CALLER,
                "To": "+15550002222",
                "CallStatus": "ringing",
                "Direction": "inbound",
            }
            signature = callbacks.compute_signature(SIGNING_KEY, webhook, fields)
            async with httpx.AsyncClient(verify=tls.client_context()) as http:
                unsigned = await http.post(webhook, data=fields)
                answer = await http.post(
                    webhook, data=fields, headers={callbacks.SIGNATURE_HEADER: signature}
                )
            (stream,) = emulator.answer(call, answer.text)
            await eventually(lambda: emulator.media(stream.sid).frames_sent >= 40, timeout=30)
            emulator.end_call(call)
            await eventually(lambda: emulator.media(stream.sid).close_code is not None, timeout=30)
            status = emulator.media(stream.sid)
    finally:
        printed, errors = app.stop()
    assert unsigned.status_code == 403
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(cxml.CONTENT_TYPE)
    assert "<Connect><Stream" in answer.text
    assert stream.url == f"{app.url}/media" and stream.parameters == {"from": CALLER}
    assert status.bidirectional and status.end == "stop" and status.close_code == 1000
    inbound_only = status.frames_sent  # a <Connect><Stream> carries the caller's track
    assert printed.splitlines() == [f"call {call} from {CALLER}: {inbound_only} frames"]
    assert "Traceback" not in errors
