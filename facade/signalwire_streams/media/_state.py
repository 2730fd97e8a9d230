"""What one stream has sent, folded event by event into a record of bounded size.

No I/O here: `StreamState.record(event)` is called for every event a connection delivers.
Whatever a peer sends, and however long the call, the record stays small: at most
`MAX_TRACKS` tracks are kept (the documented `inbound` and `outbound`, then the first few
others; frames on any further track are only counted), the first `MAX_GAPS` breaks in
numbering are kept as records and the rest counted, DTMF digits and mark names keep the
latest `MAX_HISTORY`, and audio is kept only as a rolling window of `keep_audio` seconds
per track (none by default: audio reaches the handler as it arrives, and whole calls go to
disk with `Session.record`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from ._events import Connected, Dtmf, Event, Mark, Media, MediaFormat, Start, Stop

__all__ = ["MAX_GAPS", "MAX_HISTORY", "MAX_TRACKS", "EndReason", "Gap", "StreamState"]

EndReason = Literal["stop", "close"]
"""How a stream ended: a `stop` message, or the connection closing without one (both normal)."""

DOCUMENTED_TRACKS = ("inbound", "outbound")
MAX_TRACKS = 4  # the documented two, then the first two others
MAX_GAPS = 100
MAX_HISTORY = 256


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


class TrackState:
    """One track: frames and bytes received, the last chunk number, the rolling window."""

    __slots__ = ("audio", "audio_bytes", "bytes", "frames", "last_chunk", "window")

    def __init__(self, window: int) -> None:
        self.frames = 0
        self.bytes = 0
        self.last_chunk: int | None = None
        self.window = window  # bytes of audio kept at most; 0 keeps none
        self.audio: deque[bytes] = deque()
        self.audio_bytes = 0

    def keep(self, payload: bytes) -> None:
        self.audio.append(payload)
        self.audio_bytes += len(payload)
        while self.audio_bytes > self.window:
            self.audio_bytes -= len(self.audio.popleft())


class StreamState:
    """The record of one stream; see the module docstring for its bounds."""

    def __init__(self, keep_audio: float = 0.0) -> None:
        self.keep_audio = keep_audio  # seconds of audio kept per track
        self.connected: Connected | None = None
        self.start: Start | None = None
        self.end: EndReason | None = None
        self.frames = 0
        self.untracked_frames = 0  # frames on tracks past MAX_TRACKS: counted, not kept
        self.malformed_frames = 0
        self.gaps: list[Gap] = []
        self.gap_count = 0
        self.dtmf_digits: deque[str] = deque(maxlen=MAX_HISTORY)
        self.dtmf_count = 0
        self.mark_names: deque[str] = deque(maxlen=MAX_HISTORY)
        self.mark_count = 0
        self.tracks: dict[str, TrackState] = {}
        self._window = 0
        self._last_sequence: int | None = None

    @property
    def media_format(self) -> MediaFormat:
        """The format from `start`, or SignalWire's default (8 kHz µ-law) before it."""
        return MediaFormat() if self.start is None else self.start.media_format

    def record_media(self, event: Media, payload: bytes | None) -> None:
        """Fold one media event in; `payload` is its audio if the caller has decoded it.
        The hot path: about fifty times a second per track, so written out in full."""
        sequence = event.sequence_number
        if sequence is not None:
            last = self._last_sequence
            if last is not None and sequence != last + 1:
                self._gap(Gap("sequence", None, last + 1, sequence))
            elif last is None and sequence != 1:
                self._gap(Gap("sequence", None, 1, sequence))
            self._last_sequence = sequence
        self.frames += 1
        track = self.tracks.get(event.track)
        if track is None:
            track = self._new_track(event.track)
            if track is None:
                self.untracked_frames += 1
                return
        chunk = event.chunk
        if chunk is not None:
            last = track.last_chunk
            if last is not None and chunk != last + 1:
                self._gap(Gap("chunk", event.track, last + 1, chunk))
            elif last is None and chunk != 1:
                self._gap(Gap("chunk", event.track, 1, chunk))
            track.last_chunk = chunk
        track.frames += 1
        if payload is None:
            text = event.payload_base64  # its decoded length, without decoding it
            track.bytes += len(text) * 3 // 4 - text.endswith("=") - text.endswith("==")
        else:
            track.bytes += len(payload)
            if track.window:
                track.keep(payload)

    def record(self, event: Event, payload: bytes | None = None) -> None:
        """Fold one event in; `payload` is a `Media` event's audio if already decoded."""
        if type(event) is Media:
            self.record_media(event, payload)
            return
        self._sequence(getattr(event, "sequence_number", None))
        if isinstance(event, Start):
            self.start = event
            per_second = event.media_format.bytes_per_second or 0
            self._window = int(self.keep_audio * per_second)
            for track in self.tracks.values():
                track.window = self._window
        elif isinstance(event, Dtmf):
            self.dtmf_digits.append(event.digit)
            self.dtmf_count += 1
        elif isinstance(event, Mark):
            self.mark_names.append(event.name)
            self.mark_count += 1
        elif isinstance(event, Stop):
            self.end = "stop"
        elif isinstance(event, Connected):
            self.connected = event

    def _new_track(self, name: str) -> TrackState | None:
        if name not in DOCUMENTED_TRACKS:
            others = sum(1 for known in self.tracks if known not in DOCUMENTED_TRACKS)
            if others >= MAX_TRACKS - len(DOCUMENTED_TRACKS):
                return None
        track = self.tracks[name] = TrackState(self._window)
        return track

    def _sequence(self, number: int | None) -> None:
        if number is None:
            return
        expected = 1 if self._last_sequence is None else self._last_sequence + 1
        if number != expected:
            self._gap(Gap("sequence", None, expected, number))
        self._last_sequence = number

    def _gap(self, gap: Gap) -> None:
        self.gap_count += 1
        if len(self.gaps) < MAX_GAPS:
            self.gaps.append(gap)
