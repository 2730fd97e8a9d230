"""The demo's loop: the whole of it on one machine, over real TLS, offline.

The emulator plays SignalWire: it takes the REST create, opens a WebSocket to a local `wss://`
receiver (certificate made on the spot, bearer token checked), streams the call's audio on
both tracks at real-time pace and posts signed status callbacks. The receiver records the
audio to a WAV file as it arrives. Then a second call is answered with cXML's
`<Connect><Stream>` and a voice agent talks with the caller (`_demo_agent`).
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import parse_qsl

from .._client import AsyncClient
from .._errors import SignalWireError
from ..callbacks import SIGNATURE_HEADER, StatusCallback, parse_status_callback, validate_signature
from ..media import Session, serve
from ..testing import Emulator, LocalTLS
from ._demo_agent import AgentResult, agent_summary, run_agent, write_caller_audio

__all__ = ["DemoResult", "run_demo", "summary"]

PARAMETERS = {"customer": "42", "lang": "en-US"}
_FRAME_SECONDS = 0.02
_END_TIMEOUT = 5.0


@dataclass
class _Callbacks:
    """Status callbacks as the demo's receiver got them, each with its signature checked."""

    signing_key: str = field(repr=False)
    url: str = ""
    received: list[tuple[StatusCallback, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self, stream_sid: str | None = None) -> list[str]:
        """The events posted, of one stream or of all."""
        with self.lock:
            return [
                str(callback.event)
                for callback, _ in self.received
                if stream_sid in (None, callback.stream_sid)
            ]

    def all_signed(self) -> bool:
        with self.lock:
            return all(valid for _, valid in self.received)


@contextmanager
def _callback_receiver(context: ssl.SSLContext, callbacks: _Callbacks) -> Iterator[str]:
    """An https endpoint on loopback that checks and keeps status callbacks."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fields = parse_qsl(body.decode(), keep_blank_values=True)
            valid = validate_signature(
                callbacks.signing_key, callbacks.url, fields, self.headers.get(SIGNATURE_HEADER)
            )
            try:
                callback = parse_status_callback(fields)
            except SignalWireError:
                self.send_response(400)
            else:
                with callbacks.lock:
                    callbacks.received.append((callback, valid))
                self.send_response(204 if valid else 403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo prints its own summary."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    callbacks.url = f"https://127.0.0.1:{server.server_address[1]}/status"
    try:
        yield callbacks.url
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class DemoResult:
    """What the demo received, for its summary and for tests."""

    session: Session
    callbacks: list[str]
    callbacks_signed: bool
    wav: Path
    agent: AgentResult
    agent_wav: Path
    agent_callbacks: list[str]


async def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def _progress(session: Session) -> str:
    tracks = "  ".join(f"{t} {session.frames_on(t)} frames" for t in session.tracks)
    seconds = session.duration(session.tracks[0]) if session.tracks else 0.0
    return f"   receiving: {seconds:5.2f} s of audio  {tracks}  gaps {len(session.gaps)}"


async def run_demo(*, seconds: float, wav: Path, out: TextIO, utterances: int = 3) -> DemoResult:
    """Run the loop, printing each step to `out`; return what was received."""
    sessions: list[Session] = []

    async def receive(session: Session) -> None:
        sessions.append(session)
        session.record(wav)  # written as the audio arrives, finished when the stream ends
        await session.collect()

    bearer_token = secrets.token_urlsafe(24)
    wav.parent.mkdir(parents=True, exist_ok=True)
    agent_wav = wav.with_name(f"{wav.stem}-agent{wav.suffix or '.wav'}")
    with tempfile.TemporaryDirectory() as folder:
        caller = Path(folder) / "caller.wav"
        write_caller_audio(caller)
        with LocalTLS() as tls, Emulator(ca_file=tls.ca_file, audio=caller) as emulator:
            callbacks = _Callbacks(emulator.signing_key)
            with _callback_receiver(tls.server_context(), callbacks) as callback_url:
                async with serve(
                    receive, ssl=tls.server_context(), bearer_token=bearer_token
                ) as server:
                    call_sid = emulator.add_call()
                    url = f"{server.url}/media"
                    out.write(f"   emulator   {emulator.base_url}\n")
                    out.write(
                        f"   receiver   {url} (certificate made just now; bearer token required)\n"
                    )
                    out.write(f"   callbacks  {callback_url}\n   call       {call_sid}\n\n")
                    async with AsyncClient(
                        emulator.project_id, emulator.api_token, emulator.base_url
                    ) as client:
                        names = ", ".join(PARAMETERS)
                        out.write(f"1. Start a stream named 'demo' with parameters {names}\n")
                        created = await client.streams.create(
                            call_sid,
                            url,
                            name="demo",
                            track="both_tracks",
                            status_callback=callback_url,
                            parameters=PARAMETERS,
                            authorization_bearer_token=bearer_token,
                        )
                        out.write(f"   {created.sid} {created.status}\n\n")
                        out.write(f"2. Receive {seconds:g} s of audio\n")
                        await _receive(sessions, seconds, out)
                        out.write("3. Stop it by name\n")
                        stopped = await client.streams.stop(call_sid, "demo")
                        out.write(f"   {stopped.sid} {stopped.status}\n\n")
                    session = sessions[0]
                    if not await _wait_for(lambda: session.ended, _END_TIMEOUT):
                        raise SignalWireError("the stream did not end after it was stopped")
                    out.write(f"4. Wrote {wav}\n\n")
                agent = await run_agent(
                    emulator,
                    tls.server_context(),
                    bearer_token=bearer_token,
                    status_callback=callback_url,
                    wav=agent_wav,
                    utterances=utterances,
                    out=out,
                )
                await _wait_for(
                    lambda: callbacks.events().count("stream-stopped") >= 2, _END_TIMEOUT
                )
    return DemoResult(
        session,
        callbacks.events(session.stream_sid),
        callbacks.all_signed(),
        wav,
        agent,
        agent_wav,
        callbacks.events(agent.session.stream_sid),
    )


async def _receive(sessions: list[Session], seconds: float, out: TextIO) -> None:
    """Wait until `seconds` of audio arrived on the first track, showing progress."""
    if not await _wait_for(lambda: bool(sessions) and bool(sessions[0].tracks), _END_TIMEOUT):
        raise SignalWireError("no media arrived at the receiver")
    session = sessions[0]
    wanted = round(seconds / _FRAME_SECONDS)
    live = out.isatty()
    shown = -1.0
    while session.frames_on(session.tracks[0]) < wanted and not session.ended:
        if live:
            out.write("\r" + _progress(session))
            out.flush()
        elif time.monotonic() - shown >= 1.0:
            shown = time.monotonic()
            out.write(_progress(session) + "\n")
        await asyncio.sleep(0.05)
    out.write(("\r" if live else "") + _progress(session) + "\n\n")


def summary(result: DemoResult) -> str:
    """The closing lines of the demo."""
    session = result.session
    fmt = session.media_format
    per_track = ", ".join(f"{t} {session.frames_on(t)}" for t in session.tracks)
    seconds = ", ".join(f"{t} {session.duration(t):.2f} s" for t in session.tracks)
    parameters = ", ".join(f"{k}={v}" for k, v in session.custom_parameters.items())
    signed = "all signatures valid" if result.callbacks_signed else "BAD SIGNATURES"
    return (
        agent_summary(result.agent, result.agent_wav)
        + f"   callbacks   {', '.join(result.agent_callbacks) or 'none'}\n\n"
        "Summary of the REST stream\n"
        f"   wrote       {result.wav} ({len(session.tracks)} channels: "
        f"{', '.join(session.tracks)}; {fmt.sample_rate} Hz)\n"
        f"   frames      {session.frames} ({per_track})\n"
        f"   audio       {seconds}\n"
        f"   gaps        {len(session.gaps)}\n"
        f"   parameters  {parameters or 'none'}\n"
        f"   callbacks   {', '.join(result.callbacks) or 'none'} ({signed})\n"
        f"   ended by    {session.end}\n"
    )
