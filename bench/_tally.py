"""What every media receiver bench.media measures does per event, and the life of its process.

Every receiver, ours (bench._ours) and the floor's (bench._floor), runs in a process of its
own, started by bench.media, and does the same work per event through one `Stream` per
connection: on `start`, it reads the `t0` custom parameter (when the stream's audio began,
CLOCK_MONOTONIC) and checks that the `probe` parameter arrived intact; on each `media`
frame, it counts the frame, measures its lateness (now minus t0 + the frame's `timestamp`),
counts it late past LATE, keeps the worst and one lateness in SAMPLE_EVERY for
percentiles, and counts a chunk number that does not follow the last one as out of order
(not above it) or a gap (above it plus one); on `stop`, it marks the stream ended by it.
Only the parsing differs, which is what the rows compare.

The process's life, the same for every receiver (`run_receiver`):

    python -m bench._ours|bench._floor … --port P [--reuse-port] [--cert PEM]

It counts its descriptors, starts serving and prints its first line, `{"port": P}`. It
reads its CPU time (getrusage: user + system) when its first stream connects and again
each time its last open stream ends, so start-up and the wait for the generator are not
counted. When a line (or end of file) arrives on stdin, the generator has finished: it
waits for its open streams to end (at most --drain-seconds), stops serving, counts its
descriptors again and prints its last line, a `TallyReport` as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hmac
import json
import resource
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TypedDict

from bench._generator import PROBE, TOKEN
from bench._process import Descriptors, peak_rss_mb

__all__ = [
    "LATE",
    "SAMPLE_EVERY",
    "Options",
    "Serving",
    "Stream",
    "Tally",
    "TallyReport",
    "receiver_parser",
    "run_receiver",
    "token_ok",
]

LATE = 0.100  # a frame later than this is late
SAMPLE_EVERY = 25  # one lateness in 25 is kept for percentiles: bounded memory


class TallyReport(TypedDict):
    """A receiver process's last line out."""

    streams: int  # connections seen
    ended_by_stop: int
    parameters_intact: int
    frames: int
    late: int
    worst_ms: float
    out_of_order: int
    gaps: int
    samples_ms: list[float]  # one lateness in SAMPLE_EVERY
    cpu_s: float  # from the first stream's connection to the last one's end
    wall_s: float
    peak_rss_mb: float
    descriptors_before: int  # before serving
    sockets_before: int
    descriptors_after: int  # after serving, once every stream ended
    sockets_after: int


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Tally:
    """What one receiver process saw, over all its streams."""

    def __init__(self) -> None:
        self.frames = 0
        self.late = 0
        self.worst = 0.0
        self.samples: list[float] = []
        self.out_of_order = 0
        self.gaps = 0
        self.ended_by_stop = 0
        self.parameters_intact = 0
        self.streams = 0
        self.open = 0
        self.cpu_first = self.cpu_last = 0.0
        self.wall_first = self.wall_last = 0.0

    def opened(self) -> Stream:
        """A stream connected: the first one starts the CPU window."""
        if not self.streams:
            self.cpu_first, self.wall_first = _cpu(), time.monotonic()
        self.streams += 1
        self.open += 1
        return Stream(self)

    def closed(self, stream: Stream) -> None:
        """A stream's connection ended: the last open one ends the CPU window (for now)."""
        self.open -= 1
        self.ended_by_stop += stream.stopped
        if not self.open:
            self.cpu_last, self.wall_last = _cpu(), time.monotonic()

    def report(self, before: Descriptors, after: Descriptors) -> TallyReport:
        return {
            "streams": self.streams,
            "ended_by_stop": self.ended_by_stop,
            "parameters_intact": self.parameters_intact,
            "frames": self.frames,
            "late": self.late,
            "worst_ms": 1000 * self.worst,
            "out_of_order": self.out_of_order,
            "gaps": self.gaps,
            "samples_ms": [round(1000 * sample, 3) for sample in self.samples],
            "cpu_s": max(0.0, self.cpu_last - self.cpu_first),
            "wall_s": max(0.0, self.wall_last - self.wall_first),
            "peak_rss_mb": peak_rss_mb(),
            "descriptors_before": before.total,
            "sockets_before": before.sockets,
            "descriptors_after": after.total,
            "sockets_after": after.sockets,
        }


class Stream:
    """One connection's tally: what every receiver calls per event."""

    __slots__ = ("last_chunk", "stopped", "t0", "tally")

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.t0 = 0.0
        self.last_chunk = 0
        self.stopped = False

    def start(self, t0: str | None, probe: str | None) -> None:
        self.t0 = float(t0) if t0 is not None else 0.0
        if probe == PROBE:
            self.tally.parameters_intact += 1

    def media(self, timestamp: int, chunk: int) -> None:
        tally = self.tally
        lateness = time.monotonic() - (self.t0 + timestamp / 1000)
        tally.frames += 1
        if lateness > LATE:
            tally.late += 1
        if lateness > tally.worst:
            tally.worst = lateness
        if tally.frames % SAMPLE_EVERY == 0:
            tally.samples.append(lateness)
        last = self.last_chunk
        if chunk != last + 1:
            if chunk <= last:
                tally.out_of_order += 1
            else:
                tally.gaps += 1
        self.last_chunk = chunk

    def stop(self) -> None:
        self.stopped = True


def token_ok(values: Sequence[str]) -> bool:
    """Whether an upgrade's Authorization headers are exactly one `Bearer <TOKEN>`."""
    return len(values) == 1 and hmac.compare_digest(
        values[0].encode("utf-8", "surrogatepass"), f"Bearer {TOKEN}".encode()
    )


@dataclass(frozen=True)
class Options:
    """Where and how a receiver serves."""

    port: int
    reuse_port: bool
    ssl: ssl.SSLContext | None


Serving = Callable[[Tally, Options], AbstractAsyncContextManager[int]]
"""A receiver: serves while entered, feeding the tally; entering gives the bound port."""


def receiver_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options every receiver process takes; the caller adds its own."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument(
        "--reuse-port", action="store_true", help="SO_REUSEPORT: share the port with others"
    )
    parser.add_argument("--cert", metavar="PEM", help="serve wss: key and certificate chain")
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=60.0,
        help="once told the generator finished, wait this long at most for streams to end",
    )
    return parser


def run_receiver(serving: Serving, args: argparse.Namespace) -> int:
    """Serve until told the generator finished and every stream ended; report (above)."""
    context = None
    if args.cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert)
    options = Options(port=args.port, reuse_port=args.reuse_port, ssl=context)
    report = asyncio.run(_receive(serving, options, args.drain_seconds))
    print(json.dumps(report), flush=True)
    return 0


async def _receive(serving: Serving, options: Options, drain: float) -> TallyReport:
    tally = Tally()
    gc.collect()
    before = Descriptors.now()
    async with serving(tally, options) as port:
        print(json.dumps({"port": port}), flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # the generator has finished
        deadline = time.monotonic() + drain
        while tally.open and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    # Every stream has ended and the server is closed: give the loop a moment to run the
    # transports' connection_lost callbacks, and collect, before counting what is open.
    await asyncio.sleep(0.25)
    gc.collect()
    return tally.report(before, Descriptors.now())
