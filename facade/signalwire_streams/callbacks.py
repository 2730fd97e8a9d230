"""Stream status callbacks: what SignalWire posts to a stream's `StatusCallback` URL.

    from signalwire_streams import callbacks

    if not callbacks.validate_signature(signing_key, url, form, headers["X-SignalWire-Signature"]):
        return 403
    event = callbacks.parse_status_callback(form)
    if event.event == callbacks.StreamEvent.ERROR:
        log.warning("stream %s failed: %s", event.stream_sid, event.error)

Signatures use Twilio's scheme, which SignalWire follows: base64 HMAC-SHA1, keyed with the
project's Signing Key, over the full URL followed by each POST field's name and value in
name order. For a GET callback the fields are in the URL's query and nothing is appended.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

from ._dates import parse_timestamp
from ._errors import ProtocolError, ValidationError

__all__ = [
    "SIGNATURE_HEADER",
    "StatusCallback",
    "StreamEvent",
    "compute_signature",
    "parse_status_callback",
    "validate_signature",
]

SIGNATURE_HEADER = "X-SignalWire-Signature"

Fields = Mapping[str, str] | Iterable[tuple[str, str]]
_LONE = "surrogatepass"  # how text with a lone surrogate is encoded, rather than raising


class StreamEvent(StrEnum):
    """The `StreamEvent` values SignalWire documents; others arrive as plain strings."""

    STARTED = "stream-started"
    STOPPED = "stream-stopped"
    ERROR = "stream-error"


_KNOWN_EVENTS = {e.value: e for e in StreamEvent}
_KNOWN_FIELDS = frozenset(
    {
        "AccountSid",
        "CallSid",
        "ConferenceSid",
        "StreamSid",
        "StreamName",
        "StreamEvent",
        "StreamError",
        "StreamTrack",
        "Timestamp",
    }
)


@dataclass(frozen=True, slots=True)
class StatusCallback:
    """One status callback. `extra` keeps the fields this version does not name.

    `timestamp` is `Timestamp` read as a timezone-aware datetime, from RFC 2822 (what signed
    Compatibility callbacks carry, `Thu, 09 Nov 2023 17:05:04 +0000`) or ISO 8601 (what the
    cXML page documents); None when absent or unreadable. `timestamp_text` is the field as
    sent, whether it could be read or not.
    """

    event: StreamEvent | str
    stream_sid: str
    account_sid: str | None = None
    call_sid: str | None = None
    conference_sid: str | None = None
    stream_name: str | None = None
    error: str | None = None
    track: str | None = None
    timestamp: datetime | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    timestamp_text: str | None = None


def _pairs(fields: Fields) -> list[tuple[str, str]]:
    items = fields.items() if isinstance(fields, Mapping) else fields
    pairs = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise ProtocolError("fields must be a mapping or (name, value) pairs")
        name, value = item
        if not isinstance(name, str) or not isinstance(value, str):
            raise ProtocolError("callback field names and values must be strings")
        pairs.append((name, value))
    return pairs


def parse_status_callback(fields: Fields) -> StatusCallback:
    """Read a callback's form (POST) or query (GET) fields into a `StatusCallback`.

    Raises ProtocolError when `StreamSid` or `StreamEvent` is missing. An unknown
    `StreamEvent` is kept as a string, and a `Timestamp` that is neither RFC 2822 nor
    ISO 8601 as text (`timestamp_text`, with `timestamp` None).
    """
    values = dict(_pairs(fields))
    stream_sid = values.get("StreamSid")
    event = values.get("StreamEvent")
    if not stream_sid:
        raise ProtocolError("the callback has no StreamSid")
    if not event:
        raise ProtocolError("the callback has no StreamEvent")
    return StatusCallback(
        event=_KNOWN_EVENTS.get(event, event),
        stream_sid=stream_sid,
        account_sid=values.get("AccountSid"),
        call_sid=values.get("CallSid"),
        conference_sid=values.get("ConferenceSid"),
        stream_name=values.get("StreamName"),
        error=values.get("StreamError") or None,
        track=values.get("StreamTrack"),
        timestamp=parse_timestamp(values.get("Timestamp")),
        extra=MappingProxyType({k: v for k, v in values.items() if k not in _KNOWN_FIELDS}),
        timestamp_text=values.get("Timestamp"),
    )


def compute_signature(signing_key: str, url: str, fields: Fields = ()) -> str:
    """The `X-SignalWire-Signature` for a request to `url` with these POST fields.

    Text with a lone surrogate (no UTF-8 form; SignalWire never sends one) is hashed as
    "surrogatepass" UTF-8, so it gets a signature, which no request from SignalWire matches.
    """
    if not isinstance(signing_key, str) or not signing_key:
        raise ValidationError("signing_key", "must be a non-empty string")
    by_name: dict[str, set[str]] = {}
    for name, value in _pairs(fields):
        by_name.setdefault(name, set()).add(value)
    text = url + "".join(
        name + value for name in sorted(by_name) for value in sorted(by_name[name])
    )
    key, data = signing_key.encode(errors=_LONE), text.encode(errors=_LONE)
    digest = hmac.new(key, data, hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL as given, without its port, and with the default port (proxies change it)."""
    variants = [url]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return variants
    if parts.hostname is None or parts.scheme not in ("http", "https"):
        return variants
    host = parts.netloc.rpartition("@")[2]
    userinfo = parts.netloc[: len(parts.netloc) - len(host)]
    bare = host if port is None else host.rsplit(":", 1)[0]
    default_port = 443 if parts.scheme == "https" else 80
    for netloc in (userinfo + bare, f"{userinfo}{bare}:{port or default_port}"):
        variant = urlunsplit(parts._replace(netloc=netloc))
        if variant not in variants:
            variants.append(variant)
    return variants


def validate_signature(signing_key: str, url: str, fields: Fields, signature: str | None) -> bool:
    """Whether `signature` is SignalWire's for this request (constant-time comparison).

    `url` is the full URL SignalWire requested, query included; `fields` the POST form
    (nothing for a GET). Like Twilio's validator, the URL is also tried with its port removed
    and with the scheme's default port added, since a proxy in front may change it.
    """
    if not signature:
        return False
    pairs = _pairs(fields)
    given = signature.strip().encode(errors=_LONE)
    matched = False
    for variant in _url_variants(url):
        expected = compute_signature(signing_key, variant, pairs).encode()
        matched |= hmac.compare_digest(expected, given)
    return matched
