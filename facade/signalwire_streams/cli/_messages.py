"""What the command line says when something goes wrong, and how it keeps secrets out of it.

A person reads one line that names what to check (a flag, an environment variable, a file,
a host), not a traceback and not Python's argument names. `CommandError` carries that line
and its hints; `report` prints any error as such; `redact` takes every secret this process
has read out of a text before it is printed or logged.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import TextIO

from .._config import ENV_API_TOKEN, ENV_MAX_RETRIES, ENV_PROJECT_ID, ENV_SPACE, ENV_TIMEOUT
from .._errors import SignalWireError, ValidationError

__all__ = [
    "CommandError",
    "keep_secret",
    "log_to_stderr",
    "redact",
    "report",
    "report_unexpected",
    "settings_error",
]

logger = logging.getLogger("signalwire_streams.cli")

# Exit codes: 1 the service or the run failed, 2 bad input (as argparse), 130 interrupted.
FAILED = 1
BAD_INPUT = 2
INTERRUPTED = 130

_SECRETS: set[str] = set()
_REDACTED = "[secure]"


class CommandError(Exception):
    """A failure the command explains itself: `message` (one line), then `hints` (each on
    a line of its own, indented), and the exit code."""

    def __init__(self, message: str, *hints: str, code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.hints = hints
        self.code = code


def keep_secret(value: str | None) -> None:
    """Remember a secret this process read (a token from the environment), so that
    `redact` takes it out of anything printed or logged."""
    if value:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """`text` with every remembered secret replaced by `[secure]`, longest first."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, _REDACTED)
    return text


# The settings `Client()` reads from the environment: the command line passes none of them
# as arguments, so an error about one is an error about its variable.
_VARIABLES = {
    "project_id": ENV_PROJECT_ID,
    "api_token": ENV_API_TOKEN,
    "space": ENV_SPACE,
    "timeout": ENV_TIMEOUT,
    "max_retries": ENV_MAX_RETRIES,
}
_WHAT_TO_SET = {
    ENV_PROJECT_ID: f"export {ENV_PROJECT_ID}=… (the Project ID, on your Space's API page)",
    ENV_API_TOKEN: f"export {ENV_API_TOKEN}=… (an API token with the Voice scope)",
    ENV_SPACE: f"export {ENV_SPACE}=example (or example.signalwire.com)",
}


def settings_error(error: ValidationError) -> CommandError:
    """A settings error from `Client()`, in the words of the environment variable at fault
    (`SIGNALWIRE_PROJECT_ID is not set`, not `project_id: missing; pass project_id=`)."""
    variable = _VARIABLES.get(error.field)
    if variable is None:
        return CommandError(f"{error.field}: {error.rule}")
    hint = _WHAT_TO_SET.get(variable)
    hints = () if hint is None else (hint,)
    if error.rule.startswith("missing"):
        return CommandError(f"{variable} is not set", *hints)
    rule = error.rule.replace(f" (from {variable})", "")
    if rule.startswith(variable):
        return CommandError(rule, *hints)
    return CommandError(f"{variable} {rule}", *hints)


def report(error: BaseException, err: TextIO) -> int:
    """Print a known error as `error: …` plus its hints; return the exit code."""
    if isinstance(error, CommandError):
        lines = [error.message, *(f"  {hint}" for hint in error.hints)]
        code = error.code
    elif isinstance(error, ValidationError):
        lines, code = [f"ValidationError: {error}"], BAD_INPUT
    elif isinstance(error, SignalWireError):
        lines, code = [f"{type(error).__name__}: {error}"], FAILED
    else:
        return report_unexpected(error, err, verbose=0)
    err.write(redact("error: " + "\n".join(lines)) + "\n")
    return code


def report_unexpected(error: BaseException, err: TextIO, *, verbose: int) -> int:
    """One line for an error no command expected; its traceback goes to the DEBUG log
    (shown with -vv), secrets taken out."""
    text = str(error).splitlines()[0][:300] if str(error) else ""
    err.write(redact(f"error: {type(error).__name__}{': ' if text else ''}{text}") + "\n")
    if verbose < 2:
        err.write("  run with -vv for details\n")
    logger.debug("%s", redact("".join(traceback.format_exception(error))))
    return FAILED


def log_to_stderr(verbosity: int) -> None:
    """-v: this library's retries and warnings; -vv: everything at DEBUG (no secret is
    logged at any level: the library holds tokens as `Secret`s and redacts headers)."""
    if verbosity <= 0:
        return
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbosity > 1 else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("signalwire_streams").setLevel(
        logging.DEBUG if verbosity > 1 else logging.INFO
    )
