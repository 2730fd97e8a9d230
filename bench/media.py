"""Load on the media server: many concurrent 8 kHz streams at real-time pace, in one process.

    .venv/bin/python scripts/bench_media                  500 streams, 20 s, over TLS
    .venv/bin/python scripts/bench_media --streams 200 --seconds 10 --no-tls

This process runs `signalwire_streams.media.serve` with a `Session` per connection, exactly
as a user would. A load generator in another process (bench._generator, started as
`python -m bench._generator URL …`, --generators of them) opens the connections and plays
SignalWire: `connected`, `start` with custom parameters, then one µ-law `media` frame of
20 ms per stream every 20 ms, then `stop`. Each stream's `start` carries the moment its
audio began (`t0`, CLOCK_MONOTONIC, shared by processes on Linux), so the receiver
measures each frame's lateness against the real-time schedule: arrival minus (t0 +
media.timestamp). A generator that falls behind makes the figure worse, never better. The
receiver's CPU time (getrusage) and peak resident memory (VmHWM) are its own.

It prints a table and writes it as Markdown (--out, default bench-media.md); --json FILE
also writes the figures as JSON (`MediaFigures`), for scripts/load. It exits 1 when a frame
is lost, out of order or late by more than 100 ms; with --check, lateness is reported but
not judged, and it exits 1 when a frame is lost, out of order or missing from a gap, a
stream does not end with `stop`, or the receiver has more descriptors open after every
session closed and the server stopped than before the server started.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import ssl
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from bench._generator import FRAME, PROBE, TOKEN
from bench._process import Descriptors, child_env, module_command, peak_rss_mb
from bench._report import command_line, write_json, write_text

__all__ = ["LATE", "Lateness", "MediaFigures", "Settings", "main", "receive", "report"]

LATE = 0.100  # a frame later than this is late


class Lateness(TypedDict):
    p50: float
    p99: float
    max: float


class MediaFigures(TypedDict):
    """The figures --json writes: what bench.load reads back."""

    streams: int
    seconds: float
    tls: bool
    frames_scheduled: int
    frames_sent: int
    frames_received: int
    lost: int
    out_of_order: int
    gaps: int
    ended_by_stop: int
    parameters_intact: int
    lateness_ms: Lateness
    late: int
    cpu_s: float
    wall_s: float
    peak_rss_mb: float
    descriptors_before: int
    sockets_before: int
    descriptors_after: int
    sockets_after: int
    generator_lag_ms: list[float]
    generator_exit_codes: list[int | None]
    complete: bool


@dataclass(frozen=True)
class Settings:
    """The run as asked for on the command line."""

    argv: list[str]
    streams: int
    seconds: float
    generators: int
    tls: bool
    out: Path
    json: Path | None
    check: bool


@dataclass
class Tally:
    """What the receiver saw, over all streams."""

    frames: int = 0
    late: int = 0
    worst: float = 0.0
    lateness: list[float] = field(default_factory=list)
    out_of_order: int = 0
    gaps: int = 0
    ended_by_stop: int = 0
    parameters_intact: int = 0
    sessions: int = 0


@dataclass(frozen=True)
class Run:
    """A run's raw figures: the receiver's tally and what it measured of itself."""

    tally: Tally
    sent: int
    lags: list[float]
    codes: list[int | None]
    fds_before: tuple[int, int]  # descriptors, sockets
    fds_after: tuple[int, int]
    cpu: float
    wall: float
    peak_mb: float


async def receive(settings: Settings) -> Run:
    """Serve, start the generators, wait for every stream to end, and measure."""
    from signalwire_streams import media

    tally = Tally()
    sample_every = 25  # keep one lateness in 25 for percentiles: bounded memory

    async def handle(session: media.Session) -> None:
        tally.sessions += 1
        t0 = 0.0
        last_chunk = 0
        async for event in session:
            if type(event) is media.Media:
                lateness = time.monotonic() - (t0 + (event.timestamp or 0) / 1000)
                tally.frames += 1
                if lateness > LATE:
                    tally.late += 1
                if lateness > tally.worst:
                    tally.worst = lateness
                if tally.frames % sample_every == 0:
                    tally.lateness.append(lateness)
                if (event.chunk or 0) <= last_chunk:
                    tally.out_of_order += 1
                last_chunk = event.chunk or 0
            elif type(event) is media.Start:
                t0 = float(event.custom_parameters["t0"])
                if event.custom_parameters.get("probe") == PROBE:
                    tally.parameters_intact += 1
        tally.gaps += len(session.gaps)
        tally.ended_by_stop += session.end == "stop"

    context: ssl.SSLContext | None = None
    ca_file: Path | None = None
    folder = tempfile.TemporaryDirectory()
    if settings.tls:
        import trustme

        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        ca_file = Path(folder.name) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))

    gc.collect()
    before_server = Descriptors.now()
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    async with media.serve(handle, ssl=context, bearer_token=TOKEN) as server:
        generators = []
        share, extra = divmod(settings.streams, settings.generators)
        for index in range(settings.generators):
            command = module_command(
                "bench._generator",
                server.url,
                "--streams",
                str(share + (index < extra)),
                "--seconds",
                str(settings.seconds),
            )
            if ca_file is not None:
                command += ["--ca-file", str(ca_file)]
            generators.append(
                await asyncio.create_subprocess_exec(
                    *command, stdout=asyncio.subprocess.PIPE, env=child_env()
                )
            )
        outputs = [await g.communicate() for g in generators]
        codes = [g.returncode for g in generators]
        reports = [json.loads(out.splitlines()[-1]) for out, _ in outputs if out.strip()]
        lags: list[float] = [report["lag"] for report in reports]
        sent: int = sum(report["sent"] for report in reports)
        while (
            tally.ended_by_stop + tally.gaps < settings.streams
            and time.monotonic() - started < 30 + settings.seconds
        ):
            await asyncio.sleep(0.05)
    after = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.monotonic() - started
    folder.cleanup()
    # Every session has ended and the server is closed: give the loop a moment to run the
    # transports' connection_lost callbacks, and collect, before counting what is still open.
    await asyncio.sleep(0.25)
    gc.collect()
    after_all = Descriptors.now()
    return Run(
        tally=tally,
        sent=sent,
        lags=lags,
        codes=codes,
        fds_before=(before_server.total, before_server.sockets),
        fds_after=(after_all.total, after_all.sockets),
        cpu=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        wall=wall,
        peak_mb=peak_rss_mb(),
    )


def report(settings: Settings, run: Run) -> int:
    """Print the table, write it (and the JSON figures); the exit code the run deserves."""
    tally, fds_before, fds_after = run.tally, run.fds_before, run.fds_after
    expected = settings.streams * round(settings.seconds / FRAME)
    ordered = sorted(tally.lateness)
    p99 = ordered[int(0.99 * (len(ordered) - 1))] if ordered else float("nan")
    p50 = ordered[len(ordered) // 2] if ordered else float("nan")
    rows = [
        (
            "streams",
            f"{settings.streams} concurrent, 8 kHz µ-law, 20 ms frames, "
            f"{settings.seconds:g} s each",
        ),
        ("transport", ("wss (TLS on loopback)" if settings.tls else "ws (no TLS)")),
        (
            "frames received / sent",
            f"{tally.frames} / {run.sent} (lost {expected - tally.frames})",
        ),
        ("out of order, gaps", f"{tally.out_of_order}, {tally.gaps}"),
        ("custom parameters intact", f"{tally.parameters_intact} of {settings.streams}"),
        ("ended by stop", f"{tally.ended_by_stop} of {settings.streams}"),
        (
            "lateness p50 / p99 / max",
            f"{1000 * p50:.1f} / {1000 * p99:.1f} / {1000 * tally.worst:.1f} ms",
        ),
        (f"frames later than {LATE * 1000:.0f} ms", str(tally.late)),
        (
            "receiver CPU",
            f"{run.cpu:.1f} s over {run.wall:.1f} s ({100 * run.cpu / run.wall:.0f}% of one core)",
        ),
        ("receiver peak resident memory", f"{run.peak_mb:.0f} MB"),
        (
            "receiver descriptors (sockets) before / after",
            f"{fds_before[0]} ({fds_before[1]}) / {fds_after[0]} ({fds_after[1]})",
        ),
        ("generator's own worst lag", ", ".join(f"{1000 * lag:.1f} ms" for lag in run.lags)),
        ("generator exit codes", ", ".join(map(str, run.codes))),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")
    table = "| measure | value |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)
    command = command_line("scripts/bench_media", settings.argv)
    write_text(settings.out, f"# Media server load\n\n`{command}`\n\n{table}")
    print(f"\nwritten to {settings.out}")
    complete = (
        tally.frames == expected
        and not tally.out_of_order
        and not tally.gaps
        and tally.ended_by_stop == settings.streams
        and tally.parameters_intact == settings.streams
        and fds_after == fds_before
    )
    if settings.json is not None:
        figures: MediaFigures = {
            "streams": settings.streams,
            "seconds": settings.seconds,
            "tls": settings.tls,
            "frames_scheduled": expected,
            "frames_sent": run.sent,
            "frames_received": tally.frames,
            "lost": expected - tally.frames,
            "out_of_order": tally.out_of_order,
            "gaps": tally.gaps,
            "ended_by_stop": tally.ended_by_stop,
            "parameters_intact": tally.parameters_intact,
            "lateness_ms": {"p50": 1000 * p50, "p99": 1000 * p99, "max": 1000 * tally.worst},
            "late": tally.late,
            "cpu_s": run.cpu,
            "wall_s": run.wall,
            "peak_rss_mb": run.peak_mb,
            "descriptors_before": fds_before[0],
            "sockets_before": fds_before[1],
            "descriptors_after": fds_after[0],
            "sockets_after": fds_after[1],
            "generator_lag_ms": [1000 * lag for lag in run.lags],
            "generator_exit_codes": run.codes,
            "complete": complete,
        }
        write_json(settings.json, figures)
    met = complete
    if not settings.check:
        ordered_in_time = tally.late == 0 and not tally.out_of_order
        met = tally.frames == expected and ordered_in_time and run.peak_mb < 500
    return 0 if met and not any(run.codes) else 1


def parse(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--generators", type=int, default=1, help="load generator processes")
    parser.add_argument("--no-tls", dest="tls", action="store_false")
    parser.add_argument("--out", type=Path, default=Path("bench-media.md"))
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures as JSON here"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="judge completeness only: every frame, in order, every stream stopped, "
        "no descriptor left open (lateness is reported, not judged)",
    )
    args = parser.parse_args(argv)
    return Settings(
        argv=list(argv),
        streams=args.streams,
        seconds=args.seconds,
        generators=args.generators,
        tls=args.tls,
        out=args.out,
        json=args.json,
        check=args.check,
    )


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse(sys.argv[1:] if argv is None else argv)
    return report(settings, asyncio.run(receive(settings)))


if __name__ == "__main__":
    sys.exit(main())
