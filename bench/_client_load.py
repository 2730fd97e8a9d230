"""The REST half of the load check: one AsyncClient's creates and stops under load.

The emulator runs in another process (bench._emulator_process, started as
`python -m bench._emulator_process`), so that this process's memory and descriptors are
the client's own. `rest_phase` registers the calls, drives every create and stop through
one `AsyncClient` with a bounded number in flight, closes it, and compares what the client
saw with what the emulator holds; `RestRun` keeps the figures and says which checks hold,
`rest_lines` is its section of bench.load's report. bench.load's docstring says what is
checked and why.
"""

# ruff: noqa: RUF001, RUF003  (the tables use the multiplication sign on purpose)
from __future__ import annotations

import asyncio
import gc
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench._emulator_process import EmulatorProcess
from bench._emulator_process import Settings as EmulatorSettings
from bench._process import Descriptors, peak_rss_mb
from bench._report import Check, verdicts

if TYPE_CHECKING:
    from signalwire_streams import Stream

__all__ = ["RSS_LIMIT_MB", "RestRun", "rest_lines", "rest_phase"]

STREAM_URL = "wss://media.example.com/load"
RSS_LIMIT_MB = 200


@dataclass
class RestRun:
    calls: int
    per_call: int
    in_flight: int
    made: int = 0
    succeeded: int = 0
    failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    wrong_answers: int = 0  # a stop answered with another stream or not `stopped`
    peak_in_flight: int = 0
    peak_both: tuple[int, int] = (0, 0)  # creates, stops in flight at once, at best
    elapsed: float = 0.0
    created: dict[str, tuple[str, str]] = field(default_factory=dict)  # sid: (call, name)
    fds_before: tuple[int, int] = (0, 0)
    fds_after: tuple[int, int] = (0, 0)
    left_open: list[str] = field(default_factory=list)
    rss_mb: float = 0.0
    emulator_requests: int = 0
    emulator_by_status: dict[str, int] = field(default_factory=dict)
    calls_miscounted: int = 0  # calls whose request count is not 2 × per_call
    unknown_to_emulator: int = 0
    unknown_to_client: int = 0
    not_stopped: int = 0

    @property
    def expected(self) -> int:
        return 2 * self.calls * self.per_call

    @property
    def lost(self) -> int:
        return self.unknown_to_emulator + self.unknown_to_client + self.not_stopped

    def checks(self) -> list[Check]:
        return [
            (f"requests made = {self.expected}", self.made == self.expected),
            ("every request succeeded", self.succeeded == self.made and not self.failed),
            ("every answer names the right stream", not self.wrong_answers),
            (
                f"emulator received exactly {self.made} requests, all 200",
                self.emulator_requests == self.made
                and self.emulator_by_status == {"200": self.made},
            ),
            ("each call received its own requests, no more", not self.calls_miscounted),
            ("0 streams lost", self.lost == 0),
            ("0 descriptors and 0 sockets left open", self.fds_after == self.fds_before),
            (f"peak RSS < {RSS_LIMIT_MB} MB", self.rss_mb < RSS_LIMIT_MB),
        ]


async def drive(run: RestRun, settings: EmulatorSettings, call_sids: list[str]) -> None:
    """All the creates and stops through one AsyncClient, then aclose()."""
    from signalwire_streams import AsyncClient

    gc.collect()
    before = Descriptors.now()
    run.fds_before = (before.total, before.sockets)
    client = AsyncClient(settings["project_id"], settings["api_token"], settings["base_url"])
    gate = asyncio.Semaphore(run.in_flight)
    flying = {"create": 0, "stop": 0}

    async def request(
        kind: str, call: str, argument: str, name: str | None = None
    ) -> Stream | None:
        async with gate:
            run.made += 1
            flying[kind] += 1
            total = flying["create"] + flying["stop"]
            run.peak_in_flight = max(run.peak_in_flight, total)
            if min(flying.values()) > min(run.peak_both):
                run.peak_both = (flying["create"], flying["stop"])
            try:
                if kind == "create":
                    stream = await client.streams.create(call, argument, name=name)
                else:
                    stream = await client.streams.stop(call, argument)
            except Exception as error:
                run.failed += 1
                run.errors[type(error).__name__] += 1
                return None
            finally:
                flying[kind] -= 1
            run.succeeded += 1
            return stream

    async def lifecycle(number: int, call: str, name: str, starting: asyncio.Semaphore) -> None:
        try:
            stream = await request("create", call, STREAM_URL, name)
            if stream is None:
                return
            run.created[stream.sid] = (call, name)
            by_name = number % 2 == 1
            stopped = await request("stop", call, name if by_name else stream.sid)
            if stopped is not None and (stopped.sid != stream.sid or stopped.status != "stopped"):
                run.wrong_answers += 1
        finally:
            starting.release()

    # Streams are started in a random order over the calls; at most twice `in_flight` are
    # under way at once, so the semaphore's queue always holds both creates and stops.
    plan = [
        (call, f"load-{index}-{k}")
        for index, call in enumerate(call_sids)
        for k in range(run.per_call)
    ]
    random.Random(1).shuffle(plan)
    starting = asyncio.Semaphore(2 * run.in_flight)
    tasks = []
    started = time.perf_counter()
    for number, (call, name) in enumerate(plan):
        await starting.acquire()
        tasks.append(asyncio.create_task(lifecycle(number, call, name, starting)))
    await asyncio.gather(*tasks)
    run.elapsed = time.perf_counter() - started
    await client.aclose()
    del tasks
    # Give the loop a moment to run the transports' connection_lost callbacks, then collect.
    await asyncio.sleep(0.25)
    gc.collect()
    after = Descriptors.now()
    run.fds_after = (after.total, after.sockets)
    run.left_open = after.opened_since(before)


def rest_phase(calls: int, per_call: int, in_flight: int) -> RestRun:
    run = RestRun(calls, per_call, in_flight)
    emulated = EmulatorProcess()
    try:
        call_sids = emulated.add_calls(calls)
        print(
            f"REST: {calls} calls × {per_call} streams, {in_flight} in flight …",
            file=sys.stderr,
        )
        asyncio.run(drive(run, emulated.settings, call_sids))
        run.rss_mb = peak_rss_mb()
        state = emulated.state()
    finally:
        emulated.close()
    run.emulator_requests = state.requests
    run.emulator_by_status = state.requests_by_status
    received = state.requests_per_call
    run.calls_miscounted = sum(received.get(sid, 0) != 2 * per_call for sid in call_sids)
    held: dict[str, tuple[str, str, str | None]] = {}
    for call, streams in state.streams.items():
        for sid, status, name in streams:
            held[sid] = (call, status, name)
    run.unknown_to_emulator = sum(
        sid not in held or held[sid][0] != call for sid, (call, _) in run.created.items()
    )
    run.unknown_to_client = sum(sid not in run.created for sid in held)
    run.not_stopped = sum(status != "stopped" for _, status, _ in held.values())
    return run


def rest_lines(rest: RestRun) -> list[str]:
    rate = rest.made / rest.elapsed if rest.elapsed else 0.0
    both = rest.peak_both
    errors = ", ".join(f"{name} × {n}" for name, n in rest.errors.most_common()) or "none"
    lines = [
        "",
        "## REST: one AsyncClient against the emulator (in another process)",
        "",
        "| measure | value |",
        "|---|--:|",
        f"| calls × creates per call | {rest.calls} × {rest.per_call} |",
        f"| in flight (semaphore) / peak measured | {rest.in_flight} / {rest.peak_in_flight} |",
        f"| creates and stops in flight together, at best | {both[0]} + {both[1]} |",
        f"| requests made | {rest.made:,} |",
        f"| succeeded | {rest.succeeded:,} |",
        f"| failed | {rest.failed:,} ({errors}) |",
        f"| emulator's request count | {rest.emulator_requests:,} |",
        "| emulator's requests by status | "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(rest.emulator_by_status.items()))
        + " |",
        f"| streams created (client's sids) | {len(rest.created):,} |",
        f"| lost | {rest.lost} |",
        f"| … sids the emulator lacks | {rest.unknown_to_emulator} |",
        f"| … streams the client never heard of | {rest.unknown_to_client} |",
        f"| … not `stopped` at the end | {rest.not_stopped} |",
        f"| descriptors before the client / after aclose | "
        f"{rest.fds_before[0]} / {rest.fds_after[0]} |",
        f"| sockets before the client / after aclose | "
        f"{rest.fds_before[1]} / {rest.fds_after[1]} |",
        f"| left open | {rest.fds_after[0] - rest.fds_before[0]} |",
        f"| client process peak RSS | {rest.rss_mb:.1f} MB |",
        f"| elapsed | {rest.elapsed:.2f} s |",
        f"| requests/s | {rate:,.0f} |",
        "",
        "Descriptors are counted in /proc/self/fd 0.25 s after `aclose()`, after "
        "gc.collect(); peak RSS is VmHWM for this process, which holds the "
        "client only (the emulator runs in its own process).",
    ]
    if rest.left_open:
        lines += ["", "Left open:", "", *(f"- `{target}`" for target in rest.left_open)]
    return [*lines, "", "| check | |", "|---|---|", *verdicts(rest.checks())]
