"""`emulator`: the local stand-in for a Space, served until Ctrl-C, for trying code from a
shell. Its flags are checked (the audio file, the CA file, the numbers) before it binds."""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from .._errors import ValidationError
from ._args import ca_file, number, port, wav_file, whole
from ._messages import CommandError, keep_secret

__all__ = ["add_parser"]

MAX_SPEED = 10_000.0
MAX_CALLS = 1000


def _run(args: argparse.Namespace, out: TextIO) -> None:
    from ..testing import Emulator, EmulatorEvent

    if args.ca_file is not None:
        ca_file(args.ca_file, "--ca-file")
    if args.audio is not None:
        wav_file(args.audio, "--audio")
    project_id = os.environ.get("SIGNALWIRE_PROJECT_ID") or None
    token = os.environ.get("SIGNALWIRE_API_TOKEN") or None
    signing_key = os.environ.get("SIGNALWIRE_SIGNING_KEY") or None
    keep_secret(token)
    keep_secret(signing_key)
    printing = threading.Lock()

    def tell(event: EmulatorEvent) -> None:
        """One line per thing the emulator does, from its threads, whole lines only."""
        with printing:
            out.write(f"{time.strftime('%H:%M:%S')} {event}\n")
            out.flush()

    try:
        emulator = Emulator(
            project_id,
            token,
            host=args.host,
            port=args.port,
            signing_key=signing_key,
            ca_file=args.ca_file,
            verify_tls=args.verify_tls,
            speed=args.speed,
            audio=args.audio,
            on_event=None if args.quiet else tell,
        )
        emulator.start()
    except ValidationError as error:
        raise CommandError(f"ValidationError: emulator: cannot start: {error}") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise CommandError(
            f"ValidationError: emulator: cannot start: cannot listen on "
            f"{args.host}:{args.port}: {reason}",
            "pick another --port, or 0 for a free one",
        ) from None
    try:
        out.write(f"SignalWire streams emulator on {emulator.base_url}\n")
        out.write("Use it from another shell with:\n")
        out.write(f"  export SIGNALWIRE_SPACE={emulator.base_url}\n")
        out.write(f"  export SIGNALWIRE_PROJECT_ID={emulator.project_id}\n")
        if token is None:
            # A fresh throwaway credential of this emulator, not a SignalWire token.
            out.write(f"  export SIGNALWIRE_API_TOKEN={emulator.api_token}\n")
        else:
            out.write("  (the API token is the one in SIGNALWIRE_API_TOKEN)\n")
        if signing_key is None:
            out.write(f"Status callbacks are signed with {emulator.signing_key}\n")
        else:
            out.write("Status callbacks are signed with SIGNALWIRE_SIGNING_KEY\n")
        with printing:
            for _ in range(args.calls):
                out.write(f"live call: {emulator.add_call()}\n")
            for _ in range(args.conferences):
                out.write(f"live conference: {emulator.add_conference()}\n")
            out.write("Press Ctrl-C to stop.\n")
            if not args.quiet:
                out.write("What happens to each stream is printed below (--quiet: nothing).\n")
            out.flush()
        threading.Event().wait()
    except KeyboardInterrupt:
        out.write("stopped\n")
    finally:
        emulator.stop()


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    emulator = commands.add_parser(
        "emulator",
        help="serve a local emulator of the API",
        description="Serve a local emulator of SignalWire's stream API until Ctrl-C. It "
        "streams every stream it starts to the stream's wss:// URL, as SignalWire does. "
        "Reads SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SIGNING_KEY if "
        "set, else makes them up.",
        parents=[common],
    )
    emulator.add_argument("--port", type=port, default=0, help="port (default: a free one)")
    emulator.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    emulator.add_argument(
        "--calls", type=whole(0, MAX_CALLS), default=1, help="live calls to create (default 1)"
    )
    emulator.add_argument(
        "--conferences",
        type=whole(0, MAX_CALLS),
        default=0,
        help="live conferences to create (default 0)",
    )
    emulator.add_argument(
        "--quiet",
        action="store_true",
        help="print no line per stream event (created, connected, refused, closed, callback)",
    )
    emulator.add_argument(
        "--ca-file",
        type=Path,
        help="CA certificate(s) to trust for wss:// (signalwire-streams cert writes one)",
    )
    emulator.add_argument(
        "--no-verify-tls",
        dest="verify_tls",
        action="store_false",
        help="skip certificate checks on wss:// and https callbacks",
    )
    emulator.add_argument(
        "--speed",
        type=number(0, MAX_SPEED),
        default=1.0,
        help="media pace, times real time (default 1)",
    )
    emulator.add_argument(
        "--audio", type=Path, help="16-bit PCM WAV to stream, mono or stereo (default: a tone)"
    )
    emulator.set_defaults(run=_run, interrupt_is_stop=True)
