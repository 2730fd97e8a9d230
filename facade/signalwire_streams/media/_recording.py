"""A stream's audio written to a WAV file as it arrives, in bounded memory.

16-bit PCM, one channel per track in the order `start` lists them, and on a bidirectional
stream a `sent` channel: what this side sent, placed where the call hears it. Tracks arrive
as separate frames, so each is buffered until the others catch up; a track that falls more
than `MAX_LAG_SECONDS` behind (or has stopped, or is silent) is padded with silence, which
bounds the buffers. Audio sent runs at most the send queue's length ahead.
The header's sizes are rewritten every second of audio, flushing the file, so that a
process that dies mid-call leaves a valid WAV of all but the last second; `close()` writes
the final sizes.
"""

from __future__ import annotations

import os
import struct
from array import array
from collections.abc import Sequence
from os import PathLike
from typing import BinaryIO

from .._errors import ProtocolError

__all__ = ["MAX_LAG_SECONDS", "Recording"]

MAX_LAG_SECONDS = 1.0
_HEADER = 44


def _header(channels: int, sample_rate: int, data_bytes: int) -> bytes:
    block = 2 * channels
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block, block, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


class Recording:
    """Writes PCM frames per track to one WAV file; `feed` them, then `close()`."""

    def __init__(self, path: str | PathLike[str], tracks: Sequence[str], sample_rate: int) -> None:
        if not tracks:
            raise ProtocolError("a recording needs at least one track")
        if not 0 < sample_rate * 2 * len(tracks) <= 0xFFFF_FFFF or len(tracks) > 8:
            raise ProtocolError(f"{len(tracks)} track(s) at {sample_rate} Hz cannot be a WAV file")
        self.path = os.fspath(path)
        self.tracks = tuple(tracks)
        self.sample_rate = sample_rate
        self.data_bytes = 0
        self._file: BinaryIO | None = open(self.path, "wb")  # noqa: SIM115 (closed in close())
        self._file.write(_header(len(self.tracks), sample_rate, 0))
        self._pending = {track: bytearray() for track in self.tracks}
        self._max_lag = int(MAX_LAG_SECONDS * sample_rate) * 2  # bytes of one track
        self._next_fix = 2 * sample_rate * len(self.tracks)  # one second of audio

    @property
    def closed(self) -> bool:
        return self._file is None

    def feed(self, track: str, pcm: bytes) -> None:
        """Add 16-bit little-endian PCM on one track (a track not recorded is ignored)."""
        pending = self._pending.get(track)
        if pending is None or self._file is None:
            return
        pending += pcm
        ready = min(len(buffer) for buffer in self._pending.values())
        ahead = len(pending) - ready
        if ahead > self._max_lag:  # the others fell behind: they were silent meanwhile
            target = len(pending) - self._max_lag // 2
            target -= target % 2
            for buffer in self._pending.values():
                if len(buffer) < target:
                    buffer.extend(bytes(target - len(buffer)))
            ready = min(len(buffer) for buffer in self._pending.values())
        if ready:
            self._write(ready)

    def feed_played(self, track: str, pcm: bytes) -> None:
        """Add audio this side sends on `track`, where the call will hear it: after what is
        queued on that track, and not before now (the furthest other track). It may run
        ahead of the others; it is written as they catch up."""
        pending = self._pending.get(track)
        if pending is None or self._file is None:
            return
        now = max((len(b) for t, b in self._pending.items() if t != track), default=0)
        if len(pending) < now:
            pending.extend(bytes(now - len(pending)))
        pending += pcm
        ready = min(len(buffer) for buffer in self._pending.values())
        if ready:
            self._write(ready)

    def drop_unplayed(self, track: str) -> None:
        """Forget the audio of `track` beyond now (the furthest other track): it was cleared
        before it played."""
        pending = self._pending.get(track)
        if pending is None or self._file is None:
            return
        now = max((len(b) for t, b in self._pending.items() if t != track), default=0)
        del pending[now:]

    def close(self) -> None:
        """Write what is buffered (padding shorter tracks with silence) and the final sizes."""
        if self._file is None:
            return
        longest = max(len(buffer) for buffer in self._pending.values())
        for buffer in self._pending.values():
            buffer.extend(bytes(longest - len(buffer)))
        if longest:
            self._write(longest)
        self._fix_header()
        self._file.close()
        self._file = None

    def _write(self, size: int) -> None:
        assert self._file is not None
        buffers = list(self._pending.values())
        if len(buffers) == 1:
            self._file.write(buffers[0][:size])
        else:
            out = array("h", bytes(size * len(buffers)))
            for channel, buffer in enumerate(buffers):  # 2-byte units: any byte order
                out[channel :: len(buffers)] = array("h", bytes(buffer[:size]))
            self._file.write(out.tobytes())
        for buffer in buffers:
            del buffer[:size]
        self.data_bytes += size * len(buffers)
        if self.data_bytes >= self._next_fix:
            self._fix_header()
            self._next_fix = self.data_bytes + 2 * self.sample_rate * len(buffers)

    def _fix_header(self) -> None:
        assert self._file is not None
        self._file.seek(0)
        self._file.write(_header(len(self.tracks), self.sample_rate, self.data_bytes))
        self._file.seek(0, os.SEEK_END)
        self._file.flush()
