"""examples/asgi_receiver.py under a real uvicorn, as its docstring runs it: the emulator
streams calls to it; one without the bearer token is refused."""

from __future__ import annotations

from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.paths import ROOT
from tests.helpers.receivers import SPEED, TOKEN, client_for, eventually
from tests.helpers.uvicorn import Uvicorn


async def test_streams_reach_the_app_with_the_token_only(tls: LocalTLS) -> None:
    app = Uvicorn("examples.asgi_receiver:app", tls, cwd=ROOT, env={"MEDIA_BEARER_TOKEN": TOKEN})
    try:
        async with (
            Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
            client_for(emulator) as sw,
        ):
            call, other = emulator.add_call(), emulator.add_call()
            url = f"{app.url}/media"
            stream = await sw.streams.create(
                call, url, parameters={"customer": "42"}, authorization_bearer_token=TOKEN
            )
            refused = await sw.streams.create(other, url, authorization_bearer_token="wrong")
            await eventually(lambda: emulator.media(stream.sid).frames_sent >= 40, timeout=30)
            await sw.streams.stop(call, stream.sid)
            await eventually(lambda: emulator.media(stream.sid).close_code is not None, timeout=30)
            sent = emulator.media(stream.sid)
            failed = emulator.media(refused.sid)
    finally:
        printed, errors = app.stop()
    assert sent.end == "stop" and sent.close_code == 1000
    assert not failed.connected and failed.error == "connection_refused"  # 401
    both_tracks = 2 * sent.frames_sent
    assert printed.splitlines() == [
        f"stream {stream.sid} of call {call}: {both_tracks} frames, "
        "parameters {'customer': '42'}, ended by stop"
    ]
    assert "Traceback" not in errors
