"""The media-streaming engine: it streams to each stream's `Url` as SignalWire does.

One asyncio loop in a daemon thread runs every stream: it opens the WebSocket (sending
`Authorization: Bearer` when a token was given), sends `connected`, `start` and `media` frames
of 20 ms at real-time pace (or faster, by `speed`), DTMF on request, and `stop` when the stream
is stopped or the call ends. The audio comes from `_audio`, misbehaviour on request from
`_hostile`, and status callbacks go out through `_callbacks`. What the receiver sends back is
read on every stream and, on a bidirectional one, played by `_playback`; this loop is the
stream's one writer, so the `mark` echoes go out between its ticks, in sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import logging
import os
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from os import PathLike
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .._errors import ValidationError
from ._audio import AudioSource, Wav, media_format
from ._callbacks import SentCallback, StatusCallbacks
from ._errors import EmulatorError
from ._events import EventLog
from ._hostile import MEDIA_FAULTS, MediaFault, Mischief
from ._models import StreamPlan
from ._playback import Playback
from ._vocabulary import (
    DEFAULT_TRACK,
    FRAME_SECONDS,
    PROTOCOL,
    WIRE_TRACKS,
    StreamError,
    StreamEvent,
)

__all__ = ["MediaEngine", "MediaStatus"]

_CONNECT_TIMEOUT = 10.0
_CLOSE_GRACE = 2.0
_CALLBACK_GRACE = 5.0
_USER_AGENT = "signalwire-streams-emulator"
_REDACTED = "[secure]"

End = Literal["stop", "dropped", "receiver-closed", "error"]


@dataclass(frozen=True)
class MediaStatus:
    """What the emulator's WebSocket for one stream has done so far (a snapshot)."""

    stream_sid: str
    connected: bool
    frames_sent: int
    end: End | None
    error: str | None
    bytes_sent: int = 0
    """Bytes of WebSocket message payload written, faults included (not headers or TLS)."""
    close_code: int | None = None
    """The receiver's close code (1006 if none came), once closed; None if the emulator cut it."""
    # What the receiver sent back, as `_playback` counts it: on a bidirectional stream (from
    # `connect_stream`) the audio played, marks echoed, clears, digits, audio flushed unplayed
    # and messages over the bounds; on any stream, messages the service ignores.
    bidirectional: bool = False
    bytes_heard: int = 0
    marks_echoed: int = 0
    clears: int = 0
    dtmf_received: str = ""
    bytes_cleared: int = 0
    messages_dropped: int = 0
    messages_ignored: int = 0


class _Redacting(logging.LoggerAdapter[logging.Logger]):
    """websockets' `logger=`: it logs each handshake header at DEBUG as `("> %s: %s", name,
    value)`; the value of an Authorization header (the bearer token) is hidden."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if len(args) == 2 and str(args[0]).lower() in ("authorization", "proxy-authorization"):
            args = (args[0], _REDACTED)
        super().log(level, msg, *args, **kwargs)


def _media_message(sequence: Iterator[int], track: str, number: int, frames: list[str]) -> str:
    """The `media` message of tick `number` (from 0) on one track."""
    return (
        f'{{"event":"media","sequenceNumber":"{next(sequence)}","media":'
        f'{{"track":"{track}","chunk":"{number + 1}",'
        f'"timestamp":"{round(number * FRAME_SECONDS * 1000)}",'
        f'"payload":"{frames[number % len(frames)]}"}}}}'
    )


def _stream_error(error: BaseException) -> StreamError:
    """The `StreamError` SignalWire documents that best fits a failed connection."""
    if isinstance(error, ssl.SSLError | ssl.CertificateError | TimeoutError):
        return "connection_refused_timeout_or_ssl_error"
    if isinstance(error, OSError | InvalidHandshake):
        return "connection_refused"
    return "general_error"


def _refusal(error: BaseException) -> str:
    """Why a WebSocket could not be opened, in the words a user would check."""
    if isinstance(error, InvalidStatus):
        status = error.response.status_code
        if status in (401, 403):
            return f"the receiver answered {status}: it refused the bearer token"
        return f"the receiver answered HTTP {status}, not a WebSocket upgrade"
    if isinstance(error, ssl.SSLCertVerificationError):
        why = error.verify_message or error.reason
        return f"TLS: the certificate is not trusted: {why} (see --ca-file / ca_file)"
    if isinstance(error, ssl.SSLError):
        return f"TLS: {error.reason or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused: is the receiver running, on that port?"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__


def _how_it_closed(live: _Live) -> str:
    code = f" (close code {live.close_code})" if live.close_code is not None else ""
    if live.end == "dropped":
        return "dropped by the emulator: no stop, no close frame"
    if live.end == "receiver-closed":
        return f"closed by the receiver{code}"
    return f"stop sent, connection closed{code}"


class _Live:
    """One stream's state inside the engine loop."""

    def __init__(self, plan: StreamPlan, bidirectional: bool, speed: float) -> None:
        self.plan = plan
        self.encoding, self.sample_rate = media_format(plan.codec)
        self.playback = Playback(
            plan.stream_sid, bidirectional, self.encoding, self.sample_rate, speed
        )
        self.sequence = itertools.count(1)
        self.connected = False
        self.frames_sent = 0
        self.bytes_sent = 0
        self.end: End | None = None
        self.error: StreamError | None = None
        self.close_code: int | None = None
        self.stop_requested = False
        self.drop_requested = False
        self.dtmf: deque[tuple[str, int]] = deque()
        self.mischief = Mischief()
        self.task: asyncio.Task[None] | None = None
        self.callbacks: asyncio.Task[None] | None = None

    def count(self, sent: int) -> None:
        self.bytes_sent += sent

    def status(self) -> MediaStatus:
        return MediaStatus(
            self.plan.stream_sid,
            self.connected,
            self.frames_sent,
            self.end,
            self.error,
            self.bytes_sent,
            self.close_code,
            **self.playback.counts(),
        )


class MediaEngine:
    """Runs every stream's WebSocket and status callbacks on one loop in a daemon thread.

    Its public methods are called from the emulator's threads; the loop starts on first use.
    """

    def __init__(
        self,
        *,
        signing_key: str,
        ca_file: str | PathLike[str] | None,
        verify_tls: bool,
        speed: float,
        audio: Wav | None,
        events: EventLog,
    ) -> None:
        self.events = events
        self.ended: Callable[[str], object] = lambda stream_sid: None  # the service's hook
        self._ca_file = ca_file
        self._verify_tls = verify_tls
        self._ssl_context: ssl.SSLContext | None = None
        self._speed = speed
        self._audio = AudioSource(audio)
        self._callbacks = StatusCallbacks(signing_key, lambda: self._ssl, self._posted)
        self._streams: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # Called from the emulator's threads

    def begin(self, plan: StreamPlan, *, bidirectional: bool = False) -> None:
        """Start streaming for a newly created stream (`<Connect><Stream>`: bidirectional)."""
        live = _Live(plan, bidirectional, self._speed)
        with self._lock:
            self._streams[plan.stream_sid] = live
        self._call(self._launch, live)

    def end(self, stream_sid: str) -> None:
        """The stream was stopped or its call ended: send `stop` and close."""
        live = self._streams.get(stream_sid)
        if live is not None:
            live.stop_requested = True

    def drop(self, stream_sid: str) -> None:
        """Cut the connection with no `stop` and no close frame, as SignalWire sometimes does."""
        self._live(stream_sid).drop_requested = True

    def inject(self, stream_sid: str, fault: MediaFault) -> None:
        """Misbehave on a stream's WebSocket at its next tick: one of MEDIA_FAULTS."""
        if fault not in MEDIA_FAULTS:
            raise ValidationError(
                "fault", f"must be one of {', '.join(MEDIA_FAULTS)}, not {fault!r}"
            )
        live = self._live(stream_sid)
        self._call(live.mischief.pending.append, fault)

    def send_dtmf(self, stream_sid: str, digit: str, duration: int) -> None:
        live = self._streams.get(stream_sid)
        if live is not None:
            self._call(live.dtmf.append, (digit, duration))

    def status(self, stream_sid: str) -> MediaStatus:
        return self._live(stream_sid).status()

    def heard(self, stream_sid: str) -> bytes:
        return self._live(stream_sid).playback.heard()

    @property
    def callbacks(self) -> list[SentCallback]:
        return self._callbacks.sent

    def close(self) -> None:
        """End every stream (sending `stop`), wait briefly for them, then stop the loop."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout=_CLOSE_GRACE + _CALLBACK_GRACE + 1)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        self._loop = self._thread = None

    def _live(self, stream_sid: str) -> _Live:
        live = self._streams.get(stream_sid)
        if live is None:
            raise EmulatorError(f"no stream {stream_sid!r}")
        return live

    def _call(self, function: Callable[..., object], *args: object) -> None:
        self._ensure_loop().call_soon_threadsafe(function, *args)

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                ready = threading.Event()
                loop = asyncio.new_event_loop()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()
                    loop.close()

                self._thread = threading.Thread(
                    target=run, name="signalwire-streams-emulator-media", daemon=True
                )
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    # On the engine loop

    @property
    def _ssl(self) -> ssl.SSLContext:
        """Made on first use: loading the system's CAs costs milliseconds per emulator."""
        if self._ssl_context is None:
            cafile = None if self._ca_file is None else os.fspath(self._ca_file)
            context = ssl.create_default_context(cafile=cafile)
            if not self._verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._ssl_context = context
        return self._ssl_context

    async def _shutdown(self) -> None:
        """Streams that are connected get to send `stop` and close; the rest are cancelled.

        Waiting on a connection attempt or a callback that is still resolving a name could
        hold every test's teardown; nothing that has not reached its peer is owed a goodbye.
        """
        live_streams = list(self._streams.values())
        for live in live_streams:
            live.stop_requested = True
        streaming = [live.task for live in live_streams if live.task and live.connected]
        for live in live_streams:
            if live.task is not None and not live.connected:
                live.task.cancel()
        if streaming:
            await asyncio.wait(streaming, timeout=_CLOSE_GRACE)
        callbacks = [live.callbacks for live in live_streams if live.callbacks is not None]
        if callbacks:
            await asyncio.wait(callbacks, timeout=_CLOSE_GRACE / 4)
        pending = [t for live in live_streams for t in (live.task, live.callbacks) if t]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self._callbacks.aclose()

    def _launch(self, live: _Live) -> None:
        live.task = asyncio.get_running_loop().create_task(self._run(live))

    def _callback(self, live: _Live, event: StreamEvent, error: StreamError | None = None) -> None:
        live.callbacks = self._callbacks.post(live.plan, event, error, after=live.callbacks)

    async def _run(self, live: _Live) -> None:
        plan = live.plan
        headers = (
            {} if plan.bearer_token is None else {"Authorization": f"Bearer {plan.bearer_token}"}
        )
        try:
            connection = await connect(
                plan.url,
                ssl=self._ssl,
                additional_headers=headers,
                user_agent_header=_USER_AGENT,
                open_timeout=_CONNECT_TIMEOUT,
                compression=None,
                logger=_Redacting(logging.getLogger("websockets.client")),
            )
        except Exception as error:
            live.end, live.error = "error", _stream_error(error)
            self.events.emit("refused", plan.stream_sid, f"{plan.url}: {_refusal(error)}")
            self.ended(plan.stream_sid)
            self._callback(live, "stream-error", live.error)
            return
        live.connected = True
        self.events.emit("connected", plan.stream_sid, plan.url)
        self._callback(live, "stream-started")
        live.playback.attend(connection)
        try:
            await self._send(connection, live)
        except ConnectionClosed:
            live.end = "receiver-closed"
        finally:
            if live.drop_requested:
                live.end = "dropped"
                connection.transport.abort()
            else:
                try:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), _CLOSE_GRACE)
                finally:
                    # Never leave a socket open for the peer to wait on (a no-op once closed).
                    connection.transport.abort()
                    live.close_code = connection.close_code
            await live.playback.leave()
        self.events.emit("closed", plan.stream_sid, _how_it_closed(live))
        self.ended(plan.stream_sid)
        self._callback(live, "stream-stopped")

    def _posted(self, sent: SentCallback) -> None:
        answer = f"answered {sent.status}" if sent.status is not None else f"failed: {sent.failure}"
        where = sent.url.partition("?")[0]
        event = sent.fields.get("StreamEvent", "?")
        self.events.emit(
            "callback",
            sent.fields.get("StreamSid", "?"),
            f"{event} {sent.method} {where}: {answer}",
        )

    async def _send(self, connection: ClientConnection, live: _Live) -> None:
        plan = live.plan
        encoding, sample_rate = live.encoding, live.sample_rate
        tracks = WIRE_TRACKS.get(plan.track, WIRE_TRACKS[DEFAULT_TRACK])
        sequence = live.sequence
        start: dict[str, object] = {
            "streamSid": plan.stream_sid,
            "accountSid": plan.account_sid,
            "conferenceSid" if plan.conference else "callSid": plan.parent_sid,
            "tracks": list(tracks),
        }
        if plan.parameters:
            start["customParameters"] = plan.parameters
        start["mediaFormat"] = {"encoding": encoding, "sampleRate": sample_rate, "channels": 1}
        protocol, version = PROTOCOL
        await connection.send(
            f'{{"event":"connected","protocol":"{protocol}","version":"{version}"}}'
        )
        await connection.send(
            json.dumps({"event": "start", "sequenceNumber": str(next(sequence)), "start": start})
        )
        sources = {track: self._audio.frames(encoding, sample_rate, track) for track in tracks}
        first_track, first_frames = next(iter(sources.items()))
        loop = asyncio.get_running_loop()
        began = loop.time()
        for number in itertools.count():
            if live.stop_requested or live.drop_requested:
                break
            await self._between_ticks(connection, live)
            for track, frames in sources.items():
                message = _media_message(sequence, track, number, frames)
                await connection.send(message)
                live.bytes_sent += len(message)
            live.frames_sent += 1
            # For "cut-mid-frame": half of the next tick's frame on the first track.
            following = functools.partial(
                _media_message, sequence, first_track, number + 1, first_frames
            )
            if await live.mischief.after_tick(connection, following, live.count):
                live.drop_requested = True  # _run aborts the connection: "dropped"
                return
            if live.mischief.flood:
                await asyncio.sleep(0)  # let the loop's other streams and callbacks run
                continue
            while await live.playback.rest(began + (number + 1) * FRAME_SECONDS / self._speed):
                await self._between_ticks(connection, live)
        if live.stop_requested and not live.drop_requested:
            await connection.send(
                json.dumps({"event": "stop", "sequenceNumber": str(next(sequence))})
            )
            live.end = "stop"

    async def _between_ticks(self, connection: ClientConnection, live: _Live) -> None:
        """Send what is due between two ticks: the DTMF of `send_dtmf`, and mark echoes."""
        sid, sequence = live.plan.stream_sid, live.sequence
        while live.dtmf:
            digit, duration = live.dtmf.popleft()
            dtmf = {"duration": duration, "digit": digit}
            number = str(next(sequence))
            await connection.send(
                json.dumps(
                    {"event": "dtmf", "streamSid": sid, "sequenceNumber": number, "dtmf": dtmf}
                )
            )
        while (echo := live.playback.next_echo(sequence)) is not None:
            await connection.send(echo)
            live.playback.marks_echoed += 1
