"""bench.media's runs: one receiver, in one process or several, against the load generator.

A run starts the receiver's process (bench._ours or bench._floor; for --workers N, N of
them sharing one port with SO_REUSEPORT, so that the kernel spreads the streams over
them), then the generator's (bench._generator) against its port, waits for the generator
to finish, tells the receivers so and reads each one's report (bench._tally). This
process only waits meanwhile: what is measured is each receiver's own CPU, memory and
descriptors, in processes that run nothing else. Runs never overlap.
"""

# ruff: noqa: RUF001  (the log uses the multiplication sign on purpose)
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bench._generator import FRAME
from bench._process import Child, child_env, module_command
from bench._tally import TallyReport

__all__ = [
    "RECEIVERS",
    "Count",
    "Receiver",
    "Run",
    "Tls",
    "median",
    "percentile",
    "run",
    "settle",
]

Count = Literal[
    "streams", "frames", "late", "out_of_order", "gaps", "ended_by_stop", "parameters_intact"
]
"""A count in every receiver's report, added up over a run's workers."""


@dataclass(frozen=True)
class Receiver:
    """A row of the table: a receiver's process and how the table names it."""

    name: str  # as --receivers takes it
    label: str  # as the table shows it
    module: str
    args: tuple[str, ...]
    floor: bool  # a floor receiver, not ours: never run as several workers


RECEIVERS = (
    Receiver(
        "floor-picows", "picows + msgspec (floor)", "bench._floor", ("--kind", "picows"), True
    ),
    Receiver(
        "floor-websockets", "websockets + json", "bench._floor", ("--kind", "websockets"), True
    ),
    Receiver("floor-aiohttp", "aiohttp + orjson", "bench._floor", ("--kind", "aiohttp"), True),
    Receiver(
        "ours-iterate",
        "media.serve: async for event in session",
        "bench._ours",
        ("--style", "iterate"),
        False,
    ),
    Receiver(
        "ours-listener",
        "media.serve: add_listener + collect()",
        "bench._ours",
        ("--style", "listener"),
        False,
    ),
)


@dataclass(frozen=True)
class Tls:
    """A certificate for 127.0.0.1 for the receivers, and its CA for the generator."""

    server_pem: Path  # key and certificate chain
    ca_pem: Path

    @classmethod
    def make(cls, folder: Path) -> Tls:
        import trustme

        ca = trustme.CA()
        server = ca.issue_cert("127.0.0.1")
        tls = cls(folder / "server.pem", folder / "ca.pem")
        server.private_key_and_cert_chain_pem.write_to_path(str(tls.server_pem))
        ca.cert_pem.write_to_path(str(tls.ca_pem))
        return tls


@dataclass(frozen=True)
class Run:
    """One run's raw figures: each worker's report and what the generators said."""

    receiver: Receiver
    transport: str  # "wss" or "ws"
    workers: int
    streams: int
    seconds: float
    reports: list[TallyReport]  # one per receiver process
    sent: int
    lags: list[float]  # each generator's worst lag behind its own schedule, seconds
    codes: list[int | None]  # the generators' exit codes
    pressure: float  # the share of the run during which some task waited for a core

    @property
    def scheduled(self) -> int:
        return self.streams * round(self.seconds / FRAME)

    def total(self, key: Count) -> int:
        return sum(report[key] for report in self.reports)

    @property
    def frames(self) -> int:
        return self.total("frames")

    @property
    def lost(self) -> int:
        return self.scheduled - self.frames

    @property
    def cpu_s(self) -> float:
        return sum(report["cpu_s"] for report in self.reports)

    @property
    def wall_s(self) -> float:
        return max((report["wall_s"] for report in self.reports), default=0.0)

    @property
    def us_per_frame(self) -> float:
        return 1e6 * self.cpu_s / self.frames if self.frames else float("nan")

    @property
    def core_share(self) -> float:
        """CPU over the receiving window, in cores (2 workers at full tilt: 2.0)."""
        return self.cpu_s / self.wall_s if self.wall_s else float("nan")

    @property
    def worst_ms(self) -> float:
        return max((report["worst_ms"] for report in self.reports), default=float("nan"))

    def percentile_ms(self, fraction: float) -> float:
        return percentile([s for report in self.reports for s in report["samples_ms"]], fraction)

    @property
    def peak_rss_mb(self) -> float:
        """The receiver processes' peaks, added up."""
        return sum(report["peak_rss_mb"] for report in self.reports)

    @property
    def descriptors_kept(self) -> bool:
        """No receiver has more descriptors or sockets open after than before serving."""
        return all(
            report["descriptors_after"] == report["descriptors_before"]
            and report["sockets_after"] == report["sockets_before"]
            for report in self.reports
        )

    @property
    def complete(self) -> bool:
        """Every frame, in order and without a gap, every stream stopped, parameters intact,
        every process's report in, and no generator failed."""
        return (
            len(self.reports) == self.workers
            and self.frames == self.scheduled == self.sent
            and not self.total("out_of_order")
            and not self.total("gaps")
            and self.total("ended_by_stop") == self.streams
            and self.total("parameters_intact") == self.streams
            and not any(self.codes)
        )

    def summary(self) -> str:
        """One line for the progress log."""
        return (
            f"{self.transport} {self.receiver.name} ×{self.workers}: "
            f"{self.frames}/{self.sent} frames, {self.us_per_frame:.1f} µs/frame, "
            f"{100 * self.core_share:.0f}% of a core, p99 {self.percentile_ms(0.99):.1f} ms, "
            f"max {self.worst_ms:.1f} ms, generator lag "
            f"{max(self.lags, default=float('nan')) * 1000:.1f} ms"
        )


def _stalled() -> float:
    """Seconds, since boot, during which some runnable task waited for a core (Linux PSI,
    /proc/pressure/cpu "some"; NaN without it)."""
    try:
        with open("/proc/pressure/cpu") as pressure:
            return int(pressure.readline().rpartition("total=")[2]) / 1e6
    except (OSError, ValueError):
        return float("nan")


def settle(limit: float, quiet: float = 0.05) -> float:
    """Wait until some task has waited for a core less than `quiet` of the last 10 s (PSI
    avg10), at most `limit` seconds: the machine is shared. The seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            with open("/proc/pressure/cpu") as pressure:
                avg10 = float(pressure.readline().split()[1].partition("=")[2])
        except (OSError, ValueError, IndexError):
            break
        if avg10 < 100 * quiet:
            break
        time.sleep(1.0)
    return time.monotonic() - started


def _receiver(receiver: Receiver, port: int, reuse_port: bool, tls: Tls | None) -> Child:
    args = [*receiver.args, "--port", str(port)]
    if reuse_port:
        args.append("--reuse-port")
    if tls is not None:
        args += ["--cert", str(tls.server_pem)]
    return Child(receiver.module, *args)


def run(
    receiver: Receiver,
    *,
    transport: str,
    workers: int,
    streams: int,
    seconds: float,
    generators: int,
    tls: Tls | None,
) -> Run:
    """Serve `streams` streams for `seconds` with this receiver (as `workers` processes)."""
    assert transport == "ws" or tls is not None
    stalled, started_at = _stalled(), time.monotonic()
    children: list[Child] = []
    try:
        children.append(_receiver(receiver, 0, workers > 1, tls if transport == "wss" else None))
        port = int(json.loads(children[0].ready)["port"])
        for _ in range(workers - 1):
            children.append(_receiver(receiver, port, True, tls if transport == "wss" else None))
        url = f"{transport}://127.0.0.1:{port}"
        share, extra = divmod(streams, generators)
        started = []
        for index in range(generators):
            command = module_command(
                "bench._generator",
                url,
                "--streams",
                str(share + (index < extra)),
                "--seconds",
                str(seconds),
            )
            if transport == "wss":
                assert tls is not None
                command += ["--ca-file", str(tls.ca_pem)]
            started.append(
                subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=child_env())
            )
        outputs = [generator.communicate()[0] for generator in started]
        said = [json.loads(out.splitlines()[-1]) for out in outputs if out.strip()]
        reports: list[TallyReport] = []
        for child in children:
            child.write_line("done")
            try:
                reports.append(json.loads(child.read_line()))
            except RuntimeError as error:  # it ended without a report
                print(f"{receiver.name}: {error}", file=sys.stderr)
    finally:
        for child in children:
            child.close()
    return Run(
        receiver=receiver,
        transport=transport,
        workers=workers,
        streams=streams,
        seconds=seconds,
        reports=reports,
        sent=sum(int(report["sent"]) for report in said),
        lags=[float(report["lag"]) for report in said],
        codes=[generator.returncode for generator in started],
        pressure=(_stalled() - stalled) / (time.monotonic() - started_at),
    )


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at `fraction` of the way up the sorted samples (nearest rank below)."""
    ordered = sorted(samples)
    return ordered[int(fraction * (len(ordered) - 1))] if ordered else float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
