"""A Session's memory is bounded whatever the peer sends and however long the call.

Each case runs in a fresh child process (so that memory freed by other tests cannot hide
growth), feeds a session through its public constructor (an async iterable of messages,
made one at a time) and measures the child's peak resident memory while it runs (Linux's
VmHWM, reset first), beyond what it held before: `bench.memory`'s measure, which prints
the README's memory table. Hostile peers send 200,000 frames on new
track names, numbered out of order, pressing keys or echoing marks; an honest one streams
an hour of both tracks.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from signalwire_streams import media

from bench.memory import START, feed, hour_of_both_tracks, media_message, peak_growth

ROOT = Path(__file__).resolve().parents[2]


def _measure(case: str) -> dict[str, Any]:
    """Run `CASES[case]` in a fresh interpreter: its session's figures and memory growth."""
    code = f"from tests.media.test_session_bounds import report; report({case!r})"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    figures: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    print(f"\n{case}: peak memory grew {figures['grew']:.2f} MiB")
    return figures


def report(case: str) -> None:
    """In the child: measure one case and print its figures as JSON."""
    session, grew = peak_growth(CASES[case])
    figures = {
        "grew": grew,
        "frames": session.frames,
        "untracked": session.untracked_frames,
        "tracks": list(session.tracks),
        "gap_count": session.gap_count,
        "gaps": len(session.gaps),
        "dtmf_count": session.dtmf_count,
        "dtmf": session.dtmf,
        "mark_count": session.mark_count,
        "last_mark": (session.marks or [None])[-1],
        "malformed": session.malformed_frames,
        "end": session.end,
        "durations": [session.duration("inbound"), session.duration("outbound")],
        "kept": [len(session.payload("inbound")), len(session.payload("outbound"))],
    }
    print(json.dumps(figures))


def _hostile(frames: Iterator[str]) -> media.Session:
    return media.Session(feed(itertools.chain([START], frames)))


HOSTILE = 200_000


def new_track_names() -> Iterator[str]:
    return (media_message(n + 2, 1, track=f"track-{n}") for n in range(HOSTILE))


def out_of_order() -> Iterator[str]:
    return (media_message(HOSTILE - n, HOSTILE - n) for n in range(HOSTILE))


def keys() -> Iterator[str]:
    return (
        json.dumps({"event": "dtmf", "sequenceNumber": str(n + 2), "dtmf": {"digit": "5"}})
        for n in range(HOSTILE)
    )


def marks() -> Iterator[str]:
    return (
        json.dumps({"event": "mark", "sequenceNumber": str(n + 2), "mark": {"name": f"m{n}"}})
        for n in range(HOSTILE)
    )


CASES: dict[str, Callable[[], media.Session]] = {
    "new_track_names": lambda: _hostile(new_track_names()),
    "out_of_order": lambda: _hostile(out_of_order()),
    "keys": lambda: _hostile(keys()),
    "marks": lambda: _hostile(marks()),
    "an_hour": lambda: media.Session(feed(hour_of_both_tracks())),
    "an_hour_a_minute_kept": lambda: media.Session(feed(hour_of_both_tracks()), keep_audio=60),
    "an_hour_ten_minutes_kept": lambda: media.Session(feed(hour_of_both_tracks()), keep_audio=600),
}


@pytest.mark.parametrize("case", ["new_track_names", "out_of_order", "keys", "marks"])
def test_200_000_hostile_frames_leave_under_5_mb(case: str) -> None:
    figures = _measure(case)
    assert figures["grew"] < 5
    assert figures["malformed"] == 0 and figures["end"] == "close"
    if case == "new_track_names":  # the first two unknown names (inbound, outbound: none)
        assert figures["tracks"] == ["track-0", "track-1"] and figures["frames"] == HOSTILE
        assert figures["untracked"] == HOSTILE - 2
    if case == "out_of_order":
        assert figures["gap_count"] >= HOSTILE and figures["gaps"] == 100
    if case == "keys":
        assert figures["dtmf_count"] == HOSTILE and figures["dtmf"] == "5" * 256
    if case == "marks":
        assert figures["mark_count"] == HOSTILE and figures["last_mark"] == f"m{HOSTILE - 1}"


def test_an_hour_of_both_tracks_grows_the_heap_under_8_mb_by_default() -> None:
    figures = _measure("an_hour")
    assert figures["grew"] < 8
    assert figures["frames"] == 2 * 3600 * 50 and figures["gap_count"] == 0
    assert figures["durations"] == [3600.0, 3600.0] and figures["kept"] == [0, 0]


def test_keeping_a_minute_costs_about_a_minute() -> None:
    figures = _measure("an_hour_a_minute_kept")
    assert figures["kept"] == [60 * 8000, 60 * 8000]  # 0.92 MiB of µ-law on two tracks
    assert figures["grew"] < 8


def test_the_measure_sees_memory_that_is_kept() -> None:
    """The control: ten minutes kept on each track (9.2 MiB of µ-law) does show."""
    figures = _measure("an_hour_ten_minutes_kept")
    assert figures["kept"] == [600 * 8000, 600 * 8000]
    assert figures["grew"] > 9
