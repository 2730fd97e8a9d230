"""The receiving side of a stream: what the receiver sends back, and what the call hears.

On a bidirectional stream (`<Connect><Stream>`) the receiver may send `media` (raw audio in
the stream's codec), `mark`, `clear` and `dtmf`, each a JSON text frame naming the stream.
`Playback` reads them (`attend` starts a task that reads, and one that plays), queues the
audio and plays it at real-time pace times `speed`, in 20 ms slices, into what the call
heard, and has the engine echo each `mark` (`next_echo`) once the audio queued before it has
played: at once if nothing is queued, and at a `clear` for the audio flushed (the slice
playing when a `clear` comes plays out). Anything else (not JSON, an unknown event, a wrong
`streamSid`, a digit that is not a key, any message at all on a one-way stream) is logged at
DEBUG and counted, as the service logs and ignores it.

Memory stays bounded whatever the receiver does. At most QUEUE_SECONDS of audio wait to be
played, and at most MAX_HELD_MARKS marks (MAX_HELD_MARK_CHARS characters of names) wait to
be echoed: a message beyond either is dropped and counted. `heard()` keeps the first
HEARD_LIMIT bytes, while `bytes_heard` counts them all: the first bytes rather than the
last, so that a test compares them with what it sent from the start and what it has read
never shifts under it; in memory rather than in a file, so that nothing is left on disk.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypedDict

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from ._vocabulary import DTMF_KEYS, FRAME_SECONDS, L16, RECEIVER_EVENTS

__all__ = [
    "DTMF_LIMIT",
    "HEARD_LIMIT",
    "MAX_HELD_MARKS",
    "MAX_HELD_MARK_CHARS",
    "QUEUE_SECONDS",
    "Counts",
    "Playback",
    "parse",
]

QUEUE_SECONDS = 60
"""Audio queued and not yet played, at most: 480 kB of µ-law, 2.9 MB of L16 at 24 kHz."""
MAX_HELD_MARKS = 1024
MAX_HELD_MARK_CHARS = 2**16
HEARD_LIMIT = 8 * 2**20
"""Bytes of `heard()` kept per stream: 17 minutes of µ-law, 87 s of L16 at 24 kHz."""
DTMF_LIMIT = 4096
"""Digits of `dtmf_received` kept per stream."""

_log = logging.getLogger("signalwire_streams.testing")


@dataclass(frozen=True)
class Audio:
    payload: bytes


@dataclass(frozen=True)
class Mark:
    name: str


@dataclass(frozen=True)
class Clear:
    pass


@dataclass(frozen=True)
class Dtmf:
    digit: str


Command = Audio | Mark | Clear | Dtmf


class Counts(TypedDict):
    """What a stream's receiver sent back, counted: `MediaStatus`'s last fields."""

    bidirectional: bool
    bytes_heard: int
    marks_echoed: int
    clears: int
    dtmf_received: str
    bytes_cleared: int
    messages_dropped: int
    messages_ignored: int


def parse(message: str | bytes, stream_sid: str) -> Command | str:
    """A message from the receiver as what it asks for, or why the service ignores it."""
    if not isinstance(message, str):
        return "a binary frame"
    try:
        event = json.loads(message)
    except (ValueError, RecursionError):
        return "not JSON"
    if not isinstance(event, dict):
        return "not a JSON object"
    kind = event.get("event")
    if not isinstance(kind, str) or kind not in RECEIVER_EVENTS:
        return "not an event a receiver may send"
    if event.get("streamSid") != stream_sid:
        return f"{kind} without this stream's streamSid"
    if kind == "clear":
        return Clear()
    body = event.get(kind)
    if not isinstance(body, dict):
        return f"{kind} without a {kind} object"
    if kind == "media":
        payload = body.get("payload")
        if not isinstance(payload, str):
            return "media without a payload"
        try:
            return Audio(base64.b64decode(payload, validate=True))
        except ValueError:  # binascii.Error, or a character that is not ASCII
            return "media whose payload is not base64"
    if kind == "mark":
        name = body.get("name")
        return Mark(name) if isinstance(name, str) else "mark without a name"
    digit = body.get("digit")
    if not isinstance(digit, str) or digit not in DTMF_KEYS:
        return "dtmf whose digit is not a key"
    return Dtmf(digit)


class Playback:
    """One stream's receiving side, on the engine loop (`heard()` may be read from any thread).

    One-way streams have one too: it ignores (and counts) whatever comes.
    """

    def __init__(
        self, stream_sid: str, bidirectional: bool, encoding: str, sample_rate: int, speed: float
    ) -> None:
        self.stream_sid = stream_sid
        self.bidirectional = bidirectional
        width = 2 if encoding == L16 else 1
        self._rate = sample_rate * width * speed  # bytes played a second
        self._slice = round(sample_rate * FRAME_SECONDS) * width
        self._queue_limit = sample_rate * width * QUEUE_SECONDS
        self._queue: deque[memoryview | str] = deque()  # audio, and the names of marks
        self._queued_bytes = 0
        self._held_marks = self._held_mark_chars = 0  # in the queue or waiting to be echoed
        self._playing = False
        self._has_audio = asyncio.Event()
        self._echoes: deque[str] = deque()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._heard = bytearray()
        self._heard_lock = threading.Lock()
        self.bytes_heard = 0
        self.bytes_cleared = 0
        self.marks_echoed = 0
        self.clears = 0
        self.dtmf_received = ""
        self.messages_ignored = 0
        self.messages_dropped = 0

    def heard(self) -> bytes:
        """What the call heard so far: the audio played, in order (its first HEARD_LIMIT)."""
        with self._heard_lock:
            return bytes(self._heard)

    def receive(self, message: str | bytes) -> None:
        """Take one message from the receiver."""
        command = parse(message, self.stream_sid) if self.bidirectional else "on a one-way stream"
        if isinstance(command, str):
            self.messages_ignored += 1
            _log.debug("stream %s: ignored a message: %s", self.stream_sid, command)
        elif isinstance(command, Audio):
            size = len(command.payload)
            if self._queued_bytes + size > self._queue_limit:
                self._drop("media", f"over {QUEUE_SECONDS} s of audio would be queued")
            elif size:
                self._queue.append(memoryview(command.payload))
                self._queued_bytes += size
                self._has_audio.set()
        elif isinstance(command, Mark):
            name = command.name
            if self._held_marks >= MAX_HELD_MARKS or (
                self._held_mark_chars + len(name) > MAX_HELD_MARK_CHARS
            ):
                self._drop("mark", f"over {MAX_HELD_MARKS} marks would be held")
                return
            self._held_marks += 1
            self._held_mark_chars += len(name)
            if self._queue or self._playing:
                self._queue.append(name)
            else:
                self._echo(name)
        elif isinstance(command, Clear):
            self.clears += 1
            for item in self._queue:
                if isinstance(item, str):
                    self._echo(item)
                else:
                    self.bytes_cleared += len(item)
            self._queue.clear()
            self._queued_bytes = 0
        elif len(self.dtmf_received) < DTMF_LIMIT:
            self.dtmf_received += command.digit

    def attend(self, connection: ClientConnection) -> None:
        """Start reading what the receiver sends (and, bidirectional, playing it)."""
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._listen(connection)))
        if self.bidirectional:
            self._tasks.append(loop.create_task(self._play()))

    async def leave(self) -> None:
        """Stop reading and playing: the stream is over, and what was not played never will."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _listen(self, connection: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in connection:
                self.receive(message)

    async def _play(self) -> None:
        """Play the queue at real-time pace times `speed`, until cancelled.

        The clock starts when audio comes to an empty queue, so a receiver that sends faster
        than real time is played in real time, and one that sends slower is played as sent.
        """
        loop = asyncio.get_running_loop()
        while True:
            await self._has_audio.wait()
            began, played = loop.time(), 0
            while (piece := self._next_piece()) is not None:
                played += len(piece)
                self._playing = True
                await asyncio.sleep(max(began + played / self._rate - loop.time(), 0.0))
                self._playing = False
                self.bytes_heard += len(piece)
                room = HEARD_LIMIT - len(self._heard)
                if room > 0:
                    with self._heard_lock:
                        self._heard += piece[:room]
            self._has_audio.clear()

    def counts(self) -> Counts:
        return Counts(
            bidirectional=self.bidirectional,
            bytes_heard=self.bytes_heard,
            marks_echoed=self.marks_echoed,
            clears=self.clears,
            dtmf_received=self.dtmf_received,
            bytes_cleared=self.bytes_cleared,
            messages_dropped=self.messages_dropped,
            messages_ignored=self.messages_ignored,
        )

    def next_echo(self, sequence: Iterator[int]) -> str | None:
        """The next `mark` echo that is due, oldest first, numbered from `sequence`."""
        if not self._echoes:
            return None
        name = self._echoes.popleft()
        self._held_marks -= 1
        self._held_mark_chars -= len(name)
        mark = {"name": name}
        number = str(next(sequence))
        return json.dumps(
            {"event": "mark", "sequenceNumber": number, "streamSid": self.stream_sid, "mark": mark}
        )

    async def rest(self, deadline: float) -> bool:
        """Wait until `deadline` (loop time), or less: True as soon as an echo is due."""
        if not self._echoes:
            delay = deadline - asyncio.get_running_loop().time()
            if self.bidirectional and delay > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
            else:
                await asyncio.sleep(max(delay, 0.0))
        return bool(self._echoes)

    def _next_piece(self) -> memoryview | None:
        """Echo the marks at the head of the queue, then take up to 20 ms of the audio after
        them, not past the next mark; None when the queue is empty."""
        while self._queue:
            head = self._queue.popleft()
            if isinstance(head, str):
                self._echo(head)
                continue
            if len(head) > self._slice:
                self._queue.appendleft(head[self._slice :])
                head = head[: self._slice]
            self._queued_bytes -= len(head)
            return head
        return None

    def _echo(self, name: str) -> None:
        self._echoes.append(name)
        self._wake.set()

    def _drop(self, kind: str, why: str) -> None:
        self.messages_dropped += 1
        _log.debug("stream %s: dropped a %s message: %s", self.stream_sid, kind, why)
