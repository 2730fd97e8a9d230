"""Load on the media server: our receiver beside the floor, under many real-time streams.

    .venv/bin/python scripts/bench_media                  every row, wss and ws: 500 streams, 20 s
    .venv/bin/python scripts/bench_media --quick          a smoke run of every row
    .venv/bin/python scripts/bench_media --transport wss --receivers ours --workers 1,2
    .venv/bin/python scripts/bench_media --repeats 3      the rows interleaved, medians

A load generator (bench._generator, --generators processes) opens the connections and
plays SignalWire: `connected`, `start` with custom parameters, then one µ-law `media`
frame of 20 ms per stream every 20 ms, then `stop`. Each stream's `start` carries the
moment its audio began (`t0`, CLOCK_MONOTONIC, shared by processes on Linux), so the
receiver measures each frame's lateness against the real-time schedule: arrival minus
(t0 + media.timestamp). A generator that falls behind makes the figure worse, never better.

The rows (--receivers, in this order; `floor` and `ours` name their groups):

    floor-picows       picows + msgspec: a WSListener with the tally in on_ws_frame
    floor-websockets   websockets + json: `async for message in connection`
    floor-aiohttp      aiohttp + orjson (skipped, with a note, if orjson is missing)
    ours-iterate       media.serve, the README's `async for event in session`
    ours-listener      media.serve, `session.add_listener(tally)` + `await session.collect()`

Each receiver runs in a process of its own (bench._floor, bench._ours) and does the same
work per event (bench._tally); its CPU (user + system) is counted from its first stream's
connection to its last one's end, so start-up is not. Receivers run one after another,
never two at once, over wss (TLS in the receiver) and ws (--transport). --workers 1,2 runs
our receiver also as 2 processes sharing one port (`reuse_port=True`), the kernel
spreading the streams over them; a table then shows each worker. With --repeats N every
row runs N times, interleaved with the others, and the table gives medians. The machine
may be shared: before each run it waits (--settle, at most 30 s) until no task has waited
for a core more than 5 % of the last 10 s, and each row gives the share of its run during
which one did (CPU pressure, from /proc/pressure/cpu). A receiver that falls behind reads
several frames per wake-up and spends less per frame: CPU per frame compares rows that
kept up, at low pressure.

It prints the table and writes it as Markdown (--out, default bench-media.md); --json FILE
also writes every run's figures (`MediaReport`), for scripts/load. It exits 1 when a run
of any row loses a frame, has one out of order or missing from a gap, a stream does not
end with `stop` or loses its parameters, or a generator fails; and when our receiver has a
frame late by more than 100 ms or a process over 500 MB. With --check (our receiver over
wss unless --receivers and --transport say otherwise), lateness and memory are reported
but not judged, and it exits 1 also when our receiver has more descriptors open after
every stream ended and its server stopped than before the server started.
"""

# ruff: noqa: RUF001  (the tables use the multiplication sign on purpose)
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from bench._media_report import MediaReport, figures, met, rows, table, worker_table
from bench._report import command_line, write_json, write_text
from bench._runs import RECEIVERS, Receiver, Run, Tls, run, settle

__all__ = ["Settings", "main", "parse"]

GROUPS = {
    "floor": [r.name for r in RECEIVERS if r.floor],
    "ours": [r.name for r in RECEIVERS if not r.floor],
}
QUICK = (50, 3.0)  # streams, seconds
FULL = (500, 20.0)


@dataclass(frozen=True)
class Settings:
    """The run as asked for on the command line, defaults filled in."""

    argv: list[str]
    streams: int
    seconds: float
    generators: int
    transports: list[str]  # "wss", "ws"
    receivers: list[Receiver]
    workers: list[int]  # our receiver's process counts
    repeats: int
    settle: float  # seconds to wait at most, before each run, for the machine to be quiet
    out: Path
    json: Path | None
    check: bool
    notes: list[str]  # rows skipped, and why


def plan(settings: Settings) -> list[tuple[Receiver, str, int]]:
    """Every run, in the order they run: each repeat runs every row once."""
    one = [
        (receiver, transport, workers)
        for transport in settings.transports
        for receiver in settings.receivers
        for workers in ([1] if receiver.floor else settings.workers)
    ]
    return one * settings.repeats


def header(settings: Settings) -> list[str]:
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("picows", "msgspec", "websockets", "aiohttp", "orjson")
        if importlib.util.find_spec(name) is not None
    )
    return [
        "# Media server load: our receiver beside the floor",
        "",
        f"`{command_line('scripts/bench_media', settings.argv)}`",
        "",
        f"{settings.streams} concurrent streams, 8 kHz µ-law, a 20 ms frame per stream every "
        f"20 ms, {settings.seconds:g} s each; {settings.generators} generator process(es). "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {packages}; "
        f"{time.strftime('%Y-%m-%d %H:%M')}. CPU is each receiver process's user + system "
        "time from its first stream's connection to its last one's end. CPU pressure is "
        "the share of a run during which some task, ours or another's, waited for a core "
        "(/proc/pressure/cpu): on 2 cores, a receiver and the generator alone make none"
        + (
            f". Each row: the medians of {settings.repeats} runs, but the worst run's frames, "
            "losses and late frames"
            if settings.repeats > 1
            else ""
        )
        + ".",
    ]


def report(settings: Settings, runs: list[Run]) -> int:
    """Print the tables, write them (and the JSON figures); the exit code the runs deserve."""
    order = [r.name for r in RECEIVERS]
    lines = [*header(settings), "", *table(rows(runs, order))]
    if any(workers > 1 for workers in settings.workers) and any(
        not receiver.floor for receiver in settings.receivers
    ):
        lines += ["", "Each worker of our receiver, run by run:", "", *worker_table(runs)]
    lines += [f"\n{note}" for note in settings.notes]
    failed: dict[str, int] = {}
    for each in runs:
        if not met(each, settings.check):
            name = f"{each.transport} {each.receiver.name} ×{each.workers}"
            failed[name] = failed.get(name, 0) + 1
    if failed:
        of = f" of {settings.repeats} runs" if settings.repeats > 1 else " run"
        lines += ["", "Failed: " + "; ".join(f"{k} ({n}{of})" for k, n in failed.items())]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    write_text(settings.out, text)
    print(f"written to {settings.out}")
    if settings.json is not None:
        data: MediaReport = {
            "command": command_line("scripts/bench_media", settings.argv),
            "runs": [figures(r) for r in runs],
        }
        write_json(settings.json, data)
    return 1 if failed or not runs else 0


def _receivers(value: str | None, check: bool) -> list[Receiver]:
    names: list[str] = []
    for name in (value or ("ours-iterate" if check else "floor,ours")).split(","):
        for member in GROUPS.get(name.strip(), [name.strip()]):
            if member not in names:
                names.append(member)
    known = {receiver.name: receiver for receiver in RECEIVERS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"unknown receiver(s): {', '.join(unknown)}; choose from {list(known)}")
    return [receiver for receiver in RECEIVERS if receiver.name in names]


def _workers(value: str) -> list[int]:
    try:
        counts = [int(part) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("a process count, or several: 1,2") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("at least 1 process")
    return sorted(set(counts))


def parse(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50 streams, 3 s")
    parser.add_argument("--streams", type=int, help=f"concurrent streams ({FULL[0]})")
    parser.add_argument("--seconds", type=float, help=f"each stream's length ({FULL[1]:g})")
    parser.add_argument("--generators", type=int, default=1, help="load generator processes")
    parser.add_argument(
        "--transport",
        choices=["wss", "ws", "both"],
        help="wss: TLS in the receiver; ws: none, as behind a proxy (both; --check: wss)",
    )
    parser.add_argument(
        "--receivers",
        help="rows, comma-separated: floor-picows, floor-websockets, floor-aiohttp, "
        "ours-iterate, ours-listener, or the groups floor and ours (all; --check: ours-iterate)",
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        default=[1],
        help="our receiver's processes sharing one port; 1,2 runs both (1)",
    )
    parser.add_argument("--repeats", type=int, default=1, help="runs of every row (1), medians")
    parser.add_argument(
        "--settle",
        type=float,
        metavar="SECONDS",
        help="before each run, wait at most this long (30; --check: 0) until no task has "
        "waited for a core more than 5%% of the last 10 s (/proc/pressure/cpu)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench-media.md"))
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write every run's figures as JSON here"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="judge completeness only: every frame, in order, every stream stopped, "
        "no descriptor left open (lateness is reported, not judged)",
    )
    args = parser.parse_args(argv)
    streams, seconds = QUICK if args.quick else FULL
    transport = args.transport or ("wss" if args.check else "both")
    receivers = _receivers(args.receivers, args.check)
    notes = []
    if importlib.util.find_spec("orjson") is None and any(
        r.name == "floor-aiohttp" for r in receivers
    ):
        receivers = [r for r in receivers if r.name != "floor-aiohttp"]
        notes.append("aiohttp + orjson: skipped, orjson is not installed (pip install '.[bench]').")
    return Settings(
        argv=list(argv),
        streams=args.streams or streams,
        seconds=args.seconds or seconds,
        generators=args.generators,
        transports=["wss", "ws"] if transport == "both" else [transport],
        receivers=receivers,
        workers=args.workers,
        repeats=max(1, args.repeats),
        settle=args.settle if args.settle is not None else (0.0 if args.check else 30.0),
        out=args.out,
        json=args.json,
        check=args.check,
        notes=notes,
    )


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse(sys.argv[1:] if argv is None else argv)
    runs: list[Run] = []
    todo = plan(settings)
    with tempfile.TemporaryDirectory() as folder:
        tls = Tls.make(Path(folder)) if "wss" in settings.transports else None
        for number, (receiver, transport, workers) in enumerate(todo, 1):
            waited = settle(settings.settle)
            if waited >= 1:
                print(f"waited {waited:.0f} s for a quiet machine", file=sys.stderr, flush=True)
            done = run(
                receiver,
                transport=transport,
                workers=workers,
                streams=settings.streams,
                seconds=settings.seconds,
                generators=settings.generators,
                tls=tls,
            )
            print(f"[{number}/{len(todo)}] {done.summary()}", file=sys.stderr, flush=True)
            runs.append(done)
    return report(settings, runs)


if __name__ == "__main__":
    sys.exit(main())
