"""Talking back on a bidirectional stream: `Session`'s send side.

`send_media`, `send_audio`, `send_mark`, `clear`, `send_dtmf` and `wait_for_mark`, checked
here and queued in an `Outbound`, which paces them out. A stream is one-way when its
`start` lists the outbound track (only `<Start><Stream>` and REST streams carry it; a
`<Connect><Stream>` stream carries the inbound track alone), or when the session was made
with `bidirectional=False`; SignalWire ignores what a one-way stream is sent, so sending
on one raises instead.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable

from .._errors import SendError, ValidationError
from ._audio import ByteOrder, encode_alaw, encode_l16, encode_mulaw
from ._events import ALAW, L16, MULAW
from ._outbound import Outbound, dtmf_problem
from ._received import to_pcm16
from ._resample import resample
from ._state import StreamState

__all__ = ["TalkBack"]

_MIN_RATE, _MAX_RATE = 1000, 192_000
_MAX_MARK_NAME = 1000


def _bytes(field: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ValidationError(field, f"must be bytes, not {type(value).__name__}")
    return bytes(value)


class TalkBack:
    """The send side of a `Session`: see the module docstring."""

    _state: StreamState
    _l16_byteorder: ByteOrder
    _send_text: Callable[[str], object] | None
    _bidirectional: bool | None

    # The recording's side (Session): whether it has a `sent` channel, and how to feed it.
    def _recording_sent(self) -> bool:
        raise NotImplementedError

    def _record_sent(self, pcm: bytes) -> None:
        raise NotImplementedError

    def _drop_unplayed(self) -> None:
        raise NotImplementedError

    def _init_talk(self) -> None:
        self._outbound: Outbound | None = None
        self._mark_waiters: dict[str, deque[asyncio.Future[None]]] = {}
        self._marks_out: Counter[str] = Counter()  # sent and not echoed yet
        self._marks_early: Counter[str] = Counter()  # echoed before anyone waited

    @property
    def bidirectional(self) -> bool | None:
        """Whether this stream can be sent audio: as the session was told, or None when it
        was not told (then a `start` listing the outbound track means one-way)."""
        return self._bidirectional

    def _sender(self) -> Outbound:
        """The send queue, once sending makes sense; else `SendError` saying why."""
        state = self._state
        if state.end is not None:
            raise SendError(f"the stream has ended ({state.end}): nothing more can be sent")
        start = state.start
        if start is None:
            raise SendError(
                "the stream has not started: wait for its start (await session.wait_for_start())"
            )
        if self._bidirectional is False:
            raise SendError("this session was made one-way (bidirectional=False)")
        if self._bidirectional is None and "outbound" in start.tracks:
            raise SendError(
                "this stream is one-way: it carries the outbound track, as only <Start><Stream> "
                "and REST streams do; SignalWire plays audio sent on <Connect><Stream> streams"
            )
        if self._send_text is None:
            raise SendError(
                "this session has no way to send: make it with Session(messages, send=...), "
                "or let media.serve or media.asgi_app make it"
            )
        outbound = self._outbound
        if outbound is None:
            rate = start.media_format.bytes_per_second
            if not rate:
                raise SendError(
                    f"audio encoding {start.media_format.encoding!r} is not one this package sends"
                )
            outbound = self._outbound = Outbound(self._send_text, start.stream_sid, rate)
        return outbound

    async def send_media(self, payload: bytes) -> None:
        """Send raw audio in the stream's own format (`media_format`), in 20 ms frames.

        It is queued and paced to stay about a second ahead of what the call has played;
        this waits only while a minute of audio is already waiting to be sent.
        """
        data = _bytes("payload", payload)
        outbound = self._sender()
        start = self._state.start
        assert start is not None
        if start.media_format.encoding == L16 and len(data) % 2:
            raise ValidationError("payload", "L16 audio must have an even number of bytes")
        await outbound.media(data)
        if self._recording_sent():
            self._record_sent(to_pcm16(data, start.media_format, l16_byteorder=self._l16_byteorder))

    async def send_audio(self, pcm16: bytes, sample_rate: int) -> None:
        """Send 16-bit little-endian mono PCM at `sample_rate`, converted to the stream's
        codec and rate (resampled in pure Python if the rates differ: see the README)."""
        data = _bytes("pcm16", pcm16)
        if len(data) % 2:
            raise ValidationError("pcm16", "16-bit PCM must have an even number of bytes")
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int):
            raise ValidationError("sample_rate", "must be an integer number of samples a second")
        if not _MIN_RATE <= sample_rate <= _MAX_RATE:
            raise ValidationError("sample_rate", f"must be from {_MIN_RATE} to {_MAX_RATE}")
        outbound = self._sender()
        start = self._state.start
        assert start is not None
        fmt = start.media_format
        pcm = resample(data, sample_rate, fmt.sample_rate)
        if fmt.encoding == MULAW:
            payload = encode_mulaw(pcm)
        elif fmt.encoding == ALAW:
            payload = encode_alaw(pcm)
        elif fmt.encoding == L16:
            payload = encode_l16(pcm, self._l16_byteorder)
        else:
            raise SendError(f"audio encoding {fmt.encoding!r} is not one this package sends")
        await outbound.media(payload)
        if self._recording_sent():
            self._record_sent(pcm)

    async def send_mark(self, name: str) -> None:
        """Queue a mark after the audio sent so far: it comes back (as a `Mark` event, and
        to `wait_for_mark`) once that audio has played, or was cleared."""
        if not isinstance(name, str) or not name or len(name) > _MAX_MARK_NAME:
            raise ValidationError("name", f"must be a non-empty string of at most {_MAX_MARK_NAME}")
        self._sender().mark(name)
        self._marks_out[name] += 1

    async def send_dtmf(self, digit: str) -> None:
        """Play a DTMF key into the call (`0-9`, `*`, `#`, `A-D`), after the audio queued."""
        rule = dtmf_problem(digit)
        if rule is not None:
            raise ValidationError("digit", rule)
        self._sender().dtmf(digit)

    async def clear(self) -> list[str]:
        """Stop what the call is playing and drop the audio queued, here and at SignalWire.
        Pending marks come back as SignalWire flushes them; their names are returned."""
        marks = await self._sender().clear()
        self._drop_unplayed()
        return marks

    async def wait_for_mark(self, name: str, timeout: float | None = None) -> None:
        """Until the mark `name` comes back: its audio has played, or was cleared.

        `TimeoutError` after `timeout` seconds; `SendError` if the stream ends first, or if
        no such mark was sent.
        """
        if self._marks_early[name]:
            self._take_early(name)
            return
        if not self._marks_out[name]:
            raise SendError(f"no mark {name[:40]!r} was sent on this stream, or it came back")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._mark_waiters.setdefault(name, deque())
        waiters.append(future)
        try:
            async with asyncio.timeout(timeout):
                await future
        finally:
            if future in waiters:
                waiters.remove(future)

    def _take_early(self, name: str) -> None:
        self._marks_early[name] -= 1
        if not self._marks_early[name]:
            del self._marks_early[name]

    def _mark_echoed(self, name: str) -> None:
        """A `mark` came back: wake its first waiter, or keep it for a later one."""
        if not self._marks_out[name]:
            return  # not one of ours: nothing waits for it
        self._marks_out[name] -= 1
        if not self._marks_out[name]:
            del self._marks_out[name]
        waiters = self._mark_waiters.get(name)
        while waiters:
            future = waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self._marks_early[name] += 1

    def _stop_talking(self) -> None:
        """The stream ended: nothing more is sent, and mark waiters learn it."""
        if self._outbound is not None:
            self._outbound.close()
        for name, waiters in self._mark_waiters.items():
            for future in waiters:
                if not future.done():
                    future.set_exception(
                        SendError(f"the stream ended before mark {name[:40]!r} came back")
                    )
        self._mark_waiters.clear()
