"""`receive`: a media server from the shell, on the package's own `media.serve`.

It prints the URL to give SignalWire and the `create` command that starts a stream to it,
shows each stream as it runs, summarises it when it ends (and writes it to a WAV with
--out-dir) and adds everything up on Ctrl-C, which is how it is meant to stop (exit 0).
Everything it needs is checked before it listens: the certificate and key, the folder,
the bearer token's variable. The media plane loads only when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .._errors import ProtocolError, ValidationError
from ._args import output_dir, port, server_tls, token_from_env
from ._messages import CommandError, keep_secret

if TYPE_CHECKING:
    from ..media import Session
    from ._live import PlainView

__all__ = ["DEFAULT_TOKEN_VARIABLE", "add_parser"]

DEFAULT_TOKEN_VARIABLE = "SIGNALWIRE_STREAM_TOKEN"
DEFAULT_PORT = 8443
_WILDCARDS = ("", "0.0.0.0", "::")


def _tls(args: argparse.Namespace) -> ssl.SSLContext | None:
    if args.behind_tls_proxy:
        if args.cert is not None or args.key is not None:
            raise CommandError(
                "--behind-tls-proxy serves plain ws://; pass it or --cert/--key, not both"
            )
        return None
    if args.cert is None and args.key is None:
        raise CommandError(
            "receive needs TLS: SignalWire connects only to wss:// URLs",
            "pass --cert FILE --key FILE (make a local pair with: signalwire-streams cert),",
            "or --behind-tls-proxy when a proxy in front of this server ends TLS",
        )
    if args.cert is None or args.key is None:
        given, missing = ("--cert", "--key") if args.key is None else ("--key", "--cert")
        raise CommandError(f"{given} needs {missing} too")
    return server_tls(args.cert, args.key)


def _token(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(the variable, the token) to require, or (None, None) to accept anyone."""
    if args.bearer_token_env is not None:
        return args.bearer_token_env, token_from_env(args.bearer_token_env, "--bearer-token-env")
    value = os.environ.get(DEFAULT_TOKEN_VARIABLE)
    if value:
        keep_secret(value)
        return DEFAULT_TOKEN_VARIABLE, value
    return None, None


def _check_path(path: str) -> str:
    if not path.startswith("/") or any(c.isspace() or c in "?#" for c in path):
        raise CommandError(
            f"--path must start with '/' and have no whitespace, '?' or '#', not {path[:40]!r}"
        )
    return path


def _url(args: argparse.Namespace, base: str) -> str:
    """The URL to give SignalWire."""
    if args.behind_tls_proxy:
        return f"wss://YOUR-PROXY-HOST{args.path}"
    if args.host in _WILDCARDS:
        scheme, _, rest = base.partition("://")
        return f"{scheme}://YOUR-HOST:{rest.rpartition(':')[2]}{args.path}"
    return f"{base}{args.path}"


def _introduce(view: PlainView, args: argparse.Namespace, base: str, variable: str | None) -> None:
    url = _url(args, base)
    lines = [f"receiving on {base}{args.path}"]
    if args.behind_tls_proxy:
        lines.append(f"  plain ws://: your TLS proxy's wss:// URL must forward to {base}")
    elif args.host in _WILDCARDS:
        lines.append("  YOUR-HOST: a name this machine is reached by, which the certificate is for")
    if variable is None:
        lines.append(
            f"  no bearer token: anyone who can reach it may stream to it; set "
            f"{DEFAULT_TOKEN_VARIABLE} or pass --bearer-token-env VAR"
        )
    else:
        lines.append(f"  the bearer token in {variable} is required")
    if args.out_dir is not None:
        lines.append(f"  writing a WAV file per stream in {args.out_dir}")
    command = f"signalwire-streams create CALL_SID --url {shlex.quote(url)}"
    if variable is not None:
        command += f" --bearer-token-env {variable}"
    lines += ["start a stream to it with:", f"  {command}", "Press Ctrl-C to stop."]
    view.say(*lines)


async def _serve(
    args: argparse.Namespace,
    view: PlainView,
    tls: ssl.SSLContext | None,
    variable: str | None,
    token: str | None,
) -> None:
    from ..media import serve

    stopping = asyncio.Event()

    async def handle(session: Session) -> None:
        try:
            await session.wait_for_start()
        except ProtocolError:
            view.say("a connection closed before its stream started")
            return
        view.started(session)
        await session.collect()
        view.ended(session, by_receiver=stopping.is_set())

    try:
        server = serve(
            handle,
            host=args.host,
            port=args.port,
            ssl=tls,
            bearer_token=token,
            record_dir=args.out_dir,
            behind_tls_proxy=args.behind_tls_proxy,
            on_refusal=view.refused,
        )
    except ValidationError as error:
        flag = {"host": "--host", "bearer_token": variable, "record_dir": "--out-dir"}
        raise CommandError(f"{flag.get(error.field) or error.field}: {error.rule}") from None
    try:
        await server.start()
    except OSError as error:
        raise CommandError(
            f"cannot listen on {args.host}:{args.port}: {error.strerror or error}",
            "pick another --port (0: a free one) or --host",
        ) from None
    loop = asyncio.get_running_loop()
    signals = []
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(number, stopping.set)
        except (NotImplementedError, RuntimeError):  # not on this platform: Ctrl-C raises
            continue
        signals.append(number)
    redraw = loop.create_task(view.run())
    try:
        _introduce(view, args, server.url, variable)
        await stopping.wait()
    finally:
        stopping.set()
        redraw.cancel()
        await server.close()  # open streams end (1001), and their summaries are written
        for number in signals:
            loop.remove_signal_handler(number)
        view.total()


def _run(args: argparse.Namespace, out: TextIO) -> None:
    from ._live import view_for

    _check_path(args.path)
    tls = _tls(args)
    variable, token = _token(args)
    if args.out_dir is not None:
        output_dir(args.out_dir, "--out-dir")
    # A KeyboardInterrupt (where signal handlers cannot be set) is a normal stop to main().
    asyncio.run(_serve(args, view_for(out), tls, variable, token))


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    receive = commands.add_parser(
        "receive",
        help="receive streams on a wss:// server here, shown live, written to WAV files",
        description="Serve SignalWire's media WebSocket: print the URL and the create command "
        "to stream to it, show each stream live (one line per event when not on a terminal), "
        "summarise it when it ends, and stop with Ctrl-C. The bearer token comes from "
        f"--bearer-token-env VAR, else {DEFAULT_TOKEN_VARIABLE} if set.",
        parents=[common],
    )
    receive.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    receive.add_argument(
        "--port", type=port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0: a free one"
    )
    receive.add_argument("--cert", type=Path, help="PEM certificate (chain) for wss://")
    receive.add_argument("--key", type=Path, help="PEM private key of --cert")
    receive.add_argument(
        "--behind-tls-proxy",
        action="store_true",
        help="serve plain ws://: a proxy in front of this server ends TLS",
    )
    receive.add_argument(
        "--path", default="/media", help="path of the URL printed (default /media; any is served)"
    )
    receive.add_argument(
        "--bearer-token-env",
        metavar="VAR",
        help=f"environment variable holding the bearer token to require "
        f"(default: {DEFAULT_TOKEN_VARIABLE}, if set)",
    )
    receive.add_argument("--out-dir", type=Path, help="write each stream to a WAV file here")
    receive.set_defaults(run=_run, interrupt_is_stop=True)
