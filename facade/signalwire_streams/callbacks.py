"""Stream status callbacks: what SignalWire posts to a stream's `StatusCallback` URL.

    from signalwire_streams import callbacks

    if not callbacks.validate_signature(signing_key, url, form, headers["X-SignalWire-Signature"]):
        return 403
    event = callbacks.parse_status_callback(form)
    if event.event == callbacks.StreamEvent.ERROR:
        log.warning("stream %s failed: %s", event.stream_sid, event.error)

Signatures are checked as SignalWire's own validator checks them
(`signalwire/signalwire/core/security/webhook_validator.py` in signalwire/signalwire-python),
keyed with the project's Signing Key, in constant time:

- Scheme B, form (Compatibility, cXML, these callbacks): base64 HMAC-SHA1 over the full URL
  followed by each POST field's name and value, sorted by name with repeated names kept in
  submission order (a stable sort). Twilio's order (each name's values sorted, duplicates
  once), which the older `signalwire` 2.x SDK's validator uses, is accepted too. For a GET
  callback the fields are in the URL's query and nothing is appended. The URL is tried as
  given and with the scheme's default port added or removed; a non-default port is never
  removed. A URL with a `bodySHA256` query parameter signs a JSON body by that hash.
- Scheme A, JSON (RELAY, SWML): hex HMAC-SHA1 over the URL followed by the raw body.

`validate_signature` takes the parsed form (scheme B); `validate_webhook` takes the raw body
and tries both, as SignalWire's `validate_webhook_signature` does.
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
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ._dates import parse_timestamp
from ._errors import ProtocolError, ValidationError
from ._secrets import Secret, reveal_checked

__all__ = [
    "SIGNATURE_HEADER",
    "StatusCallback",
    "StreamEvent",
    "compute_signature",
    "parse_status_callback",
    "validate_signature",
    "validate_webhook",
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
    """(name, value) pairs in the order given; from a multi-mapping (Django's `QueryDict`,
    werkzeug's `MultiDict`: `getlist`; aiohttp's `MultiDict`: `getall`), every value of each
    name, in order, which a plain `items()` would cut to one."""
    items: Iterable[object]
    if isinstance(fields, Mapping):
        every = getattr(fields, "getlist", None) or getattr(fields, "getall", None)
        if callable(every):
            items = [(name, value) for name in dict.fromkeys(fields) for value in every(name)]
        else:
            items = fields.items()
    else:
        items = fields
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


def _key_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    return None


def _hmac_sha1(key: Secret, data: bytes) -> bytes:
    """HMAC-SHA1 keyed with the signing key, revealed only inline here."""
    return hmac.new(key.text().encode(errors=_LONE), data, hashlib.sha1).digest()


def _b64(digest: bytes) -> bytes:
    return base64.b64encode(digest)


def _submission_order(pairs: list[tuple[str, str]]) -> str:
    """SignalWire's order: sorted by name, a name's values in the order they were sent."""
    return "".join(name + value for name, value in sorted(pairs, key=lambda pair: pair[0]))


def _twilio_order(pairs: list[tuple[str, str]]) -> str:
    """Twilio's order: sorted by name, then each name's distinct values sorted."""
    by_name: dict[str, set[str]] = {}
    for name, value in pairs:
        by_name.setdefault(name, set()).add(value)
    return "".join(name + value for name in sorted(by_name) for value in sorted(by_name[name]))


def _signed_texts(pairs: list[tuple[str, str]]) -> list[str]:
    """What follows the URL in a scheme B signature, in each accepted order (one text when
    no name repeats, where the orders agree)."""
    return list(dict.fromkeys((_submission_order(pairs), _twilio_order(pairs))))


def compute_signature(signing_key: str, url: str, fields: Fields = ()) -> str:
    """The `X-SignalWire-Signature` (scheme B) for a request to `url` with these POST fields,
    repeated names in the order given, as SignalWire's own validator expects.

    Text with a lone surrogate (no UTF-8 form; SignalWire never sends one) is hashed as
    "surrogatepass" UTF-8, so it gets a signature, which no request from SignalWire matches.
    """
    key = Secret(signing_key)
    del signing_key
    reveal_checked("signing_key", key, _key_problem)
    _check_url(url)
    text = url + _submission_order(_pairs(fields))
    return _b64(_hmac_sha1(key, text.encode(errors=_LONE))).decode("ascii")


def _check_url(url: object) -> None:
    if not isinstance(url, str):
        raise ValidationError("url", f"must be the URL as a string, not {type(url).__name__}")


def _url_variants(url: str) -> list[str]:
    """The URL as given, and with the scheme's default port added (when it has none) or
    removed (when it has that one), as SignalWire's validator tries them; a non-default port
    is never removed. Each variant is made twice: by editing only the port (the rest of the
    URL as given) and rebuilt from its parts as SignalWire's validator rebuilds it (host in
    lower case, no user info); duplicates once."""
    variants = [url]
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        return variants
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    if not host or default is None or (port is not None and port != default):
        return variants
    as_given = parts.netloc.rpartition("@")[2]
    userinfo = parts.netloc[: len(parts.netloc) - len(as_given)]
    if port is None:
        edited = f"{userinfo}{as_given}:{default}"
        rebuilt = f"{_bracketed(host)}:{default}"
    else:
        edited = userinfo + as_given.rsplit(":", 1)[0]
        rebuilt = _bracketed(host)
    for netloc in (edited, rebuilt):
        variants.append(urlunsplit(parts._replace(netloc=netloc)))
    return list(dict.fromkeys(variants))


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _body_sha256(url: str) -> str | None:
    """The `bodySHA256` query parameter of a URL, if it has one."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return None
    values = [v for k, v in parse_qsl(query, keep_blank_values=True) if k == "bodySHA256"]
    return values[-1] if values else None


def _matches(expected: bytes, given: bytes) -> bool:
    return hmac.compare_digest(expected, given)


def _given(signature: object) -> bytes | None:
    """The signature header's value as bytes to compare, or None when there is none."""
    if not isinstance(signature, str) or not signature.strip():
        return None
    return signature.strip().encode(errors=_LONE)


def validate_signature(signing_key: str, url: str, fields: Fields, signature: str | None) -> bool:
    """Whether `signature` is SignalWire's scheme B signature for this request (constant time).

    `url` is the full URL SignalWire requested, query included; `fields` the POST form
    (nothing for a GET), a mapping or (name, value) pairs in the order received (a
    `getlist`/`getall` multi-mapping gives each name's values in order). Repeated names are
    taken in submission order or Twilio's sorted order; the URL also with the default port
    added or removed. A URL with `bodySHA256` signs a JSON body, which this cannot see:
    it is refused here, use `validate_webhook` with the raw body.
    """
    key = Secret(signing_key)
    del signing_key
    reveal_checked("signing_key", key, _key_problem)
    _check_url(url)
    given = _given(signature)
    if given is None:
        return False
    if _body_sha256(url) is not None:
        return False
    texts = _signed_texts(_pairs(fields))
    matched = False
    for variant in _url_variants(url):
        for text in texts:
            expected = _b64(_hmac_sha1(key, (variant + text).encode(errors=_LONE)))
            matched |= _matches(expected, given)
    return matched


def validate_webhook(
    signing_key: str, signature: str | None, url: str, raw_body: str | bytes
) -> bool:
    """Whether `signature` (the `X-SignalWire-Signature` header) signs this request by either
    of SignalWire's schemes, checked as its own `validate_webhook_signature` checks them:

    - scheme A (RELAY, SWML: a JSON body): hex HMAC-SHA1 over `url` + the raw body;
    - scheme B (Compatibility, cXML: a form body): base64 HMAC-SHA1 over `url` + the form's
      fields parsed from the body (as `validate_signature`), the URL also with the default
      port added or removed; when the URL carries `bodySHA256`, the body's SHA-256 (hex)
      must equal it, and the signature is over the URL alone.

    One difference, on purpose: SignalWire's validator also takes a scheme B signature over
    the URL alone for any body. That is how a JSON body without `bodySHA256` is signed on
    the Compatibility surface, and is accepted here too; but for a form body with fields it
    would leave every field unsigned, so there it is refused.

    `raw_body` is the body exactly as received (str or bytes), before any parsing. Comparisons
    are constant-time; the signing key is never held as plain text by a frame that can raise.
    """
    key = Secret(signing_key)
    del signing_key
    reveal_checked("signing_key", key, _key_problem)
    _check_url(url)
    if isinstance(raw_body, bytes | bytearray | memoryview):
        body = bytes(raw_body)
    elif isinstance(raw_body, str):
        body = raw_body.encode(errors=_LONE)
    else:
        raise ValidationError(
            "raw_body", f"must be the body as received, str or bytes, not {type(raw_body).__name__}"
        )
    given = _given(signature)
    if given is None:
        return False
    matched = _matches(_hmac_sha1(key, url.encode(errors=_LONE) + body).hex().encode(), given)
    form = _form_of(body)
    digest = hashlib.sha256(body).hexdigest().encode()
    for variant in _url_variants(url):
        declared = _body_sha256(variant)
        if declared is not None and not _matches(digest, declared.encode(errors=_LONE)):
            continue  # SignalWire's check: the hash must match whatever else does
        texts = _signed_texts(form) if form else []
        if declared is not None or not form or _looks_like_json(body):
            texts.append("")
        for text in dict.fromkeys(texts):
            expected = _b64(_hmac_sha1(key, (variant + text).encode(errors=_LONE)))
            matched |= _matches(expected, given)
    return matched


def _form_of(body: bytes) -> list[tuple[str, str]]:
    """The body's form fields as SignalWire's validator parses them (leniently; none when the
    body is not UTF-8)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return []
    try:
        return parse_qsl(text, keep_blank_values=True)
    except ValueError:
        return []


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")
