"""Load on the send side: many bidirectional streams, each echoing its caller back.

    .venv/bin/python scripts/load_talkback                 200 streams for 20 s
    .venv/bin/python scripts/load_talkback --streams 20 --seconds 3

The emulator runs in another process (bench._talkback_emulator) and answers --streams calls
with `<Connect><Stream>` to a `media.serve` receiver in this one, over TLS. The receiver
echoes every inbound frame back with `send_media`, with a mark after every 50th. After
--seconds it stops echoing, sends a last mark and waits for it: every echo has then played.
Checked, per stream: every frame the emulator sent arrived, in order (no gap); what the call
heard is, byte for byte, what was echoed (SHA-256, in the emulator); each mark came back,
in order; nothing was ignored or dropped. The receiver's CPU and memory are reported, not
judged. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import secrets
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from signalwire_streams import media
from signalwire_streams.testing import LocalTLS

from ._process import Child, peak_rss_mb
from ._report import Check, all_passed, command_line, verdicts, write_text

__all__ = ["main"]

MARK_EVERY = 50  # frames: a mark a second


@dataclass
class Echo:
    """One stream as the receiver echoed it."""

    session: media.Session
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    echoed: int = 0
    bytes_echoed: int = 0
    marks_sent: list[str] = field(default_factory=list)
    marks_back: list[str] = field(default_factory=list)
    drained: asyncio.Event = field(default_factory=asyncio.Event)


class Receiver:
    """`media.serve`'s handler: echo until told to stop, then drain with a last mark."""

    def __init__(self) -> None:
        self.echoes: dict[str, Echo] = {}
        self.stopping = asyncio.Event()
        self.failures: list[str] = []

    async def __call__(self, session: media.Session) -> None:
        start = await session.wait_for_start(timeout=30)
        echo = self.echoes[start.stream_sid] = Echo(session)
        try:
            async for event in session:
                if type(event) is media.Media and not self.stopping.is_set():
                    payload = event.payload
                    await session.send_media(payload)
                    echo.digest.update(payload)
                    echo.echoed += 1
                    echo.bytes_echoed += len(payload)
                    if echo.echoed % MARK_EVERY == 0:
                        await self._mark(echo, f"m{echo.echoed // MARK_EVERY}")
                elif type(event) is media.Mark:
                    echo.marks_back.append(event.name)
                    if event.name == "end":
                        echo.drained.set()
                if self.stopping.is_set() and "end" not in echo.marks_sent:
                    await self._mark(echo, "end")
        except Exception as error:  # reported, not raised: the run goes on
            self.failures.append(f"{start.stream_sid}: {type(error).__name__}: {error}")

    @staticmethod
    async def _mark(echo: Echo, name: str) -> None:
        await echo.session.send_mark(name)
        echo.marks_sent.append(name)


@dataclass(frozen=True)
class Settings:
    streams: int
    seconds: float
    out: Path | None
    argv: list[str]


async def run(settings: Settings) -> tuple[list[str], bool]:
    receiver = Receiver()
    token = secrets.token_urlsafe(24)
    with LocalTLS() as tls, Child("bench._talkback_emulator", str(tls.ca_file)) as emulator:
        async with media.serve(
            receiver, ssl=tls.server_context(), bearer_token=token, bidirectional=True
        ) as server:
            cpu_before, wall_before = time.process_time(), time.monotonic()
            emulator.write_line(
                json.dumps(
                    {"connect": settings.streams, "url": f"{server.url}/echo", "token": token}
                )
            )
            sids: list[str] = json.loads(emulator.read_line())["streams"]
            while len(receiver.echoes) < len(sids):
                await asyncio.sleep(0.05)
            await asyncio.sleep(settings.seconds)
            receiver.stopping.set()
            async with asyncio.timeout(60):
                for echo in receiver.echoes.values():
                    await echo.drained.wait()
            cpu = time.process_time() - cpu_before
            wall = time.monotonic() - wall_before
            emulator.write_line(json.dumps({"end": True}))
            emulator.read_line()
            async with asyncio.timeout(30):
                for echo in receiver.echoes.values():
                    while not echo.session.ended:
                        await asyncio.sleep(0.02)
            emulator.write_line(json.dumps({"heard": sids}))
            heard = json.loads(emulator.read_line())
    return _report(settings, receiver, heard, cpu, wall)


def _report(
    settings: Settings,
    receiver: Receiver,
    heard: dict[str, dict[str, int | str]],
    cpu: float,
    wall: float,
) -> tuple[list[str], bool]:
    echoes = receiver.echoes
    received = sum(e.session.frames for e in echoes.values())
    sent = sum(int(heard[sid]["frames_sent"]) for sid in echoes)
    echoed = sum(e.echoed for e in echoes.values())
    checks: list[Check] = [
        ("every stream reached the receiver", len(echoes) == settings.streams),
        (
            "every frame the emulator sent arrived",
            all(e.session.frames == heard[sid]["frames_sent"] for sid, e in echoes.items()),
        ),
        ("in order, no gap", all(e.session.gap_count == 0 for e in echoes.values())),
        (
            "the call heard every echoed byte, in order (SHA-256)",
            all(
                heard[sid]["sha256"] == e.digest.hexdigest()
                and heard[sid]["bytes_heard"] == e.bytes_echoed
                for sid, e in echoes.items()
            ),
        ),
        (
            "every mark came back, in order",
            all(e.marks_back == e.marks_sent for e in echoes.values()),
        ),
        (
            "nothing ignored or dropped by the emulator",
            all(heard[sid]["ignored"] == 0 and heard[sid]["dropped"] == 0 for sid in echoes),
        ),
        ("no handler failed", receiver.failures == []),
    ]
    marks = sum(len(e.marks_back) for e in echoes.values())
    lines = [
        f"# Talking back under load: `{command_line('scripts/load_talkback', settings.argv)}`",
        "",
        "| | |",
        "|---|--:|",
        f"| bidirectional streams, echo time | {len(echoes)}, {settings.seconds:g} s |",
        f"| frames sent by the emulator / received | {sent:,} / {received:,} |",
        f"| frames echoed / heard by the calls | {echoed:,} / "
        f"{sum(int(h['bytes_heard']) for h in heard.values()) // 160:,} |",
        f"| marks sent / back in order | {marks:,} / {marks if checks[4][1] else 'NO'} |",
        f"| receiver CPU | {100 * cpu / wall:.0f} % of one core, "
        f"{1e6 * cpu / max(1, received + echoed):.1f} µs per frame in or out |",
        f"| receiver peak resident memory | {peak_rss_mb():.0f} MB |",
        "",
        "| check | |",
        "|---|---|",
        *verdicts(checks),
        *[f"\n{failure}" for failure in receiver.failures[:5]],
    ]
    return lines, all_passed(checks)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="scripts/load_talkback", description=__doc__)
    parser.add_argument("--streams", type=int, default=200, help="streams (default 200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="echo time (default 20)")
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args(args_list)
    if not 1 <= args.streams <= 2000 or not 0 < args.seconds <= 600:
        parser.error("--streams is 1 to 2000, --seconds above 0 and at most 600")
    settings = Settings(args.streams, args.seconds, args.out, args_list)
    lines, passed = asyncio.run(run(settings))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if settings.out is not None:
        write_text(settings.out, text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
