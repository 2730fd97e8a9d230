"""examples/status_callbacks.py under a real uvicorn: the emulator's signed callbacks, POST
and GET, are read and answered 204; anything SignalWire did not sign is refused with 403."""

from __future__ import annotations

import httpx
from signalwire_streams import media
from signalwire_streams.callbacks import SIGNATURE_HEADER, compute_signature
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.paths import ROOT
from tests.helpers.receivers import SPEED, client_for, eventually
from tests.helpers.uvicorn import Uvicorn, free_port

SIGNING_KEY = "signing-key-for-the-example"


async def test_signed_callbacks_are_read_and_others_refused(tls: LocalTLS) -> None:
    app = Uvicorn(
        "examples.status_callbacks:app", tls, cwd=ROOT, env={"SIGNALWIRE_SIGNING_KEY": SIGNING_KEY}
    )
    status_url = f"{app.https_url}/status"
    try:
        async with (
            media.serve(media.Session.collect, ssl=tls.server_context()) as receiver,
            Emulator(ca_file=tls.ca_file, speed=SPEED, signing_key=SIGNING_KEY) as emulator,
            client_for(emulator) as sw,
        ):
            calls = [emulator.add_call() for _ in range(3)]
            posted, got = [
                await sw.streams.create(
                    call,
                    f"{receiver.url}/media",
                    status_callback=status_url,
                    status_callback_method=method,
                )
                for call, method in zip(calls, ("POST", "GET"), strict=False)
            ]
            nowhere = f"wss://127.0.0.1:{free_port()}/media"  # nothing listens: stream-error
            failed = await sw.streams.create(calls[2], nowhere, status_callback=status_url)
            await eventually(lambda: len(emulator.callbacks) == 3, timeout=30)
            for call, stream in zip(calls, (posted, got), strict=False):
                await sw.streams.stop(call, stream.sid)
            await eventually(lambda: len(emulator.callbacks) == 5, timeout=30)
            sent = emulator.callbacks
        started = next(c.fields for c in sent if c.fields["StreamSid"] == posted.sid)
        replayed = _replays(started, status_url, tls)
    finally:
        printed, errors = app.stop()
    assert [callback.status for callback in sent] == [204] * 5
    assert {callback.method for callback in sent} == {"POST", "GET"}
    assert replayed == [204, 403, 403, 403, 403]
    expected = [
        f"stream-started: stream {posted.sid} of call {calls[0]}",
        f"stream-started: stream {got.sid} of call {calls[1]}",
        f"stream-error: stream {failed.sid} of call {calls[2]} (connection_refused)",
        f"stream-stopped: stream {posted.sid} of call {calls[0]}",
        f"stream-stopped: stream {got.sid} of call {calls[1]}",
    ]
    expected.append(expected[0])  # the callback replayed as it was signed
    assert sorted(printed.splitlines()) == sorted(expected)  # nothing printed for a forgery
    assert "Traceback" not in errors


def _replays(fields: dict[str, str], url: str, tls: LocalTLS) -> list[int]:
    """The statuses answered to a callback sent again: as signed, then with no signature,
    a wrong one (POST and GET), and the right one over a changed field."""
    signature = compute_signature(SIGNING_KEY, url, fields)
    wrong = {SIGNATURE_HEADER: "d3Jvbmc="}
    with httpx.Client(verify=tls.client_context()) as http:
        return [
            http.post(url, data=fields, headers={SIGNATURE_HEADER: signature}).status_code,
            http.post(url, data=fields).status_code,
            http.post(url, data=fields, headers=wrong).status_code,
            http.get(url, params=fields, headers=wrong).status_code,
            http.post(
                url,
                data={**fields, "StreamEvent": "stream-error"},
                headers={SIGNATURE_HEADER: signature},
            ).status_code,
        ]
