"""The emulator's media side: it streams to each stream's `Url` as SignalWire does.

One asyncio loop in a daemon thread runs every stream: it opens the WebSocket (sending
`Authorization: Bearer` when a token was given), sends `connected`, `start` and `media` frames
of 20 ms at real-time pace (or faster, by `speed`), DTMF on request, and `stop` when the stream
is stopped or the call ends. Status callbacks are posted, signed, in order per stream.

It can also misbehave on request (`inject`), as a broken or hostile peer would: frames that
are not events, a text frame that is not UTF-8, a frame cut off by the connection dropping,
a frame of 10 MiB, and frames sent as fast as the receiver takes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import ssl
import struct
import sys
import threading
import wave
from array import array
from base64 import b64encode
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from typing import Literal
from urllib.parse import urlencode

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.utils import apply_mask

from ..callbacks import SIGNATURE_HEADER, compute_signature
from ..media._audio import encode_alaw, encode_mulaw
from ..media._events import ALAW, L16, MULAW
from ..media._server import redacting_logger

__all__ = ["MEDIA_FAULTS", "MediaEngine", "MediaFault", "MediaStatus", "SentCallback", "load_wav"]

FRAME_SECONDS = 0.02
_CONNECT_TIMEOUT = 10.0
_CALLBACK_TIMEOUT = 5.0
_CLOSE_GRACE = 2.0
_USER_AGENT = "signalwire-streams-emulator"
_CODEC_FORMATS: dict[str, tuple[str, int]] = {
    "PCMU": (MULAW, 8000),
    "PCMA": (ALAW, 8000),
    "L16": (L16, 8000),
    "L16@16000h": (L16, 16000),
    "L16@24000h": (L16, 24000),
}
_WIRE_TRACKS = {
    "inbound_track": ("inbound",),
    "outbound_track": ("outbound",),
    "both_tracks": ("inbound", "outbound"),
}
_TONES = {"inbound": 440, "outbound": 660}

End = Literal["stop", "dropped", "receiver-closed", "error"]

MediaFault = Literal["garbage", "invalid-utf8", "cut-mid-frame", "oversized-frame", "flood"]
MEDIA_FAULTS: tuple[MediaFault, ...] = (
    "garbage",  # GARBAGE, one frame after each tick's media frames, then streaming goes on
    "invalid-utf8",  # one text frame that is not UTF-8 (RFC 6455 says: fail the connection)
    "cut-mid-frame",  # half of the next media frame, then the TCP connection is cut
    "oversized-frame",  # one text frame of OVERSIZED_FRAME_BYTES
    "flood",  # from now on, frames as fast as the receiver takes them, not in real time
)
OVERSIZED_FRAME_BYTES = 10 * 2**20
# Frames that break the streams protocol but not WebSocket's: a receiver should skip each.
GARBAGE: tuple[str | bytes, ...] = (
    "this is not JSON",
    "",
    b"\x00\x01\x02\x03 a binary frame",
    b"\xff\xfe\xfd a binary frame that is not UTF-8",
    "[1, 2, 3]",
    '"a JSON string"',
    '{"sequenceNumber": "999", "media": {"track": "inbound"}}',
    '{"event": 42}',
    '{"event": "media", "media": {"track": 7, "payload": "AAAA"}}',
    "[" * 50_000,
)
_RAW_CHUNK = 2**16  # a multiple of 4, so each chunk starts at the mask's first byte


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


@dataclass(frozen=True)
class SentCallback:
    """A status callback the emulator sent, and how the receiver answered (`status`)."""

    url: str
    method: str
    fields: dict[str, str]
    status: int | None
    failure: str | None = None


@dataclass(frozen=True)
class StreamPlan:
    """What the engine needs to stream one stream; made by the emulator at create time."""

    stream_sid: str
    account_sid: str
    parent_sid: str
    conference: bool
    name: str
    url: str
    track: str
    codec: str | None
    parameters: dict[str, str]
    status_callback: str | None
    status_callback_method: str
    bearer_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Wav:
    """16-bit PCM channels read from a WAV file, at its own sample rate."""

    channels: tuple[array[int], ...]
    sample_rate: int


def load_wav(path: str | PathLike[str]) -> Wav:
    """Read a 16-bit PCM WAV file (mono, or stereo for distinct inbound/outbound audio)."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, count, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(f"audio: {path} is not a WAV file this emulator reads: {error}") from None
    if width != 2:
        raise ValueError(f"audio: {path} must be 16-bit PCM, not {8 * width}-bit")
    if count not in (1, 2):
        raise ValueError(f"audio: {path} must be mono or stereo")
    samples = array("h")
    samples.frombytes(frames)
    if not samples:
        raise ValueError(f"audio: {path} holds no audio")
    return Wav(tuple(samples[i::count] for i in range(count)), rate)


def _tone(frequency: int, sample_rate: int) -> array[int]:
    """One second of a sine: a whole number of periods, so it loops without a click."""
    step = 2 * math.pi * frequency / sample_rate
    return array("h", (round(8000 * math.sin(step * i)) for i in range(sample_rate)))


def _resample(samples: array[int], source_rate: int, target_rate: int) -> array[int]:
    if source_rate == target_rate:
        return samples
    length = max(1, len(samples) * target_rate // source_rate)
    return array("h", (samples[i * source_rate // target_rate] for i in range(length)))


def _encode(samples: array[int], encoding: str) -> bytes:
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    pcm = samples.tobytes()
    if encoding == MULAW:
        return encode_mulaw(pcm)
    if encoding == ALAW:
        return encode_alaw(pcm)
    return pcm


def _frames(samples: array[int], encoding: str, sample_rate: int) -> list[str]:
    """The samples encoded and cut into base64 frames of 20 ms, the last padded with silence.

    Padding happens before encoding, in samples, so silence is whatever the encoding makes of
    zero and every frame holds whole samples.
    """
    per_frame = round(sample_rate * FRAME_SECONDS)
    padded = samples + array("h", bytes(2 * (-len(samples) % per_frame)))
    audio = _encode(padded, encoding)
    frame_bytes = len(audio) * per_frame // len(padded)
    return [
        b64encode(audio[i : i + frame_bytes]).decode("ascii")
        for i in range(0, len(audio), frame_bytes)
    ]


def _media_message(sequence: int, track: str, number: int, frames: list[str]) -> str:
    """The `media` message of tick `number` (from 0) on one track."""
    return (
        f'{{"event":"media","sequenceNumber":"{sequence}","media":'
        f'{{"track":"{track}","chunk":"{number + 1}",'
        f'"timestamp":"{round(number * FRAME_SECONDS * 1000)}",'
        f'"payload":"{frames[number % len(frames)]}"}}}}'
    )


async def _flushed(connection: ClientConnection) -> None:
    """Wait until what was written to the connection has left this process (or it closed).

    An abort drops whatever the transports still hold. The TLS transport reports its own
    buffer; the TCP transport under it holds data only while the kernel's send buffer is
    full, and asyncio has no public way to ask it, so it is asked through the TLS layer.
    """
    transport = connection.transport
    inner = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _CLOSE_GRACE
    while not transport.is_closing() and loop.time() < deadline:
        pending = transport.get_write_buffer_size()
        if inner is not None:
            pending += inner.get_write_buffer_size()
        if not pending:
            return
        await asyncio.sleep(0.001)


def _stream_error(error: BaseException) -> str:
    """The `StreamError` SignalWire documents that best fits a failed connection."""
    if isinstance(error, ssl.SSLError | ssl.CertificateError | TimeoutError):
        return "connection_refused_timeout_or_ssl_error"
    if isinstance(error, OSError | InvalidHandshake):
        return "connection_refused"
    return "general_error"


class _Live:
    """One stream's state inside the engine loop."""

    def __init__(self, plan: StreamPlan) -> None:
        self.plan = plan
        self.connected = False
        self.frames_sent = 0
        self.end: End | None = None
        self.error: str | None = None
        self.stop_requested = False
        self.drop_requested = False
        self.dtmf: deque[tuple[str, int]] = deque()
        self.faults: deque[MediaFault] = deque()
        self.garbage: deque[str | bytes] = deque()
        self.flood = False
        self.bytes_sent = 0
        self.close_code: int | None = None
        self.task: asyncio.Task[None] | None = None
        self.callbacks: asyncio.Task[None] | None = None

    def status(self) -> MediaStatus:
        return MediaStatus(
            self.plan.stream_sid,
            self.connected,
            self.frames_sent,
            self.end,
            self.error,
            self.bytes_sent,
            self.close_code,
        )


class MediaEngine:
    """Runs every stream's WebSocket and status callbacks on one loop in a daemon thread."""

    def __init__(
        self,
        *,
        signing_key: str,
        ca_file: str | PathLike[str] | None,
        verify_tls: bool,
        speed: float,
        audio: Wav | None,
    ) -> None:
        self._signing_key = signing_key
        self._ca_file = ca_file
        self._verify_tls = verify_tls
        self._ssl_context: ssl.SSLContext | None = None
        self._speed = speed
        self._audio = audio
        self._frames_cache: dict[tuple[str, int, str], list[str]] = {}
        self._streams: dict[str, _Live] = {}
        self._callbacks: list[SentCallback] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._http: httpx.AsyncClient | None = None

    # Called from the emulator's threads

    def begin(self, plan: StreamPlan) -> None:
        """Start streaming for a newly created stream."""
        live = _Live(plan)
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
        live = self._streams.get(stream_sid)
        if live is None:
            raise KeyError(f"no stream {stream_sid!r}")
        live.drop_requested = True

    def inject(self, stream_sid: str, fault: str) -> None:
        """Misbehave on a stream's WebSocket at its next tick: one of MEDIA_FAULTS."""
        if fault not in MEDIA_FAULTS:
            raise ValueError(f"fault must be one of {', '.join(MEDIA_FAULTS)}, not {fault!r}")
        live = self._streams.get(stream_sid)
        if live is None:
            raise KeyError(f"no stream {stream_sid!r}")
        self._call(live.faults.append, fault)

    def send_dtmf(self, stream_sid: str, digit: str, duration: int) -> None:
        live = self._streams.get(stream_sid)
        if live is not None:
            self._call(live.dtmf.append, (digit, duration))

    def status(self, stream_sid: str) -> MediaStatus:
        live = self._streams.get(stream_sid)
        if live is None:
            raise KeyError(f"no stream {stream_sid!r}")
        return live.status()

    @property
    def callbacks(self) -> list[SentCallback]:
        with self._lock:
            return list(self._callbacks)

    def close(self) -> None:
        """End every stream (sending `stop`), wait briefly for them, then stop the loop."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout=_CLOSE_GRACE + _CALLBACK_TIMEOUT + 1)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        self._loop = self._thread = None

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
        if self._http is not None:
            await self._http.aclose()

    def _launch(self, live: _Live) -> None:
        live.task = asyncio.get_running_loop().create_task(self._run(live))

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
                logger=redacting_logger("websockets.client"),
            )
        except Exception as error:
            live.end, live.error = "error", _stream_error(error)
            self._callback(live, "stream-error", live.error)
            return
        live.connected = True
        self._callback(live, "stream-started")
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
        self._callback(live, "stream-stopped")

    async def _send(self, connection: ClientConnection, live: _Live) -> None:
        plan = live.plan
        encoding, sample_rate = _CODEC_FORMATS.get(plan.codec or "PCMU", (MULAW, 8000))
        tracks = _WIRE_TRACKS.get(plan.track, _WIRE_TRACKS["both_tracks"])
        sequence = itertools.count(1)
        start: dict[str, object] = {
            "streamSid": plan.stream_sid,
            "accountSid": plan.account_sid,
            "conferenceSid" if plan.conference else "callSid": plan.parent_sid,
            "tracks": list(tracks),
        }
        if plan.parameters:
            start["customParameters"] = plan.parameters
        start["mediaFormat"] = {"encoding": encoding, "sampleRate": sample_rate, "channels": 1}
        await connection.send('{"event":"connected","protocol":"Call","version":"0.2.0"}')
        await connection.send(
            json.dumps({"event": "start", "sequenceNumber": str(next(sequence)), "start": start})
        )
        sources = {track: self._source(encoding, sample_rate, track) for track in tracks}
        loop = asyncio.get_running_loop()
        began = loop.time()
        for number in itertools.count():
            if live.stop_requested or live.drop_requested:
                break
            while live.dtmf:
                digit, duration = live.dtmf.popleft()
                dtmf = {"duration": duration, "digit": digit}
                await connection.send(
                    json.dumps(
                        {
                            "event": "dtmf",
                            "streamSid": plan.stream_sid,
                            "sequenceNumber": str(next(sequence)),
                            "dtmf": dtmf,
                        }
                    )
                )
            for track, frames in sources.items():
                message = _media_message(next(sequence), track, number, frames)
                await connection.send(message)
                live.bytes_sent += len(message)
            live.frames_sent += 1
            while live.faults:
                fault = live.faults.popleft()
                if fault == "cut-mid-frame":
                    track, frames = next(iter(sources.items()))
                    cut = _media_message(next(sequence), track, number + 1, frames)
                    await self._cut_mid_frame(connection, live, cut)
                    return
                await self._misbehave(connection, live, fault)
            if live.garbage:
                junk = live.garbage.popleft()
                await connection.send(junk)
                live.bytes_sent += len(junk)
            if live.flood:
                await asyncio.sleep(0)  # let the loop's other streams and callbacks run
                continue
            delay = began + (number + 1) * FRAME_SECONDS / self._speed - loop.time()
            await asyncio.sleep(max(delay, 0.0))
        if live.stop_requested and not live.drop_requested:
            await connection.send(
                json.dumps({"event": "stop", "sequenceNumber": str(next(sequence))})
            )
            live.end = "stop"

    # Faults

    async def _misbehave(self, connection: ClientConnection, live: _Live, fault: str) -> None:
        if fault == "garbage":
            live.garbage.extend(GARBAGE)
        elif fault == "flood":
            live.flood = True
        elif fault == "invalid-utf8":
            # websockets' send() writes only valid UTF-8 as text: the frame is built whole by
            # websockets itself (masked, as a client must) and written as it is.
            data = b'{"event":"dtmf","dtmf":{"digit":"\xff\xfe"}}'
            connection.transport.write(Frame(Opcode.TEXT, data).serialize(mask=True))
            live.bytes_sent += len(data)
        elif fault == "oversized-frame":
            await self._send_oversized(connection, live)

    async def _cut_mid_frame(self, connection: ClientConnection, live: _Live, message: str) -> None:
        """Half of a media frame, then the TCP connection cut: no close frame, no TLS close.

        websockets writes whole frames only, so the frame is serialized by websockets and its
        first half written to the transport (the TLS layer: the receiver decrypts a clean
        half frame), which is then aborted once what was written has left this process.
        """
        frame = Frame(Opcode.TEXT, message.encode()).serialize(mask=True)
        connection.transport.write(frame[: len(frame) // 2])
        live.bytes_sent += max(0, len(frame) // 2 - (len(frame) - len(message)))
        await _flushed(connection)
        live.drop_requested = True  # _run aborts the connection and records "dropped"

    async def _send_oversized(self, connection: ClientConnection, live: _Live) -> None:
        """One text frame of OVERSIZED_FRAME_BYTES (a media event), written as it is made.

        websockets' send() would need the whole message in memory (and a copy to mask it):
        the header and the masked payload are written to the transport in 64 KiB pieces
        instead, waiting for the transport to drain, so the emulator never holds the frame and
        a measure of the receiver's memory is not one of the emulator's. If the receiver
        closes the connection (1009, message too big) the rest is not sent and the stream
        ends "receiver-closed"; if it takes the frame, streaming goes on.
        """
        size = OVERSIZED_FRAME_BYTES
        head = b'{"event":"media","media":{"track":"inbound","payload":"'
        tail = b'"}}'
        mask = os.urandom(4)
        transport = connection.transport
        transport.write(struct.pack("!BBQ", 0x80 | Opcode.TEXT, 0x80 | 127, size) + mask)
        filler = apply_mask(b"A" * _RAW_CHUNK, mask)
        for start in range(0, size, _RAW_CHUNK):
            # drain() waits only while the transport is full, and loopback's buffers are big:
            # yield each time too, so the receiver's close frame is read and ends the loop
            # rather than 10 MiB going out unread. (When the receiver's TLS layer resets the
            # connection first, because data kept coming after its close_notify, the frame
            # may be lost with it: the stream then ends with close code 1006.)
            await asyncio.sleep(0)
            if connection.state is not State.OPEN or transport.is_closing():
                break
            end = min(start + _RAW_CHUNK, size)
            if start < len(head) or end > size - len(tail) or end - start < _RAW_CHUNK:
                piece = bytearray(b"A" * (end - start))
                for offset, part in ((0, head), (size - len(tail), tail)):
                    low, high = max(start, offset), min(end, offset + len(part))
                    if low < high:
                        piece[low - start : high - start] = part[low - offset : high - offset]
                transport.write(apply_mask(piece, mask))
            else:
                transport.write(filler)
            live.bytes_sent += end - start
            try:
                await connection.drain()
            except OSError:  # the connection was lost while the transport was full
                break
        if connection.state is not State.OPEN:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connection.wait_closed(), _CLOSE_GRACE)
            if connection.state is State.CLOSED:
                raise connection.protocol.close_exc

    def _source(self, encoding: str, sample_rate: int, track: str) -> list[str]:
        """A track's audio as base64 frames, looped while the stream lasts (cached)."""
        key = (encoding, sample_rate, track)
        frames = self._frames_cache.get(key)
        if frames is None:
            if self._audio is None:
                samples = _tone(_TONES[track], sample_rate)
            else:
                channels = self._audio.channels
                channel = channels[1] if track == "outbound" and len(channels) > 1 else channels[0]
                samples = _resample(channel, self._audio.sample_rate, sample_rate)
            frames = _frames(samples, encoding, sample_rate)
            self._frames_cache[key] = frames
        return frames

    # Status callbacks

    def _callback(self, live: _Live, event: str, error: str | None = None) -> None:
        """Queue a callback after the stream's previous ones, so they arrive in order."""
        plan = live.plan
        if plan.status_callback is None:
            return
        fields = {
            "AccountSid": plan.account_sid,
            "ConferenceSid" if plan.conference else "CallSid": plan.parent_sid,
            "StreamSid": plan.stream_sid,
            "StreamName": plan.name,
            "StreamEvent": event,
            "StreamTrack": plan.track,
            "Timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
        if error is not None:
            fields["StreamError"] = error
        previous = live.callbacks
        live.callbacks = asyncio.get_running_loop().create_task(
            self._post_after(previous, plan.status_callback, plan.status_callback_method, fields)
        )

    async def _post_after(
        self,
        previous: asyncio.Task[None] | None,
        url: str,
        method: str,
        fields: dict[str, str],
    ) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        if self._http is None:
            self._http = httpx.AsyncClient(verify=self._ssl, timeout=_CALLBACK_TIMEOUT)
        if method == "GET":
            target = url + ("&" if "?" in url else "?") + urlencode(fields)
            signature = compute_signature(self._signing_key, target)
            request = self._http.build_request("GET", target, headers={SIGNATURE_HEADER: signature})
        else:
            target = url
            signature = compute_signature(self._signing_key, target, fields)
            request = self._http.build_request(
                "POST", target, data=fields, headers={SIGNATURE_HEADER: signature}
            )
        try:
            response = await self._http.send(request)
            sent = SentCallback(target, method, fields, response.status_code)
        except httpx.HTTPError as error:
            sent = SentCallback(target, method, fields, None, type(error).__name__)
        with self._lock:
            self._callbacks.append(sent)
