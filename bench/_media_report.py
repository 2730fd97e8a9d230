"""bench.media's report: its runs as Markdown tables, as JSON figures, and judged.

Runs of one receiver, transport and worker count (one per --repeats) make a row: the
median of each figure over them, except the counts of frames lost, out of order and late,
which are the worst run's. Each row's CPU per frame is also given as a ratio to the
fastest floor row of the same transport: the cheapest per frame among the floor rows that
kept up (p99 lateness within LATE), or among all if none did. A row that fell behind is
marked †: it read several frames per wake-up, which is cheaper per frame.
"""

# ruff: noqa: RUF001  (the tables use the multiplication sign and en dash on purpose)
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from bench._runs import Run, median, percentile
from bench._tally import LATE, TallyReport

__all__ = ["MediaFigures", "MediaReport", "Row", "figures", "met", "rows", "table", "worker_table"]

MAX_RSS_MB = 500  # per receiver process, outside --check


class Lateness(TypedDict):
    p50: float
    p99: float
    max: float


class WorkerFigures(TypedDict):
    streams: int
    frames: int
    cpu_s: float
    cpu_us_per_frame: float
    lateness_ms: Lateness
    late: int
    peak_rss_mb: float


class MediaFigures(TypedDict):
    """One run's figures, as --json writes them (bench.load reads them back)."""

    receiver: str
    transport: str
    workers: int
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
    cpu_us_per_frame: float
    wall_s: float
    peak_rss_mb: float
    descriptors_before: int
    sockets_before: int
    descriptors_after: int
    sockets_after: int
    generator_lag_ms: list[float]
    generator_exit_codes: list[int | None]
    cpu_pressure: float
    complete: bool
    per_worker: list[WorkerFigures]


class MediaReport(TypedDict):
    """What --json writes: the command, and every run in the order it ran."""

    command: str
    runs: list[MediaFigures]


def met(run: Run, check: bool) -> bool:
    """Whether a run passes: complete, and for our receiver with --check no descriptor left
    open, without it no frame late and each process under MAX_RSS_MB. A floor receiver that
    falls behind is a figure, not a failure: its rows are held to completeness only."""
    if not run.complete:
        return False
    if run.receiver.floor:
        return True
    if check:
        return run.descriptors_kept
    return not run.total("late") and all(r["peak_rss_mb"] < MAX_RSS_MB for r in run.reports)


def _worker(report: TallyReport) -> WorkerFigures:
    samples = report["samples_ms"]
    nan = float("nan")
    frames = report["frames"]
    return {
        "streams": report["streams"],
        "frames": frames,
        "cpu_s": report["cpu_s"],
        "cpu_us_per_frame": 1e6 * report["cpu_s"] / frames if frames else nan,
        "lateness_ms": {
            "p50": percentile(samples, 0.5),
            "p99": percentile(samples, 0.99),
            "max": report["worst_ms"],
        },
        "late": report["late"],
        "peak_rss_mb": report["peak_rss_mb"],
    }


def figures(run: Run) -> MediaFigures:
    return {
        "receiver": run.receiver.name,
        "transport": run.transport,
        "workers": run.workers,
        "streams": run.streams,
        "seconds": run.seconds,
        "tls": run.transport == "wss",
        "frames_scheduled": run.scheduled,
        "frames_sent": run.sent,
        "frames_received": run.frames,
        "lost": run.lost,
        "out_of_order": run.total("out_of_order"),
        "gaps": run.total("gaps"),
        "ended_by_stop": run.total("ended_by_stop"),
        "parameters_intact": run.total("parameters_intact"),
        "lateness_ms": {
            "p50": run.percentile_ms(0.5),
            "p99": run.percentile_ms(0.99),
            "max": run.worst_ms,
        },
        "late": run.total("late"),
        "cpu_s": run.cpu_s,
        "cpu_us_per_frame": run.us_per_frame,
        "wall_s": run.wall_s,
        "peak_rss_mb": run.peak_rss_mb,
        "descriptors_before": sum(r["descriptors_before"] for r in run.reports),
        "sockets_before": sum(r["sockets_before"] for r in run.reports),
        "descriptors_after": sum(r["descriptors_after"] for r in run.reports),
        "sockets_after": sum(r["sockets_after"] for r in run.reports),
        "generator_lag_ms": [1000 * lag for lag in run.lags],
        "generator_exit_codes": run.codes,
        "cpu_pressure": run.pressure,
        "complete": run.complete,
        "per_worker": [_worker(report) for report in run.reports],
    }


@dataclass(frozen=True)
class Row:
    """The runs of one receiver, transport and worker count: one line of the table."""

    runs: list[Run]

    @property
    def first(self) -> Run:
        return self.runs[0]

    @property
    def us_per_frame(self) -> float:
        return median([run.us_per_frame for run in self.runs])

    @property
    def kept_up(self) -> bool:
        """Its median p99 lateness is within LATE: it read frames about as they came."""
        return median([run.percentile_ms(0.99) for run in self.runs]) <= 1000 * LATE

    def cells(self, floor_us: float | None) -> list[str]:
        runs, first = self.runs, self.first
        us = f"{self.us_per_frame:.1f}"
        if len(runs) > 1:
            low, high = (f(run.us_per_frame for run in runs) for f in (min, max))
            us += f" ({low:.1f}–{high:.1f})"
        if not self.kept_up:
            us += " †"
        ratio = f"{self.us_per_frame / floor_us:.2f}×" if floor_us else ""
        worst = max(runs, key=lambda run: (run.lost, run.sent))
        lateness = " / ".join(
            f"{median(values):.1f}"
            for values in (
                [run.percentile_ms(0.5) for run in runs],
                [run.percentile_ms(0.99) for run in runs],
                [run.worst_ms for run in runs],
            )
        )
        lag = max((lag for run in runs for lag in run.lags), default=float("nan"))
        return [
            first.receiver.label,
            first.transport,
            str(first.workers),
            us,
            ratio,
            f"{100 * median([run.core_share for run in runs]):.0f} %",
            f"{worst.frames:,} / {worst.sent:,}",
            f"{max(run.lost for run in runs):,}",
            f"{max(run.total('out_of_order') for run in runs):,}",
            f"{max(run.total('late') for run in runs):,}",
            lateness,
            f"{median([run.peak_rss_mb for run in runs]):.0f}",
            f"{1000 * lag:.1f}",
            f"{100 * median([run.pressure for run in runs]):.0f} %",
        ]


def rows(runs: Sequence[Run], order: Sequence[str]) -> list[Row]:
    """The runs grouped by transport, receiver (in `order`) and worker count."""
    groups: dict[tuple[str, int, int], list[Run]] = {}
    for run in runs:
        key = (run.transport, order.index(run.receiver.name), run.workers)
        groups.setdefault(key, []).append(run)
    return [Row(groups[key]) for key in sorted(groups, key=lambda k: (k[0] != "wss", k[1], k[2]))]


BEHIND = (
    f"† fell behind (p99 lateness over {LATE * 1000:.0f} ms): it read several frames per "
    "wake-up, which costs less per frame, so its CPU per frame is not comparable with a row "
    "that kept up. The fastest floor of a transport is the cheapest floor row that kept up, "
    "or the cheapest of all if none did."
)


def fastest_floors(table_rows: Sequence[Row]) -> dict[str, float]:
    """Each transport's cheapest floor row per frame, among those that kept up if any did."""
    floors: dict[str, tuple[bool, float]] = {}
    for row in table_rows:
        us = row.us_per_frame
        if not row.first.receiver.floor or math.isnan(us):
            continue
        candidate = (not row.kept_up, us)  # one that kept up beats any that did not
        transport = row.first.transport
        floors[transport] = min(candidate, floors.get(transport, candidate))
    return {transport: us for transport, (_, us) in floors.items()}


def table(table_rows: Sequence[Row]) -> list[str]:
    """The main table, a line a row, each row's ratio to its transport's fastest floor."""
    floors = fastest_floors(table_rows)
    lines = [
        "| receiver | transport | workers | CPU µs/frame | × fastest floor | CPU, of one core "
        f"| frames received / sent | lost | out of order | later than {LATE * 1000:.0f} ms "
        "| lateness p50 / p99 / max ms | peak RSS MB | generator's worst lag ms "
        "| CPU pressure |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in table_rows:
        lines.append("| " + " | ".join(row.cells(floors.get(row.first.transport))) + " |")
    if not all(row.kept_up for row in table_rows):
        lines += ["", BEHIND]
    return lines


def worker_table(runs: Sequence[Run]) -> list[str]:
    """Each worker process of each run of our receiver, with the run's total after it."""
    lines = [
        "| receiver | transport | workers | run | worker | streams | frames | CPU s "
        "| CPU µs/frame | lateness p50 / p99 / max ms | late | peak RSS MB |",
        "|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    counted: dict[tuple[str, str, int], int] = {}
    for run in runs:
        if run.receiver.floor:
            continue
        key = (run.receiver.name, run.transport, run.workers)
        counted[key] = number = counted.get(key, 0) + 1
        lead = f"| {run.receiver.label} | {run.transport} | {run.workers} | {number} "
        for index, report in enumerate(run.reports, 1):
            worker = _worker(report)
            lateness = worker["lateness_ms"]
            lines.append(
                lead + f"| {index} | {worker['streams']} | {worker['frames']:,} "
                f"| {worker['cpu_s']:.1f} | {worker['cpu_us_per_frame']:.1f} "
                f"| {lateness['p50']:.1f} / {lateness['p99']:.1f} / {lateness['max']:.1f} "
                f"| {worker['late']:,} | {worker['peak_rss_mb']:.0f} |"
            )
        lines.append(
            lead + f"| all | {run.total('streams')} | {run.frames:,} | {run.cpu_s:.1f} "
            f"| {run.us_per_frame:.1f} | {run.percentile_ms(0.5):.1f} / "
            f"{run.percentile_ms(0.99):.1f} / {run.worst_ms:.1f} | {run.total('late'):,} "
            f"| {run.peak_rss_mb:.0f} |"
        )
    return lines
