"""One stream's WebSocket connection: its events as they come, and what it has sent so far.

A `Session` is fed message by message, either by this package's servers (`serve`,
`asgi_app`), which push each message as it is read, or by a task of its own that reads an
async iterable of messages given to it (a websockets connection, an ASGI app's text
messages). Each message is parsed, folded into a bounded `StreamState`, written to a
recording if one was asked for, and queued for a handler that iterates the session.

The queue is bounded too. Once the handler has started iterating, a full queue pauses
reading (TCP then makes SignalWire wait), so nothing is lost and memory stays bounded. A
handler that never iterates (it only sends, or waits for marks) does not hold the stream
up: the first `max_queue` events wait for it, later ones are recorded but not queued.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import AsyncIterable, Callable, Sequence
from os import PathLike
from typing import Self

from .._errors import ProtocolError, ValidationError
from ._audio import ByteOrder
from ._events import Event, Mark, Media, Start, parse_event
from ._received import Received, to_pcm16
from ._recording import Recording
from ._state import EndReason, Gap, StreamState
from ._talk import TalkBack

__all__ = ["MAX_QUEUE", "SENT", "EndReason", "Gap", "Session", "check_byteorder", "to_pcm16"]

logger = logging.getLogger("signalwire_streams.media")

MAX_QUEUE = 256
SENT = "sent"
"""The recording channel of what this session sent (`record(path, tracks=[..., "sent"])`)."""
"""Events queued for the handler at most (about 2.5 s of a both-tracks stream)."""
_MALFORMED_LOGGED = 5  # per session, at WARNING; the rest at DEBUG, and a count at the end


def check_byteorder(byteorder: object) -> ByteOrder:
    """`l16_byteorder` as given to `Session` or `serve`, checked before any audio arrives."""
    if byteorder == "little":
        return "little"
    if byteorder == "big":
        return "big"
    raise ValidationError("l16_byteorder", f"must be 'little' or 'big', not {byteorder!r:.40}")


KEEP_AUDIO_SECONDS = 60.0
"""What `keep_audio=True` keeps: the last minute of each track (480 kB of µ-law)."""
MAX_KEEP_AUDIO = 3600.0


def check_keep_audio(seconds: object) -> float:
    """`keep_audio`: seconds of audio kept per track, a rolling window. True is a minute,
    False or 0 none; whole calls go to disk with `Session.record` or `serve(record_dir=)`."""
    if isinstance(seconds, bool):
        return KEEP_AUDIO_SECONDS if seconds else 0.0
    if not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_KEEP_AUDIO:
        raise ValidationError(
            "keep_audio",
            f"must be seconds of audio to keep per track, from 0 to {MAX_KEEP_AUDIO:g}, or "
            "True (a minute); record whole calls with Session.record() or serve(record_dir=)",
        )
    return float(seconds)


class Session(Received, TalkBack):
    """What one stream sends: iterate it for events, or read what it has sent so far.

    `async for event in session` gives each event as it comes (`Connected`, `Start`,
    `Media`, `Dtmf`, `Mark`, `Stop`, `UnknownEvent`); `await session.collect()` consumes to
    the end. Frames that break the protocol are skipped, counted in `malformed_frames` and
    logged. Give it an async iterable of text messages (a websockets connection, an ASGI
    app's `iter_text()`), and `send=` a function taking text to talk back (`serve` and
    `asgi_app` make sessions themselves). On a bidirectional stream, `send_audio`,
    `send_media`, `send_mark`, `clear`, `send_dtmf` and `wait_for_mark` talk back;
    `bidirectional` says whether the stream is one (None: judged from its `start`).

    Memory is bounded whatever the call's length: no audio is kept unless `keep_audio` asks
    for a rolling window of that many seconds per track, and `record(path)` writes the
    whole call to a WAV file as it arrives.
    """

    def __init__(
        self,
        messages: AsyncIterable[str | bytes] | None = None,
        *,
        keep_audio: float | bool = 0.0,
        l16_byteorder: ByteOrder = "little",
        path: str | None = None,
        send: Callable[[str], object] | None = None,
        bidirectional: bool | None = None,
        max_queue: int = MAX_QUEUE,
    ) -> None:
        self._state = StreamState(check_keep_audio(keep_audio))
        self._l16_byteorder: ByteOrder = check_byteorder(l16_byteorder)
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ValidationError("max_queue", "must be a positive number of events")
        self._max_queue = max_queue
        self.path = path
        self._messages = messages
        self._reader: asyncio.Task[None] | None = None
        self._queue: deque[Event] = deque()
        self._iterating = False  # the handler has asked for an event: lossless from then on
        self._draining = False  # collect(): events are recorded, not queued
        self._overflowed = 0  # events not queued for a handler that had not iterated yet
        self._waiter: asyncio.Future[None] | None = None  # collect() or wait_for_start()
        self._next: asyncio.Future[Event] | None = None  # the handler's next event
        self._closed = False  # the connection is gone: nothing more will arrive
        self._pause: Callable[[], object] | None = None
        self._resume: Callable[[], object] | None = None
        self._paused = False
        self._recording: Recording | None = None
        self._record_to: tuple[str | PathLike[str], Sequence[str] | None] | None = None
        self._listeners: list[Callable[[Event], object]] = []  # with each event, as recorded
        self._on_close: list[Callable[[], object]] = []
        self._send_text = send
        if bidirectional is not None and not isinstance(bidirectional, bool):
            raise ValidationError("bidirectional", "must be True, False or None (not known)")
        self._bidirectional = bidirectional
        self._init_talk()

    def __repr__(self) -> str:
        return (
            f"Session(stream_sid={self.stream_sid!r}, call_sid={self.call_sid!r}, "
            f"frames={self.frames}, gaps={self.gap_count}, end={self.end!r})"
        )

    # -- fed by a server, or by the reader task -------------------------------------------

    def _attach(
        self,
        *,
        send: Callable[[str], object] | None,
        pause: Callable[[], object] | None,
        resume: Callable[[], object] | None,
    ) -> None:
        """A server's hooks: how to send text, and how to stop and restart reading."""
        self._send_text = send
        self._pause, self._resume = pause, resume

    def _deliver(self, message: str | bytes) -> None:
        """One message from the peer, as read. After `stop`, nothing more is taken in."""
        state = self._state
        if state.end is not None:
            return
        try:
            event = parse_event(message)
            if type(event) is Media:
                payload = None
                if self._recording is not None or state.keep_audio:
                    # Decoded only when kept (a handler that forwards base64 never pays
                    # for it), and before anything changes: it may not be base64.
                    payload = event.payload
                state.record_media(event, payload)
                if payload is not None and self._recording is not None:
                    self._feed_recording(event, payload)
            else:
                state.record(event)
                if type(event) is Start:
                    self._start_recording(event)
                elif type(event) is Mark:
                    self._mark_echoed(event.name)
                elif state.end is not None:
                    self._stopped()
        except ProtocolError as error:
            self._malformed(error)
            return
        if self._listeners:
            for listener in self._listeners:
                listener(event)
        if self._draining:
            return
        queue = self._queue
        if self._iterating:
            waiting = self._next
            if waiting is not None:  # the handler waits: hand it the event, no queue
                self._next = None
                if not waiting.done():  # (it may have been cancelled)
                    waiting.set_result(event)
                    return
            queue.append(event)
            if len(queue) >= self._max_queue and not self._paused and self._pause is not None:
                self._paused = True
                self._pause()
        elif len(queue) < self._max_queue:
            queue.append(event)
        else:
            self._overflowed += 1

    def _stopped(self) -> None:
        """`stop` arrived: the recording is finished, sending ends, a waiting handler wakes."""
        self._end_recording()
        self._stop_talking()
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _finish(self) -> None:
        """The connection is gone (after a `stop` or not): nothing more will arrive."""
        if self._closed:
            return
        self._closed = True
        if self._state.end is None:
            self._state.end = "close"
        self._end_recording()
        self._stop_talking()
        if self._state.malformed_frames > _MALFORMED_LOGGED:
            logger.info(
                "stream %s: skipped %d malformed frames in all",
                self.stream_sid,
                self._state.malformed_frames,
            )
        self._wake()
        waiting, self._next = self._next, None
        if waiting is not None and not waiting.done():
            waiting.set_exception(StopAsyncIteration())
        for closed in self._on_close:
            closed()

    def _malformed(self, error: ProtocolError) -> None:
        self._state.malformed_frames += 1
        level = logging.WARNING if self._state.malformed_frames <= _MALFORMED_LOGGED else 10
        logger.log(level, "skipped a malformed frame on stream %s: %s", self.stream_sid, error)

    def _ensure_reading(self) -> None:
        """Start reading the messages given to the constructor, once, in a task."""
        if self._messages is not None and self._reader is None and not self._closed:
            self._reader = asyncio.get_running_loop().create_task(self._read(self._messages))

    async def _read(self, messages: AsyncIterable[str | bytes]) -> None:
        receive = getattr(messages, "recv", None)  # websockets: recv() skips a generator step
        resumed = asyncio.Event()
        self._pause, self._resume = resumed.clear, resumed.set
        resumed.set()
        try:
            if receive is not None and callable(receive):
                while True:
                    self._deliver(await receive())
                    if not resumed.is_set():
                        await resumed.wait()
            else:
                async for message in messages:
                    self._deliver(message)
                    if not resumed.is_set():
                        await resumed.wait()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the connection closed, cleanly or not
            logger.debug("stream %s: reading ended: %s", self.stream_sid, type(error).__name__)
        finally:
            self._finish()

    # -- the handler's side -----------------------------------------------------------------

    def __aiter__(self) -> Self:
        return self

    def __anext__(self) -> asyncio.Future[Event]:
        """The next event, as a future: resolved at once when one is queued, else by the
        next message read (no task of its own, one wake-up per event for the handler)."""
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        if not self._iterating:
            self._begin_iterating()
        queue = self._queue
        if queue:
            future.set_result(queue.popleft())
            if self._paused and len(queue) <= self._max_queue // 4:
                self._paused = False
                if self._resume is not None:
                    self._resume()
        elif self._closed or self._state.end is not None:  # the connection, or `stop`
            future.set_exception(StopAsyncIteration())
        else:
            self._next = future
        return future

    def _begin_iterating(self) -> None:
        """The handler asks for its first event: lossless from now on."""
        self._iterating = True
        self._draining = False
        if self._overflowed:
            logger.warning(
                "stream %s: the handler began reading events late; %d were not queued",
                self.stream_sid,
                self._overflowed,
            )
        self._ensure_reading()

    async def collect(self) -> Self:
        """Consume the stream to its end (`stop`, or the connection closing) and return this
        session. Events are recorded, not queued: nothing wakes this task per frame."""
        self._draining = True
        self._queue.clear()
        if self._paused:
            self._paused = False
            if self._resume is not None:
                self._resume()
        self._ensure_reading()
        while not self._closed and self._state.end is None:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter
        return self

    async def wait_for_start(self, timeout: float | None = None) -> Start:
        """The stream's `start` (at once if it has come); `TimeoutError` after `timeout`
        seconds, `ProtocolError` if the connection closes first."""
        self._ensure_reading()
        if self.start is not None:
            return self.start
        loop = asyncio.get_running_loop()
        arrived: asyncio.Future[None] = loop.create_future()

        def arrive(*_: object) -> None:
            if not arrived.done():
                arrived.set_result(None)

        def watch(event: Event) -> None:
            if type(event) is Start:
                arrive()

        self._listeners.append(watch)
        self._on_close.append(arrive)
        try:
            async with asyncio.timeout(timeout):
                await arrived
        finally:
            self._listeners.remove(watch)
            self._on_close.remove(arrive)
        if self.start is None:
            raise ProtocolError("the connection closed before the stream's start")
        return self.start

    def add_listener(self, listener: Callable[[Event], object]) -> None:
        """Call `listener(event)` with each event as it is recorded, before any handler sees
        it, inline: no task switch, so the cheapest way to act on every frame (a running
        tally, a voice-activity detector, handing audio to a thread). It must be quick and
        must not block; what it raises goes to the server (which closes with 1011)."""
        if not callable(listener):
            raise ValidationError("listener", "must be a function taking an event")
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Event], object]) -> None:
        """Stop calling a listener given to `add_listener`."""
        self._listeners.remove(listener)

    # -- recording --------------------------------------------------------------------------

    def record(self, path: str | PathLike[str], tracks: Sequence[str] | None = None) -> None:
        """Write this stream's audio to a WAV file as it arrives, from now to its end.

        One channel per track (those `start` lists, or `tracks`). `"sent"` is what this
        session sends (`send_audio`, `send_media`), placed where the call hears it, less
        what `clear()` dropped: `tracks=["inbound", "sent"]` records both sides of a voice
        agent's call; a session made with `bidirectional=True` adds it by default. The
        header is rewritten every second of audio, so the file is a valid WAV even if the
        process dies; it is finished when the stream ends. Before `start`, recording begins
        with it.
        """
        if self._recording is not None or self._record_to is not None:
            raise ValidationError("record", "this session is already being recorded")
        folder = os.path.dirname(os.fspath(path)) or "."
        if not os.path.isdir(folder):
            raise ValidationError("path", f"the folder {folder!r} does not exist")
        self._record_to = (path, None if tracks is None else list(tracks))
        if self.start is not None:
            self._start_recording(self.start)

    @property
    def recording(self) -> str | None:
        """The path of the WAV being written, if any."""
        return None if self._recording is None else self._recording.path

    def _start_recording(self, start: Start) -> None:
        if self._record_to is None or self._recording is not None:
            return
        path, tracks = self._record_to
        if tracks is None:
            tracks = list(start.tracks) or ["inbound"]
            if self._bidirectional is True:
                tracks.append(SENT)
        try:
            self._recording = Recording(path, tracks, start.media_format.sample_rate)
        except (OSError, ProtocolError) as error:  # the stream goes on, unrecorded
            self._record_to = None
            logger.error("stream %s: cannot record to %s: %s", self.stream_sid, path, error)

    def _recording_sent(self) -> bool:
        recording = self._recording
        return recording is not None and not recording.closed and SENT in recording.tracks

    def _record_sent(self, pcm: bytes) -> None:
        assert self._recording is not None
        self._recording.feed_played(SENT, pcm)

    def _drop_unplayed(self) -> None:
        if self._recording_sent():
            assert self._recording is not None
            self._recording.drop_unplayed(SENT)

    def _feed_recording(self, event: Media, payload: bytes) -> None:
        recording = self._recording
        if recording is None or recording.closed:
            return
        try:
            pcm = to_pcm16(payload, self.media_format, l16_byteorder=self._l16_byteorder)
        except ProtocolError as error:
            logger.warning("stream %s: recording stopped: %s", self.stream_sid, error)
            recording.close()
            return
        recording.feed(event.track, pcm)

    def _end_recording(self) -> None:
        if self._recording is not None:
            self._recording.close()
