"""`media.asgi_app` under a real uvicorn, in a subprocess, over TLS, with two workers.

The emulator streams to it as SignalWire would; each worker's handler writes one line per
stream (its process id, what the session received) to a results folder and records a WAV.
Also: the upgrade's checks (401 before accepting, through uvicorn's denial response), a
plain HTTP request (426), and the app inside a Starlette route.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import wave
from pathlib import Path

import httpx
import pytest
import websockets
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.receivers import SPEED, TOKEN, client_for, eventually
from tests.helpers.uvicorn import Uvicorn

ROOT = Path(__file__).resolve().parents[2]

APP = """
import json, os
from pathlib import Path
from signalwire_streams import media

RESULTS = Path(os.environ["RESULTS"])

async def handle(session: media.Session) -> None:
    await session.collect()
    line = {"pid": os.getpid(), "sid": session.stream_sid, "frames": session.frames,
            "end": session.end, "parameters": session.custom_parameters,
            "path": session.path}
    part = RESULTS / f"{session.stream_sid}.part"  # then renamed: never read half-written
    part.write_text(json.dumps(line))
    part.replace(part.with_suffix(".json"))

streams = media.asgi_app(handle, bearer_token=os.environ["TOKEN"],
                         record_dir=os.environ["RECORDINGS"])

async def app(scope, receive, send):
    # The streams, and GET /pid: which worker answered (for the test to wait for both).
    if scope["type"] == "http" and scope["path"] == "/pid":
        body = str(os.getpid()).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return
    await streams(scope, receive, send)
"""

ROUTE = """
import json, os
from pathlib import Path
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from signalwire_streams import media

RESULTS = Path(os.environ["RESULTS"])

async def handle(session: media.Session) -> None:
    await session.collect()
    line = {"pid": os.getpid(), "sid": session.stream_sid, "frames": session.frames,
            "end": session.end, "parameters": session.custom_parameters, "path": session.path}
    part = RESULTS / f"{session.stream_sid}.part"  # then renamed: never read half-written
    part.write_text(json.dumps(line))
    part.replace(part.with_suffix(".json"))

streams = media.asgi_app(handle, bearer_token=os.environ["TOKEN"])

async def media_route(websocket: WebSocket) -> None:
    await streams(websocket.scope, websocket.receive, websocket.send)

app = Starlette(routes=[WebSocketRoute("/calls/media", media_route)])
"""


class AppServer(Uvicorn):
    """`source` written as media_app.py in `folder` and served; each stream's line goes to
    the results folder, its WAV to the recordings folder."""

    def __init__(self, folder: Path, tls: LocalTLS, source: str, workers: int) -> None:
        self.results = folder / "results"
        self.recordings = folder / "recordings"
        self.results.mkdir()
        self.recordings.mkdir()
        (folder / "media_app.py").write_text(textwrap.dedent(source))
        env = {
            "PYTHONPATH": str(folder),
            "RESULTS": str(self.results),
            "RECORDINGS": str(self.recordings),
            "TOKEN": TOKEN,
        }
        super().__init__("media_app:app", tls, cwd=folder, env=env, workers=workers)

    def lines(self) -> list[dict[str, object]]:
        return [json.loads(path.read_text()) for path in self.results.glob("*.json")]


async def _stream_calls(emulator: Emulator, url: str, count: int) -> list[str]:
    """Start `count` calls' streams at once, let them run, stop them; their sids."""
    calls = [emulator.add_call() for _ in range(count)]
    async with client_for(emulator) as sw:
        streams = await asyncio.gather(
            *(
                sw.streams.create(
                    call,
                    url,
                    authorization_bearer_token=TOKEN,
                    parameters={"call": call, "probe": "a&b=c"},
                )
                for call in calls
            )
        )
        await eventually(
            lambda: all(emulator.media(s.sid).frames_sent >= 40 for s in streams), timeout=30
        )
        await asyncio.gather(
            *(sw.streams.stop(c, s.sid) for c, s in zip(calls, streams, strict=True))
        )
    return [s.sid for s in streams]


async def test_two_workers_serve_streams_and_share_them(tls: LocalTLS, tmp_path: Path) -> None:
    server = AppServer(tmp_path, tls, APP, workers=2)
    try:
        # uvicorn answers once its first worker is up: wait for the second one too.
        answered: set[str] = set()
        for _ in range(300):
            async with httpx.AsyncClient(verify=tls.client_context()) as fresh:
                answered.add((await fresh.get(f"{server.https_url}/pid")).text)
            if len(answered) == 2:
                break
            await asyncio.sleep(0.05)
        assert len(answered) == 2, "the second worker never answered"
        async with Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
            sids = await _stream_calls(emulator, f"{server.url}/media", 16)
            await eventually(lambda: len(server.lines()) == len(sids), timeout=30)
            sent = {sid: emulator.media(sid).frames_sent for sid in sids}
    finally:
        _, errors = server.stop()
    lines = {line["sid"]: line for line in server.lines()}
    assert set(lines) == set(sids)
    for sid, line in lines.items():  # both tracks: a frame on each for every tick sent
        assert line["end"] == "stop" and line["frames"] == 2 * sent[sid]
        assert line["path"] == "/media" and line["parameters"]["probe"] == "a&b=c"
        with wave.open(str(server.recordings / f"{sid}.wav")) as wav:
            assert wav.getnchannels() == 2 and wav.getnframes() == sent[sid] * 160
    pids = {line["pid"] for line in lines.values()}
    shares = [sum(1 for line in lines.values() if line["pid"] == pid) for pid in pids]
    print(f"\nstreams per worker: {shares}")
    assert len(pids) == 2, "the streams did not spread over both workers"
    assert "Traceback" not in errors


async def test_the_upgrade_is_checked_before_accepting(tls: LocalTLS, tmp_path: Path) -> None:
    server = AppServer(tmp_path, tls, APP, workers=1)
    try:
        for headers, status in (({}, 401), ({"Authorization": "Bearer wrong"}, 401)):
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(
                    f"{server.url}/media", ssl=tls.client_context(), additional_headers=headers
                ):
                    pass
            assert refused.value.response.status_code == status
            assert refused.value.response.headers["WWW-Authenticate"] == "Bearer"
        answer = httpx.get(f"https://127.0.0.1:{server.port}/media", verify=tls.client_context())
        assert answer.status_code == 426
    finally:
        _, errors = server.stop()
    assert server.lines() == [] and "Traceback" not in errors


async def test_a_starlette_route_hands_its_websocket_over(tls: LocalTLS, tmp_path: Path) -> None:
    server = AppServer(tmp_path, tls, ROUTE, workers=1)
    try:
        async with Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
            sids = await _stream_calls(emulator, f"{server.url}/calls/media", 3)
            await eventually(lambda: len(server.lines()) == len(sids), timeout=30)
            sent = {sid: emulator.media(sid).frames_sent for sid in sids}
    finally:
        _, errors = server.stop()
    for line in server.lines():
        assert line["end"] == "stop" and line["frames"] == 2 * sent[str(line["sid"])]
        assert line["path"] == "/calls/media"
    assert "Traceback" not in errors
