"""Defaults and client settings: the one place where configuration is decided."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from signalwire_streams_api.client import DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT

from ._errors import ValidationError
from ._secrets import Secret, reveal_checked
from ._validation import check_bool, check_id, check_max_retries, is_loopback

__all__ = [
    "API_PATH",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_AMBIGUOUS",
    "DEFAULT_TIMEOUT",
    "ENV_API_TOKEN",
    "ENV_MAX_RETRIES",
    "ENV_PROJECT_ID",
    "ENV_SPACE",
    "ENV_TIMEOUT",
    "FROM_ENV",
    "Settings",
    "resolve_settings",
]

ENV_PROJECT_ID = "SIGNALWIRE_PROJECT_ID"
ENV_API_TOKEN = "SIGNALWIRE_API_TOKEN"
ENV_SPACE = "SIGNALWIRE_SPACE"
# Optional: read when the client is not given `timeout` / `max_retries`.
ENV_TIMEOUT = "SIGNALWIRE_TIMEOUT"
ENV_MAX_RETRIES = "SIGNALWIRE_MAX_RETRIES"

API_PATH = "/api/laml/2010-04-01"
SPACE_DOMAIN = "signalwire.com"

# DEFAULT_TIMEOUT (30 s an attempt, 10 s to connect, as SignalWire's own SDK) and
# DEFAULT_MAX_RESPONSE_SIZE (1 MiB) are the generated client's, which enforces them.
DEFAULT_MAX_RETRIES = 2
# Whether a create is also retried after an ambiguous failure (a read timeout, a dropped
# connection, 500/502/504/408), when SignalWire may already have started the stream.
DEFAULT_RETRY_AMBIGUOUS = False

# The largest response size cap accepted: the service's answers are a few hundred bytes.
MAX_RESPONSE_SIZE = 2**30

# The longest timeout accepted: a stuck request holds a live call, and an hour is already
# far past any answer; larger values also overflow the event loops' and sockets' clocks.
MAX_TIMEOUT = 3600.0

# Backoff between retries: 0.5 s, 1 s, 2 s ... up to 8 s, less up to 25 % jitter.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A Retry-After longer than this is not waited out: the error goes to the caller.
MAX_RETRY_AFTER = 60.0


class _FromEnv:
    """The default of `timeout` and `max_retries`: the environment variable if set, else
    the package's default. (Not None: `timeout=None` reads as "no timeout", which is
    refused.)"""

    def __repr__(self) -> str:
        return "<from SIGNALWIRE_TIMEOUT / SIGNALWIRE_MAX_RETRIES, else the default>"


FROM_ENV: Any = _FromEnv()

_SPACE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_HOST_NAME = re.compile(r"[A-Za-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved, validated settings; the token is left out of `repr`."""

    project_id: str
    api_token: Secret = field(repr=False)
    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    retry_ambiguous: bool
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE

    @property
    def host(self) -> str:
        """The API's host, for messages: the Space's, or the emulator's."""
        return urlsplit(self.base_url).netloc


def _getenv(variable: str, env: Mapping[str, str] | None) -> str | None:
    """A variable, from `env` or the process's environment. (Never a local holding
    os.environ: a traceback's captured locals would show every variable in it.)"""
    return (os.environ if env is None else env).get(variable) or None


def _from_env(
    value: str | None, argument: str, variable: str, env: Mapping[str, str] | None
) -> str:
    if value is None:
        value = _getenv(variable, env)
        if value is None:
            raise ValidationError(argument, f"missing; pass {argument}= or set {variable}")
    return value


def _token_problem(value: object) -> str | None:
    """What is wrong with an API token, if anything (never raises, so never in a traceback)."""
    if not isinstance(value, str) or not value or any(char.isspace() for char in value):
        return "must be a non-empty string without whitespace"
    if not value.isprintable() or not value.isascii():
        return "must be printable ASCII, as SignalWire's tokens are"
    return None


def base_url_for(space: str) -> str:
    """The API base URL for a Space name, a Space host, or a base URL.

    Plain http:// is allowed for loopback hosts only: Basic auth would travel in clear.
    """
    if not isinstance(space, str):
        raise ValidationError("space", f"must be a string, not {type(space).__name__}")
    text = space.strip()
    if not text or any(char.isspace() for char in text):
        raise ValidationError("space", "must be a Space name, host or https:// URL")
    if "://" not in text:
        if _SPACE_NAME.fullmatch(text):
            return f"https://{text}.{SPACE_DOMAIN}{API_PATH}"
        if _HOST_NAME.fullmatch(text) and "." in text:
            return f"https://{text.lower()}{API_PATH}"
        raise ValidationError("space", "must be a Space name like 'example', a host or a URL")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        raise ValidationError("space", "is not a valid URL") from None
    if not host:
        raise ValidationError("space", "URL has no host")
    if ":" not in host and not all(host.split(".")):
        raise ValidationError("space", "URL's host has an empty label ('..' or a dot at an end)")
    if parts.username is not None or parts.password is not None:
        raise ValidationError("space", "must not carry credentials; use api_token")
    if parts.query or parts.fragment:
        raise ValidationError("space", "must not have a query string or fragment")
    scheme = parts.scheme.lower()
    if scheme == "http":
        if not is_loopback(host):
            raise ValidationError(
                "space", "plain http:// is only allowed for loopback hosts; use https://"
            )
    elif scheme != "https":
        raise ValidationError("space", "must be an https:// URL")
    path = parts.path.rstrip("/") or API_PATH
    base_url = f"{scheme}://{parts.netloc}{path}"
    try:
        # What every request is built on; `host` decodes IDNA (xn--) labels, which can fail.
        _ = httpx.URL(base_url).host
    except (httpx.InvalidURL, ValueError):
        raise ValidationError("space", "has a host name requests cannot be sent to") from None
    return base_url


def _base_url(space: str | None, env: Mapping[str, str] | None) -> str:
    try:
        return base_url_for(_from_env(space, "space", ENV_SPACE, env))
    except ValidationError as error:
        if space is None and _getenv(ENV_SPACE, env) is not None:
            raise ValidationError("space", f"{error.rule} (from {ENV_SPACE})") from None
        raise


def _seconds(value: object) -> float:
    """A usable timeout in seconds, or a ValidationError saying why not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError("timeout", "must be seconds (a number) or an httpx.Timeout")
    if not 0 < value <= MAX_TIMEOUT:  # also refuses NaN
        raise ValidationError("timeout", f"must be more than 0 and at most {MAX_TIMEOUT:g} s")
    return float(value)


def _timeout(value: object) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        timeouts = (value.connect, value.read, value.write, value.pool)
        if any(part is None for part in timeouts):
            raise ValidationError("timeout", "every part of an httpx.Timeout must be set")
        for part in timeouts:
            _seconds(part)
        return value
    return httpx.Timeout(_seconds(value))


def _timeout_from_env(env: Mapping[str, str] | None) -> httpx.Timeout:
    text = _getenv(ENV_TIMEOUT, env)
    if text is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan and inf
        raise ValidationError(
            "timeout",
            f"{ENV_TIMEOUT} must be seconds, more than 0 and at most {MAX_TIMEOUT:g}, "
            f"not {text[:20]!r}",
        )
    return httpx.Timeout(seconds)


def _max_retries_from_env(env: Mapping[str, str] | None) -> int:
    text = _getenv(ENV_MAX_RETRIES, env)
    if text is None:
        return DEFAULT_MAX_RETRIES
    if not text.strip().isdecimal() or not text.strip().isascii():
        raise ValidationError(
            "max_retries",
            f"{ENV_MAX_RETRIES} must be a whole number of 0 or more, not {text[:20]!r}",
        )
    return int(text)


def _response_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_RESPONSE_SIZE:
        raise ValidationError(
            "max_response_size", f"must be a number of bytes from 1 to {MAX_RESPONSE_SIZE:,}"
        )
    return value


def resolve_settings(
    project_id: str | None,
    api_token: Secret | str | None,
    space: str | None,
    *,
    timeout: float | httpx.Timeout = FROM_ENV,
    max_retries: int = FROM_ENV,
    retry_ambiguous: bool = DEFAULT_RETRY_AMBIGUOUS,
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Fill what was not passed from `env` (the process's environment by default), then
    check all of it. The token is held as a `Secret` from the first line on.

    `timeout` and `max_retries` left at `FROM_ENV` come from SIGNALWIRE_TIMEOUT and
    SIGNALWIRE_MAX_RETRIES when set, else from the defaults."""
    token = Secret(api_token)
    del api_token
    project = check_id("project_id", _from_env(project_id, "project_id", ENV_PROJECT_ID, env))
    if ":" in project:
        raise ValidationError("project_id", "must not contain ':' (it is the Basic auth user name)")
    if token.reveal() is None:
        token = Secret(_getenv(ENV_API_TOKEN, env))
        if token.reveal() is None:
            raise ValidationError("api_token", f"missing; pass api_token= or set {ENV_API_TOKEN}")
    reveal_checked("api_token", token, _token_problem)
    return Settings(
        project_id=project,
        api_token=token,
        base_url=_base_url(space, env),
        timeout=_timeout_from_env(env) if timeout is FROM_ENV else _timeout(timeout),
        max_retries=(
            _max_retries_from_env(env)
            if max_retries is FROM_ENV
            else check_max_retries(max_retries)
        ),
        retry_ambiguous=check_bool("retry_ambiguous", retry_ambiguous),
        max_response_size=_response_size(max_response_size),
    )
