"""What a bidirectional stream sends back: audio, marks, DTMF and clear, in order and paced.

SignalWire queues the audio it is sent and plays it in real time. Sending a long prompt all
at once would put its whole length in SignalWire's queue, where only `clear` can reach it,
and through the socket in one burst. So audio waits here, cut into 20 ms frames, and a
pacing task sends it to stay `LEAD` seconds ahead of what the call has played: enough to
ride out network jitter, little enough that `clear()` drops most of a long prompt here,
before it is ever sent. Marks and DTMF keep their place in the queue. A send waits only
when more than `MAX_WAITING` seconds of audio already wait, which bounds memory.
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import inspect
import json
import time
from collections import deque
from collections.abc import Callable

__all__ = ["LEAD", "MAX_WAITING", "Outbound", "dtmf_problem"]

LEAD = 1.0
"""Seconds of audio sent ahead of what the call has played."""
MAX_WAITING = 60.0
"""Seconds of audio that may wait here before a send waits for room."""
FRAME_SECONDS = 0.02
DTMF_DIGITS = frozenset("0123456789*#ABCD")


def dtmf_problem(digit: object) -> str | None:
    if not isinstance(digit, str) or len(digit) != 1 or digit not in DTMF_DIGITS:
        return f"must be one DTMF key: 0-9, *, # or A-D; got {digit!r:.20}"
    return None


class Outbound:
    """The send queue of one stream and the task that paces it."""

    def __init__(
        self,
        send: Callable[[str], object],
        stream_sid: str,
        bytes_per_second: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._stream_sid = stream_sid
        self._sid = json.dumps(stream_sid)  # quoted and escaped, for the media messages
        self._frame_bytes = max(1, round(bytes_per_second * FRAME_SECONDS))
        self._bytes_per_second = bytes_per_second
        self._clock = clock
        # ("media", seconds, text) or ("mark" | "dtmf", 0.0, text), in sending order.
        self._items: deque[tuple[str, float, str]] = deque()
        self._waiting_seconds = 0.0
        self._burst_start = 0.0  # when the audio being played now began to be sent
        self._burst_seconds = 0.0  # seconds of audio sent since then
        self._more = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self.sent_frames = 0

    # -- queueing ---------------------------------------------------------------------------

    async def media(self, payload: bytes) -> None:
        """Queue raw audio in the stream's format, as frames of 20 ms."""
        while not self._room.is_set():
            await self._room.wait()
        self._check()
        step = self._frame_bytes
        for start in range(0, len(payload), step):
            frame = payload[start : start + step]
            text = binascii.b2a_base64(frame, newline=False).decode("ascii")
            message = f'{{"event":"media","streamSid":{self._sid},"media":{{"payload":"{text}"}}}}'
            seconds = len(frame) / self._bytes_per_second
            self._items.append(("media", seconds, message))
            self._waiting_seconds += seconds
        if self._waiting_seconds > MAX_WAITING:
            self._room.clear()
        self._wake()

    def mark(self, name: str) -> None:
        message = json.dumps(
            {"event": "mark", "streamSid": self._stream_sid, "mark": {"name": name}}
        )
        self._items.append(("mark", 0.0, message))
        self._wake()

    def dtmf(self, digit: str) -> None:
        message = json.dumps(
            {"event": "dtmf", "streamSid": self._stream_sid, "dtmf": {"digit": digit}}
        )
        self._items.append(("dtmf", 0.0, message))
        self._wake()

    async def clear(self) -> list[str]:
        """Drop the audio that waits here; send the marks that wait (so that SignalWire
        echoes them, as it does those of the audio it flushes) and then `clear`. The names
        of the marks sent are returned."""
        self._check()
        marks = [text for kind, _, text in self._items if kind == "mark"]
        dtmf = [text for kind, _, text in self._items if kind == "dtmf"]
        self._items.clear()
        self._waiting_seconds = 0.0
        self._room.set()
        for text in [*dtmf, *marks]:
            await self._emit(text)
        await self._emit(f'{{"event":"clear","streamSid":{self._sid}}}')
        self._burst_start, self._burst_seconds = self._clock(), 0.0
        return [json.loads(text)["mark"]["name"] for text in marks]

    @property
    def waiting_seconds(self) -> float:
        """Seconds of audio queued here, not yet sent."""
        return self._waiting_seconds

    def close(self) -> None:
        """The stream ended: stop pacing and drop what waits."""
        if self._task is not None:
            self._task.cancel()
        self._items.clear()
        self._room.set()

    # -- pacing -----------------------------------------------------------------------------

    def _wake(self) -> None:
        self._more.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._pace())

    def _check(self) -> None:
        if self._failure is not None:
            raise self._failure

    async def _pace(self) -> None:
        items = self._items
        try:
            while True:
                if not items:
                    self._more.clear()
                    await self._more.wait()
                    continue
                kind, seconds, text = items[0]
                if kind == "media":
                    now = self._clock()
                    played = now - self._burst_start
                    if played >= self._burst_seconds:  # the queue ran dry: a new burst
                        self._burst_start, self._burst_seconds = now, 0.0
                        played = 0.0
                    ahead = self._burst_seconds - played
                    if ahead > LEAD + 1e-9:  # not fooled by sums of 0.02
                        self._more.clear()
                        # Until it is time, or the queue changes (clear()).
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._more.wait(), ahead - LEAD)
                        continue
                    self._burst_seconds += seconds
                    self._waiting_seconds -= seconds
                    self.sent_frames += 1
                    if self._waiting_seconds <= MAX_WAITING / 2:
                        self._room.set()
                items.popleft()
                await self._emit(text)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the connection broke: later sends say so
            self._failure = error
            self._room.set()

    async def _emit(self, text: str) -> None:
        result = self._send(text)
        if inspect.isawaitable(result):
            await result
