"""One stream's WebSocket connection, consumed event by event and remembered."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import BinaryIO, Literal, Self

from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from .._errors import ProtocolError, ValidationError
from ._audio import ByteOrder, decode_alaw, decode_l16, decode_mulaw, write_wav
from ._events import (
    ALAW,
    L16,
    MULAW,
    Connected,
    Dtmf,
    Event,
    Mark,
    Media,
    MediaFormat,
    Start,
    Stop,
    parse_event,
)

__all__ = ["EndReason", "Gap", "Session", "to_pcm16"]

logger = logging.getLogger("signalwire_streams.media")

EndReason = Literal["stop", "close"]
"""How a stream ended: a `stop` message, or the connection closing without one (both normal)."""


@dataclass(frozen=True, slots=True)
class Gap:
    """A break in numbering: `received` came where `expected` was due.

    `kind` is "chunk" (per track, `track` set) or "sequence" (the `sequenceNumber` of all
    messages, `track` None). `missing` is how many numbers were skipped; zero or less means a
    number came again or out of order.
    """

    kind: Literal["chunk", "sequence"]
    track: str | None
    expected: int
    received: int

    @property
    def missing(self) -> int:
        return self.received - self.expected


def check_byteorder(byteorder: str) -> ByteOrder:
    """`l16_byteorder` as given to `Session` or `serve`, checked before any audio arrives."""
    if byteorder == "little":
        return "little"
    if byteorder == "big":
        return "big"
    raise ValidationError("l16_byteorder", f"must be 'little' or 'big', not {byteorder!r:.40}")


def to_pcm16(
    payload: bytes, media_format: MediaFormat, *, l16_byteorder: ByteOrder = "little"
) -> bytes:
    """A media payload as 16-bit little-endian PCM, per the stream's `MediaFormat`."""
    if media_format.encoding == MULAW:
        return decode_mulaw(payload)
    if media_format.encoding == L16:
        if len(payload) % 2:
            raise ProtocolError(f"L16 audio must have an even number of bytes, not {len(payload)}")
        return decode_l16(payload, l16_byteorder)
    if media_format.encoding == ALAW:
        return decode_alaw(payload)
    raise ProtocolError(f"audio encoding {media_format.encoding!r} is not supported")


class _Track:
    __slots__ = ("audio", "frames", "last_chunk")

    def __init__(self) -> None:
        self.audio = bytearray()
        self.frames = 0
        self.last_chunk: int | None = None


class Session:
    """What one stream has sent so far: the start info, audio per track, gaps, DTMF, the end.

    Iterate it (`async for event in session`) to handle events as they come; each is recorded
    before it is yielded. Or `await session.collect()` to take the rest in one go. Give it any
    async iterable of text messages: a websockets connection, or an ASGI app's receive loop.
    Frames that break the protocol are skipped, counted in `malformed_frames` and logged.
    """

    def __init__(
        self,
        messages: AsyncIterable[str | bytes],
        *,
        keep_audio: bool = True,
        l16_byteorder: ByteOrder = "little",
        path: str | None = None,
    ) -> None:
        # A websockets connection is read with recv() directly: its async iterator is a
        # generator around recv() that costs a step per frame, and frames are the hot path.
        self._next: Callable[[], Awaitable[str | bytes]] = (
            messages.recv if isinstance(messages, Connection) else messages.__aiter__().__anext__
        )
        self._keep_audio = keep_audio
        self._l16_byteorder: ByteOrder = check_byteorder(l16_byteorder)
        self.path = path
        self.connected: Connected | None = None
        self.start: Start | None = None
        self.end: EndReason | None = None
        self.gaps: list[Gap] = []
        self.dtmf = ""
        self.marks: list[str] = []
        self.frames = 0
        self.malformed_frames = 0
        self._tracks: dict[str, _Track] = {}
        self._last_sequence: int | None = None

    def __repr__(self) -> str:
        return (
            f"Session(stream_sid={self.stream_sid!r}, call_sid={self.call_sid!r}, "
            f"frames={self.frames}, gaps={len(self.gaps)}, end={self.end!r})"
        )

    # Consuming

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        while self.end is None:
            try:
                message = await self._next()
            except (StopAsyncIteration, ConnectionClosed):
                self.end = "close"
                break
            try:
                event = parse_event(message)
                self._record(event)
            except ProtocolError as error:
                self.malformed_frames += 1
                logger.warning("skipped a malformed frame on stream %s: %s", self.stream_sid, error)
                continue
            return event
        raise StopAsyncIteration

    async def collect(self) -> Self:
        """Consume the stream to its end (`stop` or close) and return this session."""
        async for _ in self:
            pass
        return self

    def _record(self, event: Event) -> None:
        """Fold one event into the session; raises ProtocolError before changing anything."""
        if type(event) is Media:  # the hot path: about fifty times a second per track
            payload = event.payload if self._keep_audio else b""
            if event.sequence_number is not None:
                self._check_sequence(event.sequence_number)
            track = self._tracks.get(event.track)
            if track is None:
                track = self._tracks[event.track] = _Track()
            chunk = event.chunk
            if chunk is not None:
                expected = 1 if track.last_chunk is None else track.last_chunk + 1
                if chunk != expected:
                    self.gaps.append(Gap("chunk", event.track, expected, chunk))
                track.last_chunk = chunk
            track.frames += 1
            track.audio += payload
            self.frames += 1
            return
        self._check_sequence(getattr(event, "sequence_number", None))
        if isinstance(event, Start):
            self.start = event
        elif isinstance(event, Dtmf):
            self.dtmf += event.digit
        elif isinstance(event, Mark):
            self.marks.append(event.name)
        elif isinstance(event, Stop):
            self.end = "stop"
        elif isinstance(event, Connected):
            self.connected = event

    def _check_sequence(self, number: int | None) -> None:
        if number is None:
            return
        expected = 1 if self._last_sequence is None else self._last_sequence + 1
        if number != expected:
            self.gaps.append(Gap("sequence", None, expected, number))
        self._last_sequence = number

    # What was received

    @property
    def stream_sid(self) -> str | None:
        return None if self.start is None else self.start.stream_sid

    @property
    def call_sid(self) -> str | None:
        return None if self.start is None else self.start.call_sid

    @property
    def account_sid(self) -> str | None:
        return None if self.start is None else self.start.account_sid

    @property
    def custom_parameters(self) -> dict[str, str]:
        """The stream's custom parameters (a copy; empty before `start`)."""
        return {} if self.start is None else dict(self.start.custom_parameters)

    @property
    def media_format(self) -> MediaFormat:
        """The format from `start`, or SignalWire's default (8 kHz µ-law) before it."""
        return MediaFormat() if self.start is None else self.start.media_format

    @property
    def ended(self) -> bool:
        return self.end is not None

    @property
    def tracks(self) -> tuple[str, ...]:
        """Tracks that carried media, in the order they first did."""
        return tuple(self._tracks)

    def frames_on(self, track: str) -> int:
        """Media frames received on one track."""
        state = self._tracks.get(track)
        return 0 if state is None else state.frames

    def payload(self, track: str = "inbound") -> bytes:
        """One track's audio as received (in the stream's encoding), frames joined in order."""
        state = self._tracks.get(track)
        return b"" if state is None else bytes(state.audio)

    def audio(self, track: str = "inbound") -> bytes:
        """One track's audio as 16-bit little-endian PCM at `media_format.sample_rate`."""
        return to_pcm16(self.payload(track), self.media_format, l16_byteorder=self._l16_byteorder)

    def duration(self, track: str = "inbound") -> float:
        """Seconds of audio received on one track."""
        per_second = self.media_format.bytes_per_second
        if not per_second:
            raise ProtocolError(f"audio encoding {self.media_format.encoding!r} is not supported")
        return len(self.payload(track)) / per_second

    def write_wav(
        self, destination: str | PathLike[str] | BinaryIO, tracks: Sequence[str] | None = None
    ) -> None:
        """Write the audio to a WAV file: one channel per track (all received tracks by default)."""
        names = list(self.tracks if tracks is None else tracks) or ["inbound"]
        rate = self.media_format.sample_rate
        # A WAV header holds the bytes per second in 32 bits and per frame in 16.
        if rate * 2 * len(names) > 0xFFFF_FFFF or 2 * len(names) > 0xFFFF:
            raise ProtocolError(f"{len(names)} track(s) at {rate} Hz do not fit in a WAV file")
        write_wav(destination, [self.audio(name) for name in names], sample_rate=rate)
