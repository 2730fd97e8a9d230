"""`create` and `stop`: one REST call each, through `Client`, and what to check when it fails.

Both read SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE (and
SIGNALWIRE_TIMEOUT / SIGNALWIRE_MAX_RETRIES unless --timeout / --max-retries say), as
`Client()` does. A failure names what to look at: the variable, the Space's host, the flag.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, TextIO, get_args
from urllib.parse import urlsplit

from .._client import Client
from .._config import ENV_API_TOKEN, ENV_PROJECT_ID, ENV_SPACE, ENV_TIMEOUT, MAX_TIMEOUT
from .._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ValidationError,
)
from .._models import Codec, StatusCallbackMethod, Stream, Track
from ._args import number, token_from_env, whole
from ._messages import FAILED, CommandError, keep_secret, settings_error

__all__ = ["add_parsers"]

MAX_RETRIES_FLAG = 100  # more is never what a person at a shell means

# Create's keyword arguments, and the flag or argument each comes from.
_FLAGS = {
    "url": "--url",
    "name": "--name",
    "track": "--track",
    "status_callback": "--status-callback",
    "status_callback_method": "--status-callback-method",
    "parameters": "--param",
    "authorization_bearer_token": "--bearer-token-env",
    "codec": "--codec",
    "real_time": "--real-time",
    "call_sid": "CALL_SID",
    "conference_sid": "CONFERENCE_SID",
    "stream": "STREAM",
}


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


def _stream_json(stream: Stream) -> str:
    def default(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    return json.dumps(asdict(stream), default=default, indent=2)


def _show(stream: Stream, args: argparse.Namespace, out: TextIO) -> None:
    if args.json:
        out.write(_stream_json(stream) + "\n")
        return
    rows = _stream_rows(stream)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        out.write(f"{label.ljust(width)}  {value}\n")


def _parameters(pairs: Sequence[str]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for pair in pairs:
        # Never echo what was given: a value without its '=' may still be a secret.
        name, sep, value = pair.partition("=")
        if not sep:
            raise CommandError(
                f"--param expects KEY=VALUE; parameter #{len(parameters) + 1} has no '='"
            )
        if not name:
            raise CommandError("--param expects KEY=VALUE, got an empty key")
        if name in parameters:
            raise CommandError(f"--param: {name[:40]!r} is given twice")
        parameters[name] = value
    return parameters


def _client(args: argparse.Namespace) -> Client:
    options: dict[str, Any] = {}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.max_retries is not None:
        options["max_retries"] = args.max_retries
    try:
        return Client(**options)
    except ValidationError as error:
        raise settings_error(error) from None


def _call(args: argparse.Namespace, action: Callable[[Client], Stream]) -> Stream:
    """Run one request; turn what the service or the network says into what to check."""
    keep_secret(_env_token())
    client = _client(args)
    host = urlsplit(client.base_url).netloc
    parent = "conference" if args.conference else "call"
    try:
        with client:
            return action(client)
    except ValidationError as error:
        flag = _FLAGS.get(error.field, error.field)
        raise CommandError(f"ValidationError: {flag}: {error.rule}") from None
    except AuthenticationError as error:
        raise CommandError(
            f"AuthenticationError: {error}",
            f"{host} refused the Project ID and API token: check {ENV_API_TOKEN} (a token "
            f"with the Voice scope) and {ENV_PROJECT_ID}, and that {ENV_SPACE} is their Space",
            code=FAILED,
        ) from None
    except PermissionDeniedError as error:
        raise CommandError(
            f"PermissionDeniedError: {error}",
            f"{host} says this API token may not do that: give it the Voice scope",
            code=FAILED,
        ) from None
    except NotFoundError as error:
        what = f"the {parent} sid, and that the {parent} is live in this Space"
        if args.command == "stop":
            what = f"the {parent} sid and the stream's sid or name"
        raise CommandError(
            f"NotFoundError: {error}", f"check {what} ({host})", code=FAILED
        ) from None
    except RateLimitError as error:
        wait = "" if error.retry_after is None else f" (it asked for {error.retry_after:g} s)"
        raise CommandError(
            f"RateLimitError: {error}", f"{host} is limiting requests: try later{wait}", code=FAILED
        ) from None
    except APIStatusError as error:
        hints = [f"more info: {error.more_info}"] if error.more_info else []
        raise CommandError(f"{type(error).__name__}: {error}", *hints, code=FAILED) from None
    except APITimeoutError as error:
        raise CommandError(
            f"APITimeoutError: {error}",
            f"{host} did not answer in time: a longer --timeout (or {ENV_TIMEOUT}) may help",
            code=FAILED,
        ) from None
    except APIConnectionError as error:
        raise CommandError(
            f"APIConnectionError: {error}",
            f"check {ENV_SPACE} (it points at {host}) and this machine's network",
            code=FAILED,
        ) from None


def _env_token() -> str | None:
    return os.environ.get(ENV_API_TOKEN)


def _create(args: argparse.Namespace, out: TextIO) -> None:
    if not args.conference and (args.codec is not None or args.real_time is not None):
        raise CommandError("--codec and --real-time need --conference")
    common: dict[str, Any] = {
        "name": args.name,
        "track": args.track,
        "status_callback": args.status_callback,
        "status_callback_method": args.status_callback_method,
        "parameters": _parameters(args.param),
    }
    if args.bearer_token_env is not None:
        common["authorization_bearer_token"] = token_from_env(
            args.bearer_token_env, "--bearer-token-env"
        )

    def create(client: Client) -> Stream:
        if args.conference:
            return client.conference_streams.create(
                args.sid, args.url, codec=args.codec, real_time=args.real_time, **common
            )
        return client.streams.create(args.sid, args.url, **common)

    _show(_call(args, create), args, out)


def _stop(args: argparse.Namespace, out: TextIO) -> None:
    def stop(client: Client) -> Stream:
        resource = client.conference_streams if args.conference else client.streams
        return resource.stop(args.sid, args.stream)

    _show(_call(args, stop), args, out)


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """`create` and `stop`, with the flags they share."""

    def remote(name: str, help: str, description: str) -> argparse.ArgumentParser:
        command: argparse.ArgumentParser = commands.add_parser(
            name, help=help, description=description, parents=[common]
        )
        command.add_argument("--conference", action="store_true", help="SID is a conference")
        command.add_argument("--json", action="store_true", help="print the stream as JSON")
        command.add_argument(
            "--timeout",
            type=number(0, MAX_TIMEOUT, " s"),
            help=f"seconds per attempt (default: {ENV_TIMEOUT}, else 30)",
        )
        command.add_argument(
            "--max-retries",
            type=whole(0, MAX_RETRIES_FLAG),
            help="retries after a failure that cannot start a second stream "
            "(default: SIGNALWIRE_MAX_RETRIES, else 2)",
        )
        return command

    environment = (
        "Reads SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE, "
        "and SIGNALWIRE_TIMEOUT / SIGNALWIRE_MAX_RETRIES when set."
    )
    create = remote(
        "create",
        "start a stream on a live call",
        f"Start streaming a live call's audio to your wss:// server. {environment}",
    )
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
    create.set_defaults(run=_create)

    stop = remote("stop", "stop a stream by sid or name", f"Stop a stream. {environment}")
    stop.add_argument("sid", metavar="CALL_SID", help="the call (or conference) sid")
    stop.add_argument("stream", metavar="STREAM", help="the stream's sid or name")
    stop.set_defaults(run=_stop)
