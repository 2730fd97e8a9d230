"""`demo`: the first thing to run. The emulator streams a call to a local wss:// receiver,
which writes a WAV; the loop itself (`_demo_loop`) loads only when the demo runs, so that
other commands do not pay for the emulator and the media plane.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
from pathlib import Path
from typing import Any, TextIO

from ._args import number, output_file
from ._messages import FAILED, CommandError

__all__ = ["add_parser"]


MAX_SECONDS = 600.0


def _run(args: argparse.Namespace, out: TextIO) -> None:
    if importlib.util.find_spec("trustme") is None:
        raise CommandError(
            "demo makes its certificate with trustme, which is not installed",
            "pip install 'signalwire-streams[testing]'",
        )
    wav = output_file(args.out, "--out")
    out.write(
        "signalwire-streams demo: the emulator streams a call to a local wss receiver;\n"
        "nothing leaves this machine.\n\n"
    )
    from ._demo_loop import run_demo, summary

    result = asyncio.run(run_demo(seconds=args.seconds, wav=wav, out=out))
    out.write(summary(result))
    if result.session.end is None or not result.callbacks_signed:
        raise CommandError("the demo did not complete the loop", code=FAILED)


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser(
        "demo",
        help="stream a call from a local emulator to a local wss receiver, offline",
        description="Stream a call from a local emulator to a local wss:// receiver, "
        "which writes it to a WAV file. Nothing leaves this machine.",
        parents=[common],
    )
    demo.add_argument(
        "--seconds",
        type=number(0, MAX_SECONDS, " s"),
        default=3.0,
        help="seconds of audio to receive (default 3)",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("signalwire-streams-demo.wav"),
        help="WAV file to write (default: signalwire-streams-demo.wav here)",
    )
    demo.set_defaults(run=_run)
