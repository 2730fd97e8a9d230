"""What the client costs on top of the request itself, against a canned loopback server.

    scripts/bench                 the full run (a few minutes): bench-results.md (+ .png)
    scripts/bench --quick         a smoke run in well under a minute; rough figures
    scripts/bench --out FILE.md   where the Markdown table goes; the plot goes beside it

The server is a separate process that answers every POST with the same canned 200 stream,
so it is not what is measured. Each figure is this process's CPU time (time.process_time)
and wall time per create, the median over several repetitions of thousands of calls, the
contenders taking turns so that a slow minute on the machine hits all of them. Read the
ratios, to the floor (a raw keep-alive socket sending a pre-built request) and to the
peers, not the absolute times: those belong to this machine.

twilio-python, aiohttp and matplotlib rows appear when installed: `pip install -e '.[bench]'`.
Run it with the project's virtualenv Python, e.g. `.venv/bin/python scripts/bench`.

The server is bench._canned, started as `python -m bench._canned` and pinned to a core of
its own when there are two; the rows are bench._contenders; this module measures them, the
imports in fresh interpreters and µ-law decoding, and writes the table and the plot.
"""

# ruff: noqa: RUF001  (the tables use the multiplication sign on purpose)
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench._canned import ACCOUNT, API_PATH, CALL, TOKEN, TWILIO_BASE, WSS, canned_server
from bench._contenders import Contender, contenders, installed
from bench._report import command_line, write_text

__all__ = ["ImportRow", "Settings", "main", "report"]


@dataclass(frozen=True)
class Settings:
    """The run as asked for on the command line, defaults filled in."""

    argv: list[str]
    out: Path
    calls: int
    repeats: int
    import_repeats: int
    mulaw_seconds: int


# --- measuring --------------------------------------------------------------------------


def measure(contender: Contender, n: int) -> None:
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    contender.block(n)
    contender.cpu.append((time.process_time() - cpu) / n)
    contender.wall.append((time.perf_counter() - wall) / n)


def run_requests(base: str, n: int, repeats: int) -> list[Contender]:
    rows = contenders(base)
    try:
        for row in rows:  # warm up: connections opened, code paths loaded
            row.block(max(n // 4, 2 * row.in_flight))
        for repeat in range(repeats):
            for row in rows:
                measure(row, n)
            print(f"  repetition {repeat + 1}/{repeats} done", file=sys.stderr)
    finally:
        for row in rows:
            with suppress(Exception):
                row.close()
    return rows


@dataclass
class ImportRow:
    label: str
    code: str
    times: list[float] = field(default_factory=list)


def import_rows(base: str) -> list[ImportRow]:
    create = f"c.streams.create({CALL!r}, {WSS!r}, name='bench')"
    ours = f"{ACCOUNT!r}, {TOKEN!r}, {base!r}"
    rows = [
        ImportRow("`import httpx`", "import httpx"),
        ImportRow("`import signalwire_streams`", "import signalwire_streams"),
        ImportRow(
            "`from signalwire_streams import Client`", "from signalwire_streams import Client"
        ),
        ImportRow(
            "… + `Client(…)` + first create",
            f"from signalwire_streams import Client\nc = Client({ours})\n{create}",
        ),
        ImportRow(
            "… + `AsyncClient(…)` + first create",
            "import asyncio\nfrom signalwire_streams import AsyncClient\n"
            "async def main():\n"
            f"    async with AsyncClient({ours}) as c:\n"
            f"        await {create}\n"
            "asyncio.run(main())",
        ),
        ImportRow("`import httpx, attrs`", "import httpx, attrs"),
    ]
    if installed("aiohttp"):
        rows.append(ImportRow("`import aiohttp`", "import aiohttp"))
    if installed("twilio"):
        twilio_client = f"Client({ACCOUNT!r}, {TOKEN!r}"
        rows.append(
            ImportRow(
                "`import twilio.rest` + first use of streams",
                f"from twilio.rest import Client\n{twilio_client}).calls({CALL!r}).streams",
            )
        )
        rows.append(
            ImportRow(
                "… + first create (twilio-python, sync)",
                "from twilio.rest import Client\n"
                "from twilio.http.http_client import TwilioHttpClient\n"
                "class H(TwilioHttpClient):\n"
                "    def request(self, method, url, *args, **kwargs):\n"
                f"        url = {base + API_PATH!r} + url[{len(TWILIO_BASE)}:]\n"
                "        return super().request(method, url, *args, **kwargs)\n"
                f"{twilio_client}, http_client=H()).calls({CALL!r}).streams.create(url={WSS!r})",
            )
        )
    return rows


def run_imports(base: str, repeats: int) -> tuple[float, list[ImportRow]]:
    """Fresh interpreters; each figure is a median, less a bare interpreter's start."""
    bare = ImportRow("bare interpreter", "pass")
    rows = import_rows(base)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    for _ in range(repeats + 1):
        for row in [bare, *rows]:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", row.code], check=True, env=env)
            row.times.append(time.perf_counter() - start)
    for row in [bare, *rows]:
        del row.times[0]  # the first run may have written bytecode caches
    return statistics.median(bare.times), rows


def run_mulaw(seconds_of_audio: int) -> float | None:
    """µ-law decoded per second of CPU, in seconds of 8 kHz audio, as 20 ms frames."""
    try:
        from signalwire_streams.media import decode_mulaw
    except Exception as error:  # not there yet, or broken: the row says n/a
        print(f"µ-law: n/a ({type(error).__name__}: {error})", file=sys.stderr)
        return None
    frame = bytes(range(160))
    frames = seconds_of_audio * 50
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(frames):
            decode_mulaw(frame)
        best = min(best, time.process_time() - start)
    return seconds_of_audio / best if best > 0 else float("inf")


# --- reporting --------------------------------------------------------------------------


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}×"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


TARGETS = (
    # (row, peer, limit, what)
    ("ours", "httpx", 1.0, "`Client.streams.create` CPU ≤ 1.0× raw `httpx.Client`"),
    (
        "ours-async",
        "aiohttp",
        1.5,
        "`AsyncClient.streams.create` CPU at 200 in flight ≤ 1.5× raw aiohttp",
    ),
)


def report(
    rows: list[Contender],
    bare: float,
    imports: list[ImportRow],
    mulaw: float | None,
    settings: Settings,
) -> str:
    cpu = {row.key: statistics.median(row.cpu) for row in rows}
    floor = cpu["floor"]
    labels = {row.key: f"{row.label} ({row.in_flight})" for row in rows}
    lines = [
        "# signalwire-streams benchmark",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"httpx {_version('httpx')}, aiohttp {_version('aiohttp')}, "
        f"httpx-aiohttp {_version('httpx-aiohttp')}, twilio {_version('twilio')}.",
        f"`{command_line('scripts/bench', settings.argv)}`: {settings.calls} creates × "
        f"{settings.repeats} repetitions per row, medians; plain HTTP on loopback to a canned "
        "server in another process; each client with its default connection pool.",
        "",
        "| client | in flight | CPU µs/create | × floor | × peer | wall µs/create |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        peer = ""
        if row.peer is not None and row.peer in cpu:
            peer = f"{_ratio(cpu[row.key] / cpu[row.peer])} vs {labels[row.peer]}"
        lines.append(
            f"| {row.label} | {row.in_flight} | {_us(cpu[row.key])} | "
            f"{_ratio(cpu[row.key] / floor)} | {peer} | {_us(statistics.median(row.wall))} |"
        )
    lines += ["", "| target | measured | |", "|---|--:|---|"]
    for key, peer, limit, what in TARGETS:
        if key in cpu and peer in cpu:
            ratio = cpu[key] / cpu[peer]
            lines.append(f"| {what} | {_ratio(ratio)} | {'met' if ratio <= limit else 'MISSED'} |")
    httpx_import = statistics.median(imports[0].times) - bare
    lines += [
        "",
        f"Import and first use, fresh interpreters, median of {settings.import_repeats} less "
        f"a bare start ({bare * 1e3:.1f} ms):",
        "",
        "| what | ms | × `import httpx` |",
        "|---|--:|--:|",
    ]
    for imported in imports:
        spent = statistics.median(imported.times) - bare
        lines.append(f"| {imported.label} | {spent * 1e3:.1f} | {_ratio(spent / httpx_import)} |")
    target = (statistics.median(imports[1].times) - bare) / httpx_import
    lines += [
        "",
        f"Target `import signalwire_streams` ≤ 1.2× `import httpx`: {_ratio(target)}, "
        f"{'met' if target <= 1.2 else 'MISSED'}.",
        "",
        "µ-law decode (`signalwire_streams.media.decode_mulaw`, 20 ms frames of 8 kHz audio): "
        + ("n/a (not available)" if mulaw is None else f"{mulaw:,.0f}× real time on one core."),
        "",
    ]
    return "\n".join(lines)


def plot(rows: list[Contender], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    labels = [f"{row.label} ({row.in_flight} in flight)" for row in rows][::-1]
    values = [statistics.median(row.cpu) * 1e6 for row in rows][::-1]
    colours = ["tab:blue" if "signalwire" in label else "tab:gray" for label in labels]
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.2))
    bars = axes.barh(labels, values, color=colours)
    axes.set_xscale("log")
    axes.set_xlabel("client CPU per create, µs (log scale); lower is better")
    axes.bar_label(bars, labels=[f"{value:,.0f}" for value in values], padding=3)
    figure.suptitle("Client CPU per create: loopback, canned server in another process")
    axes.set_xlim(right=max(values) * 3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def parse(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--out", type=Path, default=Path("bench-results.md"))
    parser.add_argument("--calls", type=int, help="creates per repetition (default 2000)")
    parser.add_argument("--repeats", type=int, help="repetitions per row (default 5)")
    args = parser.parse_args(argv)
    quick: bool = args.quick
    return Settings(
        argv=list(argv),
        out=args.out,
        calls=args.calls or (300 if quick else 2000),
        repeats=args.repeats or (3 if quick else 5),
        import_repeats=5 if quick else 20,
        mulaw_seconds=20 if quick else 200,
    )


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse(sys.argv[1:] if argv is None else argv)
    # aiohttp 3.14 deprecates the `auth=` that twilio-python passes; not ours to fix.
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu = cpus[-1] if len(cpus) >= 2 else None
    if server_cpu is not None:
        os.sched_setaffinity(0, set(cpus[:-1]))
    with canned_server(server_cpu) as base:
        print(
            f"requests: {settings.calls} creates × {settings.repeats} repetitions …",
            file=sys.stderr,
        )
        rows = run_requests(base, settings.calls, settings.repeats)
        print("imports …", file=sys.stderr)
        bare, imports = run_imports(base, settings.import_repeats)
    mulaw = run_mulaw(settings.mulaw_seconds)

    text = report(rows, bare, imports, mulaw, settings)
    print(text)
    write_text(settings.out, text)
    picture = settings.out.with_suffix(".png")
    if plot(rows, picture):
        print(f"wrote {settings.out} and {picture}", file=sys.stderr)
    else:
        print(f"wrote {settings.out} (no plot: matplotlib is not installed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
