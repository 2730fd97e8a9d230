"""Load: many creates and stops through one AsyncClient, and many live media streams.

    .venv/bin/python scripts/load                  both phases, full size (about a minute)
    .venv/bin/python scripts/load --quick          a smoke run in a few seconds
    .venv/bin/python scripts/load --rest-only      only the REST phase
    .venv/bin/python scripts/load --media-only --seconds 60

REST: the emulator (`Emulator(media=False)`) runs in another process (bench._emulator_process,
started as `python -m bench._emulator_process`), so this process's memory and descriptors
are the client's own. It registers --calls calls (500); one `AsyncClient` then makes
--per-call creates (4) on each, every one with its own name, and stops every stream it
created, half by sid and half by name, with at most --in-flight requests (200) in flight:
an asyncio.Semaphore bounds the requests, and each stop is sent as soon as its create has
answered, so creates and stops are in flight together. Then `aclose()`. Checked: every
request succeeded; the emulator received exactly as many as the client made (a retry
would show); no stream is lost (a sid the client got that the emulator lacks, a stream the
emulator has that the client never heard of, a stream not `stopped` at the end); this
process has no more descriptors or sockets open after `aclose()` (counted 0.25 s later,
after gc.collect()) than before the client was made; and its peak resident memory
(VmHWM) is under 200 MB.

Media: scripts/bench_media --check (run as `python -m bench.media --check --json FILE …`)
with --streams (200) for --seconds (20) over TLS: every frame arrives, in order, with no
gap, every stream ends with `stop`, and the receiver has no more descriptors open once all
sessions closed than before its server started. Lateness and the receiver's memory are
reported, not judged.

It prints a Markdown table, writes it to --out (default load-results.md), and exits 1 when
a check fails. These are figures, not timed tests: pass or fail does not depend on speed.
"""

# ruff: noqa: RUF001  (the tables use the multiplication sign on purpose)
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bench._client_load import RestRun, rest_lines, rest_phase
from bench._process import child_env, module_command
from bench._report import Check, all_passed, command_line, verdicts, write_text

if TYPE_CHECKING:
    from bench._media_report import MediaFigures, MediaReport

__all__ = ["Settings", "main", "media_checks", "report"]

MediaRun = tuple["MediaFigures | None", int]  # the figures, if any, and the exit code


@dataclass(frozen=True)
class Settings:
    """The run as asked for on the command line, defaults filled in."""

    argv: list[str]
    rest: bool
    media: bool
    calls: int
    per_call: int
    in_flight: int
    streams: int
    seconds: float
    out: Path


# --- media: bench.media --check, in its own process ---------------------------------------


def media_phase(settings: Settings) -> MediaRun:
    print(
        f"media: {settings.streams} streams × {settings.seconds:g} s, real-time pace, TLS …",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "media.json"
        command = module_command(
            "bench.media",
            "--check",
            "--receivers",
            "ours-iterate",
            "--transport",
            "wss",
            "--streams",
            str(settings.streams),
            "--seconds",
            str(settings.seconds),
            "--json",
            str(figures),
            "--out",
            str(Path(folder) / "bench-media.md"),
        )
        done = subprocess.run(command, capture_output=True, text=True, env=child_env())
        if done.returncode != 0 or not figures.exists():
            sys.stderr.write(done.stdout + done.stderr)
        result = None
        if figures.exists():
            (result,) = cast("MediaReport", json.loads(figures.read_text()))["runs"]
    return result, done.returncode


def media_checks(media: MediaFigures | None, code: int) -> list[Check]:
    if media is None:
        return [("scripts/bench_media ran to the end", False)]
    scheduled = media["frames_scheduled"]
    return [
        (
            f"every frame arrived ({scheduled} sent and received)",
            media["frames_sent"] == media["frames_received"] == scheduled,
        ),
        ("in order, no gaps", not media["out_of_order"] and not media["gaps"]),
        ("every stream ended with stop", media["ended_by_stop"] == media["streams"]),
        (
            "0 descriptors and 0 sockets left open in the receiver",
            media["descriptors_after"] == media["descriptors_before"]
            and media["sockets_after"] == media["sockets_before"],
        ),
        ("bench_media --check exited 0", code == 0),
    ]


# --- the report ---------------------------------------------------------------------------


def _media_lines(media: MediaRun) -> list[str]:
    figures, code = media
    lines = ["", "## Media: scripts/bench_media --check", ""]
    if figures is not None:
        lateness = figures["lateness_ms"]
        lags = ", ".join(f"{lag:.1f} ms" for lag in figures["generator_lag_ms"])
        lines += [
            "| measure | value |",
            "|---|--:|",
            f"| streams | {figures['streams']} concurrent, {figures['seconds']:g} s, "
            f"{'wss' if figures['tls'] else 'ws'} |",
            f"| frames sent / received | {figures['frames_sent']:,} / "
            f"{figures['frames_received']:,} |",
            f"| lost | {figures['lost']} |",
            f"| out of order | {figures['out_of_order']} |",
            f"| gaps | {figures['gaps']} |",
            f"| ended by stop | {figures['ended_by_stop']} of {figures['streams']} |",
            f"| lateness p50 / p99 / max | {lateness['p50']:.1f} / {lateness['p99']:.1f} / "
            f"{lateness['max']:.1f} ms |",
            f"| frames later than 100 ms | {figures['late']:,} |",
            f"| generator's own worst lag | {lags} |",
            f"| receiver descriptors before the server / after all sessions closed | "
            f"{figures['descriptors_before']} / {figures['descriptors_after']} |",
            f"| receiver sockets before / after | {figures['sockets_before']} / "
            f"{figures['sockets_after']} |",
            f"| left open | {figures['descriptors_after'] - figures['descriptors_before']} |",
            f"| receiver CPU | {figures['cpu_s']:.1f} s over {figures['wall_s']:.1f} s |",
            f"| receiver peak RSS | {figures['peak_rss_mb']:.0f} MB |",
            "",
        ]
    return [*lines, "| check | |", "|---|---|", *verdicts(media_checks(figures, code))]


def report(settings: Settings, rest: RestRun | None, media: MediaRun | None) -> str:
    lines = [
        "# Load",
        "",
        f"`{command_line('scripts/load', settings.argv)}`",
        "",
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; "
        f"{time.strftime('%Y-%m-%d %H:%M')}.",
    ]
    if rest is not None:
        lines += rest_lines(rest)
    if media is not None:
        lines += _media_lines(media)
    return "\n".join(lines) + "\n"


def parse(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small numbers: a smoke run")
    phase = parser.add_mutually_exclusive_group()
    phase.add_argument("--rest-only", action="store_true")
    phase.add_argument("--media-only", action="store_true")
    parser.add_argument("--calls", type=int, help="calls registered (500; quick 20)")
    parser.add_argument("--per-call", type=int, help="creates per call (4; quick 2)")
    parser.add_argument("--in-flight", type=int, help="requests in flight (200; quick 10)")
    parser.add_argument("--streams", type=int, help="media streams (200; quick 5)")
    parser.add_argument("--seconds", type=float, help="media stream length (20; quick 2)")
    parser.add_argument("--out", type=Path, default=Path("load-results.md"))
    args = parser.parse_args(argv)
    quick: bool = args.quick
    return Settings(
        argv=list(argv),
        rest=not args.media_only,
        media=not args.rest_only,
        calls=args.calls or (20 if quick else 500),
        per_call=args.per_call or (2 if quick else 4),
        in_flight=args.in_flight or (10 if quick else 200),
        streams=args.streams or (5 if quick else 200),
        seconds=args.seconds or (2.0 if quick else 20.0),
        out=args.out,
    )


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse(sys.argv[1:] if argv is None else argv)
    rest = (
        rest_phase(settings.calls, settings.per_call, settings.in_flight) if settings.rest else None
    )
    media = media_phase(settings) if settings.media else None

    text = report(settings, rest, media)
    print(text)
    write_text(settings.out, text)
    print(f"wrote {settings.out}", file=sys.stderr)
    checks = (rest.checks() if rest is not None else []) + (
        media_checks(*media) if media is not None else []
    )
    return 0 if all_passed(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
