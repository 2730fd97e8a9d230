"""Every check on what a user passes in, in one place, run before anything is sent.

Each check raises `ValidationError` naming the field and the rule. Messages never echo a
value that could be a secret (tokens, URLs that may carry credentials, parameter values).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import SplitResult, quote, urlsplit

from ._errors import ValidationError

__all__ = [
    "MAX_SEGMENT",
    "bearer_token_problem",
    "check_bool",
    "check_callback_url",
    "check_choice",
    "check_extra_fields",
    "check_id",
    "check_max_retries",
    "check_parameters",
    "check_stream_name",
    "check_websocket_url",
    "is_loopback",
    "numbered_field_pattern",
]

# Ids and names become path segments: percent-encoded, three of them must fit in one URL,
# which httpx caps at 64 KiB (as http.server, the emulator's, caps the request line).
MAX_SEGMENT = 20_000
_SAFE_SEGMENT = MAX_SEGMENT // 12  # no character takes more than 12 once percent-encoded

# \s is str.isspace() for each character (both are Py_UNICODE_ISSPACE), in one C loop.
_WHITESPACE = re.compile(r"\s")
# A lone surrogate has no UTF-8 form: such text can be neither sent nor put in a path.
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_UNICODE = "must be valid Unicode text, without lone surrogates"


def _require_str(field: str, value: object) -> str:
    """The text itself, as a plain `str`: what is checked is exactly what is sent, even for a
    `str` subclass whose `__str__` or `encode` says otherwise."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, not {type(value).__name__}")
    text = value if type(value) is str else str.__str__(value)
    if _SURROGATE.search(text):
        raise ValidationError(field, _NOT_UNICODE)
    return text


def check_id(field: str, value: object) -> str:
    """A call, conference or stream id: it becomes one path segment."""
    text = _require_str(field, value)
    if not text.strip():
        raise ValidationError(field, "must not be empty")
    if text != text.strip():
        raise ValidationError(field, "must not start or end with whitespace")
    _check_path_segment(field, text)
    return text


def check_stream_name(field: str, value: object) -> str:
    """A stream name: free text, but it must be usable later as a path segment to stop by.

    The API reads a `.json` at the end of a path as the response format (as Twilio's
    does), so `/Streams/asr.json` means the stream `asr`: such a name is refused.
    """
    text = _require_str(field, value)
    if not text:
        raise ValidationError(field, "must not be empty")
    _check_path_segment(field, text)
    if text.lower().endswith(".json"):
        raise ValidationError(
            field, "must not end in '.json': the API reads it as a format, not part of the name"
        )
    return text


def _check_path_segment(field: str, text: str) -> None:
    if "/" in text:
        raise ValidationError(field, "must not contain '/'")
    if text in (".", ".."):
        raise ValidationError(field, "must not be '.' or '..'")
    if len(text) > _SAFE_SEGMENT and len(quote(text, safe="")) > MAX_SEGMENT:
        raise ValidationError(
            field, f"must be at most {MAX_SEGMENT} characters once percent-encoded"
        )


def bearer_token_problem(value: object) -> str | None:
    """What is wrong with a bearer token to send, if anything (never raises: see _secrets)."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value:
        return "must not be empty; pass None to leave it out"
    if _SURROGATE.search(value):
        return _NOT_UNICODE
    return None


def check_choice(field: str, value: object, choices: Iterable[str]) -> str:
    allowed = tuple(choices)
    if not isinstance(value, str) or value not in allowed:
        shown = repr(value)[:40]
        raise ValidationError(field, f"must be one of {', '.join(allowed)}; got {shown}")
    return value


def check_max_retries(value: object) -> int:
    """How many times a failed request may be sent again: 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("max_retries", "must be an integer of 0 or more")
    return value


def check_bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, f"must be True or False, not {type(value).__name__}")
    return value


def is_loopback(host: str) -> bool:
    """Whether a host is this machine: the one place plain http:// or ws:// is allowed."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_url(field: str, value: object) -> SplitResult:
    text = _require_str(field, value)
    if not text:
        raise ValidationError(field, "must not be empty")
    if _WHITESPACE.search(text):
        raise ValidationError(field, "must not contain whitespace")
    if not text.isprintable():
        raise ValidationError(field, "must not contain control characters")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        raise ValidationError(field, "is not a valid URL") from None
    if not host:
        raise ValidationError(field, "must be an absolute URL with a host")
    return parts


def check_websocket_url(field: str, value: object) -> str:
    """The stream's `Url`: wss only, a host, no query string (parameters carry data)."""
    text = _require_str(field, value)
    parts = _split_url(field, text)
    scheme = parts.scheme.lower()
    if scheme == "ws":
        raise ValidationError(field, "must use wss://; SignalWire refuses plain ws://")
    if scheme != "wss":
        raise ValidationError(field, "must be a wss:// URL")
    if "?" in text:
        raise ValidationError(field, "must not have a query string; pass data as custom parameters")
    if "#" in text:
        raise ValidationError(field, "must not have a fragment")
    return text


def check_callback_url(field: str, value: object) -> str:
    """`StatusCallback`: an absolute http(s) URL that SignalWire can request."""
    text = _require_str(field, value)
    if _split_url(field, text).scheme.lower() not in ("http", "https"):
        raise ValidationError(field, "must be an absolute http:// or https:// URL")
    return text


def _string_pairs(field: str, value: object) -> list[tuple[str, str]]:
    """A mapping of non-empty str names to str values, as (name, value) pairs in order.

    No silent `str(None)`: a value that is not a string is refused, not converted.
    """
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise ValidationError(field, f"must be a mapping of str to str, not {type(value).__name__}")
    pairs: list[tuple[str, str]] = []
    for index, (name, text) in enumerate(value.items(), start=1):
        if not isinstance(name, str) or not name:
            raise ValidationError(field, f"name #{index} must be a non-empty string")
        if not isinstance(text, str):
            raise ValidationError(
                field, f"value of {name[:40]!r} must be a string, not {type(text).__name__}"
            )
        if _SURROGATE.search(name) or _SURROGATE.search(text):
            raise ValidationError(field, f"name and value #{index}: {_NOT_UNICODE}")
        pairs.append((str.__str__(name), str.__str__(text)))
    return pairs


def check_parameters(value: object, most: int) -> list[tuple[str, str]]:
    """Custom parameters: (name, value) pairs in order, at most `most` of them."""
    pairs = _string_pairs("parameters", value)
    if len(pairs) > most:
        raise ValidationError("parameters", f"at most {most} custom parameters; got {len(pairs)}")
    return pairs


def numbered_field_pattern(*patterns: str) -> re.Pattern[str]:
    """A case-blind match for the fields of numbered pairs, from their `{n}` patterns."""
    alternatives = (re.escape(pattern).replace(re.escape("{n}"), r"\d+") for pattern in patterns)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def check_extra_fields(
    value: object, documented: frozenset[str], numbered: re.Pattern[str]
) -> list[tuple[str, str]]:
    """Undocumented form fields passed through as they are, never overriding documented ones
    (`documented` holds their names in lower case; `numbered` matches the numbered pairs)."""
    pairs = _string_pairs("extra_fields", value)
    for name, _ in pairs:
        if name.lower() in documented or numbered.fullmatch(name):
            raise ValidationError(
                "extra_fields",
                f"{name[:40]!r} is a documented field; use its own argument instead",
            )
    return pairs
