"""What `receive` shows: a line when a stream starts, a summary when it ends, a total at the
end, and, on a terminal, a table of the live streams redrawn in place four times a second.

Two views with one interface. `PlainView` writes event lines only, for pipes, logs and
tests: each line is final once written. `LiveView` adds the table below those lines,
redrawn with two ANSI sequences (up N lines, clear to the end), which every terminal
emulator in use understands; nothing else of a terminal library is needed.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from .._errors import ProtocolError
from ..media import Session

__all__ = ["LiveView", "PlainView", "Tally", "view_for"]

REFRESH_SECONDS = 0.25
_DTMF_SHOWN = 12  # the latest keys in a row of the table


def _seconds(session: Session) -> float:
    """Seconds of audio received: the longest track's (tracks run side by side)."""
    try:
        return max((session.duration(track) for track in session.tracks), default=0.0)
    except ProtocolError:  # an encoding this version cannot time
        return 0.0


def _tracks(session: Session) -> str:
    start = session.start
    listed = start.tracks if start is not None and start.tracks else session.tracks
    return "+".join(listed) or "-"


def _per_track(session: Session) -> str:
    return ", ".join(f"{track} {session.frames_on(track)}" for track in session.tracks) or "0"


@dataclass
class Tally:
    """What every stream of a `receive` run added up to."""

    streams: int = 0
    seconds: float = 0.0
    frames: int = 0
    gaps: int = 0
    dtmf: int = 0
    malformed: int = 0
    recordings: list[str] = field(default_factory=list)
    refused: int = 0

    def add(self, session: Session) -> None:
        self.streams += 1
        self.seconds += _seconds(session)
        self.frames += session.frames
        self.gaps += session.gap_count
        self.dtmf += session.dtmf_count
        self.malformed += session.malformed_frames
        if session.recording is not None:
            self.recordings.append(session.recording)


class PlainView:
    """Event lines only: started, ended (with its summary), refused, the total."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live: list[Session] = []
        self.tally = Tally()

    def _emit(self, lines: Iterable[str]) -> None:
        self.out.write("".join(f"{line}\n" for line in lines))
        self.out.flush()

    def say(self, *lines: str) -> None:
        self._emit(lines)

    def started(self, session: Session) -> None:
        self.live.append(session)
        media_format = session.media_format
        names = ", ".join(session.custom_parameters) or "none"
        line = (
            f"stream started: call {session.call_sid}, stream {session.stream_sid}, "
            f"tracks {_tracks(session)}, {media_format.encoding} {media_format.sample_rate} Hz, "
            f"parameters {names}"
        )
        self._emit([line])

    def ended(self, session: Session, *, by_receiver: bool) -> None:
        if session in self.live:
            self.live.remove(session)
        self.tally.add(session)
        end = f"{session.end} (this receiver stopped)" if by_receiver else str(session.end)
        lines = [
            f"stream ended: call {session.call_sid}, stream {session.stream_sid}",
            f"  audio      {_seconds(session):.2f} s",
            f"  frames     {session.frames} ({_per_track(session)})",
            f"  gaps       {session.gap_count}",
            f"  dtmf       {session.dtmf or 'none'}",
            f"  ended by   {end}",
        ]
        if session.malformed_frames:
            lines.append(f"  malformed  {session.malformed_frames} frames skipped")
        if session.recording is not None:
            lines.append(f"  wav        {session.recording}")
        self._emit(lines)

    def refused(self, status: int, reason: str) -> None:
        self.tally.refused += 1
        self._emit([f"refused a connection: {reason} ({status})"])

    def total(self) -> None:
        tally = self.tally
        lines = [
            f"stopped: {tally.streams} stream{'' if tally.streams == 1 else 's'} received",
            f"  audio      {tally.seconds:.2f} s",
            f"  frames     {tally.frames}",
            f"  gaps       {tally.gaps}",
            f"  dtmf       {tally.dtmf} key{'' if tally.dtmf == 1 else 's'}",
            f"  refused    {tally.refused} connection{'' if tally.refused == 1 else 's'}",
        ]
        if tally.malformed:
            lines.append(f"  malformed  {tally.malformed} frames skipped")
        if tally.recordings:
            lines.append(f"  wav files  {len(tally.recordings)}")
        self._emit(lines)

    async def run(self) -> None:
        """Nothing to redraw: event lines are written as they happen."""


def table(sessions: list[Session], width: int) -> list[str]:
    """The live streams, one row each, cut to `width` columns."""
    if not sessions:
        return ["waiting for streams (Ctrl-C to stop)"[:width]]
    rows = [f"{'call':<36}  {'tracks':<16}  {'audio':>9}  {'frames':>7}  {'gaps':>5}  dtmf"]
    for session in sessions:
        digits = session.dtmf[-_DTMF_SHOWN:] or "-"
        rows.append(
            f"{session.call_sid or '?':<36}  {_tracks(session):<16}  "
            f"{_seconds(session):>7.1f} s  {session.frames:>7}  {session.gap_count:>5}  {digits}"
        )
    return [row[:width] for row in rows]


class LiveView(PlainView):
    """Event lines, with the table of live streams kept below them, redrawn in place."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._drawn = 0  # lines of the table on screen, above the cursor
        self._closing = False

    def _emit(self, lines: Iterable[str]) -> None:
        width = max(20, shutil.get_terminal_size().columns - 1)
        rows = [] if self._closing else table(self.live, width)
        # Up to the table's first line and clear to the end of the screen, then the new
        # event lines (they stay), then the table again.
        erase = f"\x1b[{self._drawn}F\x1b[J" if self._drawn else ""
        body = "".join(f"{line}\n" for line in [*lines, *rows])
        self.out.write(erase + body)
        self.out.flush()
        self._drawn = len(rows)

    async def run(self) -> None:
        """Redraw the table every REFRESH_SECONDS until cancelled."""
        while True:
            self._emit(())
            await asyncio.sleep(REFRESH_SECONDS)

    def total(self) -> None:
        self._closing = True  # the table goes; the total takes its place
        super().total()


def view_for(out: TextIO) -> PlainView:
    """The table on a terminal; event lines anywhere else."""
    isatty = getattr(out, "isatty", None)
    return LiveView(out) if callable(isatty) and isatty() else PlainView(out)
