"""The `signalwire-streams` command: demo, create, stop and a local emulator.

`create` and `stop` use the same environment variables as `Client`. Nothing here ever
prints the API token or a bearer token.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, get_args

from .._client import Client
from .._errors import APIStatusError, SignalWireError, ValidationError
from .._models import Codec, StatusCallbackMethod, Stream, Track
from .._version import __version__

__all__ = ["main"]


def _stream_rows(stream: Stream) -> list[tuple[str, str]]:
    rows = [("sid", stream.sid)]
    for label, value in (
        ("name", stream.name),
        ("status", stream.status),
        ("call", stream.call_sid),
        ("conference", stream.conference_sid),
        ("account", stream.account_sid),
        ("updated", stream.date_updated.isoformat() if stream.date_updated else None),
        ("uri", stream.uri),
        ("error code", stream.error_code),
    ):
        if value is not None:
            rows.append((label, str(value)))
    return rows


def _print_rows(rows: Sequence[tuple[str, str]], out: TextIO, indent: str = "  ") -> None:
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        out.write(f"{indent}{label.ljust(width)}  {value}\n")


def _stream_json(stream: Stream) -> str:
    def default(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    return json.dumps(asdict(stream), default=default, indent=2)


def _show(stream: Stream, args: argparse.Namespace, out: TextIO) -> None:
    if args.json:
        out.write(_stream_json(stream) + "\n")
    else:
        _print_rows(_stream_rows(stream), out, indent="")


def _parameters(pairs: Sequence[str]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for pair in pairs:
        # Never echo what was given: a value without its '=' may still be a secret.
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValidationError(
                "--param", f"expects KEY=VALUE; parameter #{len(parameters) + 1} has no '='"
            )
        if not name:
            raise ValidationError("--param", "expects KEY=VALUE, got an empty key")
        if name in parameters:
            raise ValidationError("--param", f"{name[:40]!r} is given twice")
        parameters[name] = value
    return parameters


def _bearer_token(variable: str | None) -> str | None:
    if variable is None:
        return None
    token = os.environ.get(variable)
    if not token:
        raise ValidationError("--bearer-token-env", f"environment variable {variable} is not set")
    return token


def _create(args: argparse.Namespace, out: TextIO) -> None:
    with Client(timeout=args.timeout) as client:
        common: dict[str, Any] = {
            "name": args.name,
            "track": args.track,
            "status_callback": args.status_callback,
            "status_callback_method": args.status_callback_method,
            "parameters": _parameters(args.param),
            "authorization_bearer_token": _bearer_token(args.bearer_token_env),
        }
        if args.conference:
            stream = client.conference_streams.create(
                args.sid, args.url, codec=args.codec, real_time=args.real_time, **common
            )
        else:
            if args.codec is not None or args.real_time is not None:
                raise ValidationError("--codec", "--codec and --real-time need --conference")
            stream = client.streams.create(args.sid, args.url, **common)
    _show(stream, args, out)


def _stop(args: argparse.Namespace, out: TextIO) -> None:
    with Client(timeout=args.timeout) as client:
        resource = client.conference_streams if args.conference else client.streams
        stream = resource.stop(args.sid, args.stream)
    _show(stream, args, out)


def _demo(args: argparse.Namespace, out: TextIO) -> None:
    if importlib.util.find_spec("trustme") is None:
        raise ValidationError(
            "demo", "makes its certificate with trustme: pip install 'signalwire-streams[testing]'"
        )
    from ._demo import run_demo, summary

    if not 0 < args.seconds <= 600:
        raise ValidationError("--seconds", "must be more than 0 and at most 600")
    out.write(
        "signalwire-streams demo: the emulator streams a call to a local wss receiver;\n"
        "nothing leaves this machine.\n\n"
    )
    result = asyncio.run(run_demo(seconds=args.seconds, wav=args.out, out=out))
    out.write(summary(result))
    if result.session.end is None or not result.callbacks_signed:
        raise SignalWireError("the demo did not complete the loop")


def _emulator(args: argparse.Namespace, out: TextIO) -> None:
    from ..testing import Emulator

    project_id = os.environ.get("SIGNALWIRE_PROJECT_ID") or None
    token = os.environ.get("SIGNALWIRE_API_TOKEN") or None
    signing_key = os.environ.get("SIGNALWIRE_SIGNING_KEY") or None
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
        )
        emulator.start()
    except (OSError, ValueError) as error:
        raise ValidationError("emulator", f"cannot start: {error}") from None
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
        for _ in range(args.calls):
            out.write(f"live call: {emulator.add_call()}\n")
        out.write("Press Ctrl-C to stop.\n")
        out.flush()
        threading.Event().wait()
    except KeyboardInterrupt:
        out.write("stopped\n")
    finally:
        emulator.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signalwire-streams",
        description="Start and stop SignalWire media streams. create and stop read "
        "SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log to stderr: -v this library's retries, -vv everything at DEBUG "
        "(tokens and keys are never logged)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="stream a call from a local emulator to a local wss receiver, offline"
    )
    demo.add_argument(
        "--seconds", type=float, default=3.0, help="seconds of audio to receive (default 3)"
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("signalwire-streams-demo.wav"),
        help="WAV file to write (default: signalwire-streams-demo.wav here)",
    )

    emulator = commands.add_parser("emulator", help="serve a local emulator of the API")
    emulator.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    emulator.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    emulator.add_argument("--calls", type=int, default=1, help="live calls to create (default 1)")
    emulator.add_argument("--ca-file", type=Path, help="CA certificate(s) to trust for wss://")
    emulator.add_argument(
        "--no-verify-tls",
        dest="verify_tls",
        action="store_false",
        help="skip certificate checks on wss:// and https callbacks",
    )
    emulator.add_argument(
        "--speed", type=float, default=1.0, help="media pace, times real time (default 1)"
    )
    emulator.add_argument("--audio", type=Path, help="16-bit WAV to stream (default: a tone)")

    def remote(name: str, help: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help)
        command.add_argument("--conference", action="store_true", help="SID is a conference")
        command.add_argument("--json", action="store_true", help="print the stream as JSON")
        command.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
        return command

    create = remote("create", "start a stream on a live call")
    create.add_argument("sid", metavar="CALL_SID", help="the call (or conference) sid")
    create.add_argument("--url", required=True, help="wss:// URL of your WebSocket server")
    create.add_argument("--name", help="a name, unique per call, to stop it by")
    create.add_argument("--track", default="both_tracks", choices=get_args(Track))
    create.add_argument("--status-callback", help="http(s) URL for stream events")
    create.add_argument(
        "--status-callback-method", default="POST", choices=get_args(StatusCallbackMethod)
    )
    create.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="a custom parameter"
    )
    create.add_argument(
        "--bearer-token-env",
        metavar="VAR",
        help="name of an environment variable holding the WebSocket bearer token",
    )
    create.add_argument("--codec", choices=get_args(Codec), help="conference streams only")
    create.add_argument(
        "--real-time",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="conference streams only",
    )

    stop = remote("stop", "stop a stream by sid or name")
    stop.add_argument("sid", metavar="CALL_SID", help="the call (or conference) sid")
    stop.add_argument("stream", metavar="STREAM", help="the stream's sid or name")
    return parser


_COMMANDS = {"demo": _demo, "emulator": _emulator, "create": _create, "stop": _stop}


def _log_to_stderr(verbosity: int) -> None:
    if verbosity <= 0:
        return
    import logging

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbosity > 1 else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("signalwire_streams").setLevel(
        logging.DEBUG if verbosity > 1 else logging.INFO
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _log_to_stderr(args.verbose)
    try:
        _COMMANDS[args.command](args, sys.stdout)
    except APIStatusError as error:
        more = f"\n  more info: {error.more_info}" if error.more_info else ""
        print(f"error: {type(error).__name__}: {error}{more}", file=sys.stderr)
        return 1
    except SignalWireError as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2 if isinstance(error, ValidationError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
