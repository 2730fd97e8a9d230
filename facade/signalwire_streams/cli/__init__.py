"""The `signalwire-streams` command: create, stop, receive, cert, emulator and demo.

Each command lives in its own module and registers its parser here; the heavy parts (the
client, the media plane, the emulator) load only when the command that needs them runs.
Whatever is typed, the command ends with a message, never a traceback: a known failure
names what to check (a flag, a variable, a file, a host), an unexpected one is one line
with the details at -vv. Nothing here ever prints the API token or a bearer token.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from .._config import ENV_API_TOKEN
from .._errors import SignalWireError
from .._version import __version__
from . import _cert, _demo, _emulator, _receive, _remote
from ._messages import (
    INTERRUPTED,
    CommandError,
    keep_secret,
    log_to_stderr,
    report,
    report_unexpected,
)
from ._receive import DEFAULT_TOKEN_VARIABLE

__all__ = ["main", "parser"]

# Variables that may hold a secret, whichever command runs: taken out of anything printed.
SECRET_VARIABLES = (ENV_API_TOKEN, "SIGNALWIRE_SIGNING_KEY", DEFAULT_TOKEN_VARIABLE)

Command = Callable[[argparse.Namespace, TextIO], None]


def _verbosity(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # On the subcommand's copy the default is SUPPRESS, so that a -v before the command
    # is not reset to 0 by the subcommand's parser; the two counts add up.
    parser.add_argument(
        "-v",
        "--verbose",
        dest="verbose_after" if suppress else "verbose",
        action="count",
        default=argparse.SUPPRESS if suppress else 0,
        help="log to stderr: -v this library's retries, -vv everything at DEBUG "
        "(tokens and keys are never logged)",
    )


def parser() -> argparse.ArgumentParser:
    """The whole command line."""
    top = argparse.ArgumentParser(
        prog="signalwire-streams",
        description="Start and stop SignalWire media streams, receive them, and try it all "
        "offline. create and stop read SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and "
        "SIGNALWIRE_SPACE.",
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _verbosity(top, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _verbosity(common, suppress=True)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _demo.add_parser(commands, common)
    _receive.add_parser(commands, common)
    _remote.add_parsers(commands, common)
    _cert.add_parser(commands, common)
    _emulator.add_parser(commands, common)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0, 1 failed, 2 bad input, 130 interrupted)."""
    args = parser().parse_args(argv)
    verbose = args.verbose + getattr(args, "verbose_after", 0)
    for variable in (*SECRET_VARIABLES, getattr(args, "bearer_token_env", None)):
        if variable:
            keep_secret(os.environ.get(variable))
    log_to_stderr(verbose)
    run: Command = args.run
    try:
        run(args, sys.stdout)
    except KeyboardInterrupt:
        # receive and emulator stop on Ctrl-C as designed; anything else was cut short.
        return 0 if getattr(args, "interrupt_is_stop", False) else INTERRUPTED
    except (CommandError, SignalWireError) as error:
        return report(error, sys.stderr)
    except Exception as error:
        return report_unexpected(error, sys.stderr, verbose=verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
