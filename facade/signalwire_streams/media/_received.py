"""What a stream has sent so far, read from its `StreamState`: `Session`'s read side.

The properties and audio methods here only read the bounded record the session keeps; the
session itself (`_session.py`) is what feeds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import BinaryIO

from .._errors import ProtocolError
from ._audio import ByteOrder, decode_alaw, decode_l16, decode_mulaw, write_wav
from ._events import ALAW, L16, MULAW, Connected, MediaFormat, Start
from ._state import EndReason, Gap, StreamState

__all__ = ["Received", "to_pcm16"]


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


class Received:
    """The read side of a `Session`: what its stream has sent so far."""

    _state: StreamState
    _l16_byteorder: ByteOrder

    @property
    def connected(self) -> Connected | None:
        return self._state.connected

    @property
    def start(self) -> Start | None:
        return self._state.start

    @property
    def end(self) -> EndReason | None:
        """How the stream ended: "stop" or "close" (both normal); None while it runs."""
        return self._state.end

    @property
    def ended(self) -> bool:
        return self._state.end is not None

    @property
    def stream_sid(self) -> str | None:
        start = self._state.start
        return None if start is None else start.stream_sid

    @property
    def call_sid(self) -> str | None:
        start = self._state.start
        return None if start is None else start.call_sid

    @property
    def account_sid(self) -> str | None:
        start = self._state.start
        return None if start is None else start.account_sid

    @property
    def custom_parameters(self) -> dict[str, str]:
        """The stream's custom parameters (a copy; empty before `start`)."""
        start = self._state.start
        return {} if start is None else dict(start.custom_parameters)

    @property
    def media_format(self) -> MediaFormat:
        """The format from `start`, or SignalWire's default (8 kHz µ-law) before it."""
        return self._state.media_format

    @property
    def frames(self) -> int:
        """Media frames received, on every track."""
        return self._state.frames

    @property
    def malformed_frames(self) -> int:
        return self._state.malformed_frames

    @property
    def untracked_frames(self) -> int:
        """Media frames on tracks past the few kept (a hostile peer's made-up names)."""
        return self._state.untracked_frames

    @property
    def gaps(self) -> list[Gap]:
        """The first breaks in chunk or sequence numbering (at most 100; see `gap_count`)."""
        return list(self._state.gaps)

    @property
    def gap_count(self) -> int:
        return self._state.gap_count

    @property
    def dtmf(self) -> str:
        """The keys pressed, the latest 256 (see `dtmf_count`)."""
        return "".join(self._state.dtmf_digits)

    @property
    def dtmf_count(self) -> int:
        return self._state.dtmf_count

    @property
    def marks(self) -> list[str]:
        """The names of the marks echoed back, the latest 256 (see `mark_count`)."""
        return list(self._state.mark_names)

    @property
    def mark_count(self) -> int:
        return self._state.mark_count

    @property
    def tracks(self) -> tuple[str, ...]:
        """Tracks that carried media, in the order they first did (at most a few)."""
        return tuple(self._state.tracks)

    def frames_on(self, track: str) -> int:
        """Media frames received on one track."""
        state = self._state.tracks.get(track)
        return 0 if state is None else state.frames

    def duration(self, track: str = "inbound") -> float:
        """Seconds of audio received on one track (kept or not)."""
        per_second = self.media_format.bytes_per_second
        if not per_second:
            raise ProtocolError(f"audio encoding {self.media_format.encoding!r} is not supported")
        state = self._state.tracks.get(track)
        return 0.0 if state is None else state.bytes / per_second

    def payload(self, track: str = "inbound") -> bytes:
        """The audio kept of one track (the last `keep_audio` seconds), as received."""
        state = self._state.tracks.get(track)
        return b"" if state is None else b"".join(state.audio)

    def audio(self, track: str = "inbound") -> bytes:
        """The audio kept of one track as 16-bit little-endian PCM at the stream's rate."""
        return to_pcm16(self.payload(track), self.media_format, l16_byteorder=self._l16_byteorder)

    def write_wav(
        self, destination: str | PathLike[str] | BinaryIO, tracks: Sequence[str] | None = None
    ) -> None:
        """Write the audio kept to a WAV file: one channel per track (all kept by default)."""
        names = list(self.tracks if tracks is None else tracks) or ["inbound"]
        write_wav(
            destination,
            [self.audio(name) for name in names],
            sample_rate=self.media_format.sample_rate,
        )
