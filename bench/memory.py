"""What each `Session` setting costs in memory per stream-hour (scripts/bench_memory).

Each setting runs in a fresh interpreter (`python -m bench.memory --case NAME`), so that
memory another run freed cannot hide growth. The child feeds a session an hour of a
both-tracks µ-law stream (360,000 frames, as SignalWire sends them) through the public
constructor, one message at a time, and reports how much its peak resident memory (Linux's
VmHWM, reset first) grew beyond what it held before; and, for a recording, the WAV's size.
The parent prints a Markdown table: the README's memory table is its output.

    scripts/bench_memory              all settings, one hour each
    scripts/bench_memory --hours 0.1  quicker, the same per-hour figures scaled
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path

from signalwire_streams import media

from ._process import child_env, module_command
from ._report import command_line, write_text

__all__ = ["CASES", "START", "feed", "hour_of_both_tracks", "main", "media_message", "peak_growth"]

MiB = 2**20
_PAYLOAD = base64.b64encode(bytes(range(160))).decode()  # 20 ms of µ-law
START = json.dumps(
    {
        "event": "start",
        "sequenceNumber": "1",
        "start": {"streamSid": "MZ1", "callSid": "CA1", "tracks": ["inbound", "outbound"]},
    }
)


def media_message(sequence: int, chunk: int, track: str = "inbound") -> str:
    """One 20 ms µ-law frame as SignalWire words it."""
    return (
        f'{{"event":"media","sequenceNumber":"{sequence}","media":{{"track":"{track}",'
        f'"chunk":"{chunk}","timestamp":"{chunk * 20}","payload":"{_PAYLOAD}"}}}}'
    )


def hour_of_both_tracks(hours: float = 1.0) -> Iterator[str]:
    """`start`, then `hours` of both tracks at 50 frames a second each."""
    sequence = 1
    yield START
    for chunk in range(1, round(hours * 3600 * 50) + 1):
        for track in ("inbound", "outbound"):
            sequence += 1
            yield media_message(sequence, chunk, track)


async def feed(messages: Iterator[str]) -> AsyncIterator[str]:
    """The messages as a socket gives them: the loop runs between reads."""
    for number, message in enumerate(messages):
        yield message
        if number % 1000 == 0:
            await asyncio.sleep(0)


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def peak_growth(make: Callable[[], media.Session]) -> tuple[media.Session, float]:
    """The collected session, and how much this process's peak resident memory grew (MiB)."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak starts again from what is resident now
    before = _status_mib("VmRSS")
    session = asyncio.run(make().collect())
    return session, _status_mib("VmHWM") - before


def _recorded(hours: float, folder: str) -> media.Session:
    session = media.Session(feed(hour_of_both_tracks(hours)))
    session.record(os.path.join(folder, "call.wav"))
    return session


# Each setting: its words in the table, and how to make its session for `hours`.
CASES: dict[str, tuple[str, Callable[[float, str], media.Session]]] = {
    "default": ("`Session()` (the default: nothing kept)", lambda h, _: _plain(h)),
    "keep_minute": ("`keep_audio=True` (the last minute)", lambda h, _: _plain(h, True)),
    "keep_ten": ("`keep_audio=600` (the last ten minutes)", lambda h, _: _plain(h, 600)),
    "record": ("`session.record(path)` / `serve(record_dir=)`", _recorded),
}


def _plain(hours: float, keep: float | bool = 0.0) -> media.Session:
    return media.Session(feed(hour_of_both_tracks(hours)), keep_audio=keep)


def _child(case: str, hours: float) -> None:
    """In the child: run one setting and print its figures as one JSON line."""
    with tempfile.TemporaryDirectory() as folder:
        session, grew = peak_growth(lambda: CASES[case][1](hours, folder))
        wav = os.path.join(folder, "call.wav")
        disk = os.path.getsize(wav) if os.path.exists(wav) else 0
    kept = sum(len(session.payload(track)) for track in ("inbound", "outbound"))
    print(json.dumps({"grew": grew, "frames": session.frames, "kept": kept, "disk": disk}))


def _measure(case: str, hours: float) -> dict[str, float]:
    result = subprocess.run(
        module_command("bench.memory", "--case", case, "--hours", str(hours)),
        capture_output=True,
        text=True,
        env=child_env(),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.memory --case {case} failed:\n{result.stderr}")
    figures: dict[str, float] = json.loads(result.stdout.splitlines()[-1])
    return figures


def _table(hours: float, rows: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| setting | heap growth per stream-hour | audio kept in memory | on disk per hour |",
        "|---|---:|---:|---:|",
    ]
    for case, figures in rows.items():
        disk = figures["disk"] / hours
        lines.append(
            f"| {CASES[case][0]} | {figures['grew']:.2f} MiB | "
            f"{figures['kept'] / MiB:.2f} MiB | "
            f"{f'{disk / MiB:.0f} MiB (16-bit WAV, 2 channels)' if disk else '-'} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench_memory", description=__doc__)
    parser.add_argument("--hours", type=float, default=1.0, help="stream length (default 1)")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    if not 0 < args.hours <= 10:
        parser.error("--hours must be more than 0 and at most 10")
    if args.case is not None:
        _child(args.case, args.hours)
        return 0
    rows = {case: _measure(case, args.hours) for case in CASES}
    report = [
        f"# Memory per stream-hour: `{command_line('scripts/bench_memory', argv or sys.argv[1:])}`",
        "",
        f"One both-tracks µ-law stream of {args.hours:g} h (memory figures are for that "
        "length: the defaults do not grow with it; disk is per hour).",
        "",
        *_table(args.hours, rows),
    ]
    text = "\n".join(report) + "\n"
    print(text, end="")
    if args.out is not None:
        write_text(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
