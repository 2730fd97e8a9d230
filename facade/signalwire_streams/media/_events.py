"""The messages SignalWire sends over a stream's WebSocket, as typed, immutable events.

Parsing is lenient where the service is known to vary (numbers sent as strings, `streamSid`
absent on `media`, `customParameters` absent) and strict about the rest: a frame that is not
JSON, has no `event`, or carries a wrong type raises `ProtocolError` with the reason. An event
this version does not know becomes `UnknownEvent` with its data kept.

SignalWire's docs show each message wrapped as `{"timestamp", "direction", "eventType",
"streamSid", "sequenceNumber", "rawEvent": {...}}`; such a wrapper is unwrapped, so the docs'
examples parse as well as the bare messages do, and what the wrapper alone says (its
`timestamp`, `direction` and `eventType`) is kept on the event as its `envelope`. Bare
messages, the usual media frames among them, have none and take the fast path.
"""

from __future__ import annotations

import binascii
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Annotated, Any, Final, TypeAlias

import msgspec

from .._dates import parse_timestamp
from .._errors import ProtocolError

__all__ = [
    "ALAW",
    "L16",
    "MULAW",
    "Connected",
    "Dtmf",
    "Envelope",
    "Event",
    "Mark",
    "Media",
    "MediaFormat",
    "Start",
    "Stop",
    "UnknownEvent",
    "parse_event",
]

MULAW: Final = "audio/x-mulaw"
ALAW: Final = "audio/x-alaw"
L16: Final = "audio/x-L16"
_BYTES_PER_SAMPLE = {MULAW: 1, ALAW: 1, L16: 2}
# Bounds on a start's mediaFormat: SignalWire sends 8, 16 or 24 kHz and one channel.
MIN_SAMPLE_RATE = 1000
MAX_SAMPLE_RATE = 192_000
MAX_CHANNELS = 8
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class MediaFormat:
    """How a stream's audio is encoded: `start.mediaFormat`."""

    encoding: str = MULAW
    sample_rate: int = 8000
    channels: int = 1

    @property
    def bytes_per_second(self) -> int | None:
        """Payload bytes per second of audio, or None for an encoding this version does not know."""
        width = _BYTES_PER_SAMPLE.get(self.encoding)
        return None if width is None else width * self.sample_rate * self.channels


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the docs' `rawEvent` wrapper says about the message it carries.

    `timestamp` is the text as sent (`"2025-09-26T16:25:04.792Z"` in the docs) and `time`
    that text read as a timezone-aware datetime (None if it cannot be); `direction` is
    `inbound` or `outbound` in the docs; `event_type` repeats the event's name.
    """

    timestamp: str | None = None
    direction: str | None = None
    event_type: str | None = None

    @property
    def time(self) -> datetime | None:
        """`timestamp` as a timezone-aware datetime (ISO 8601 or RFC 2822), else None."""
        return parse_timestamp(self.timestamp)


@dataclass(frozen=True, slots=True)
class Connected:
    """The first message: the protocol and its version."""

    protocol: str | None = None
    version: str | None = None
    envelope: Envelope | None = None


@dataclass(frozen=True, slots=True)
class Start:
    """The stream's metadata: who is calling, which tracks, the custom parameters, the format.

    `custom_parameters` holds the `Parameter{N}` pairs given when the stream was created.
    """

    stream_sid: str
    account_sid: str | None = None
    call_sid: str | None = None
    tracks: tuple[str, ...] = ()
    custom_parameters: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    media_format: MediaFormat = field(default_factory=MediaFormat)
    sequence_number: int | None = None
    envelope: Envelope | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """One chunk of audio on one track (about 20 ms).

    `payload_base64` is the text as received; `payload` decodes it on each access, so a
    handler that only forwards base64 never pays for decoding.
    """

    track: str
    payload_base64: str = field(repr=False)
    chunk: int | None = None
    timestamp: int | None = None
    sequence_number: int | None = None
    stream_sid: str | None = None
    envelope: Envelope | None = None

    @property
    def payload(self) -> bytes:
        """The raw audio, in the stream's `MediaFormat`; ProtocolError if not valid base64."""
        try:
            # What b64decode(validate=True) does, without its per-call regex: strict in C.
            return binascii.a2b_base64(self.payload_base64, strict_mode=True)
        except (binascii.Error, ValueError) as error:
            raise ProtocolError(f"media.payload is not valid base64: {error}") from None

    def __repr__(self) -> str:
        envelope = "" if self.envelope is None else f", envelope={self.envelope!r}"
        return (
            f"Media(track={self.track!r}, chunk={self.chunk!r}, timestamp={self.timestamp!r}, "
            f"sequence_number={self.sequence_number!r}, "
            f"payload_base64=<{len(self.payload_base64)} chars>{envelope})"
        )


@dataclass(frozen=True, slots=True)
class Dtmf:
    """A key the caller pressed."""

    digit: str
    duration: int | None = None
    track: str | None = None
    sequence_number: int | None = None
    stream_sid: str | None = None
    envelope: Envelope | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """A mark the server placed in a bidirectional stream has been played."""

    name: str
    sequence_number: int | None = None
    stream_sid: str | None = None
    envelope: Envelope | None = None


@dataclass(frozen=True, slots=True)
class Stop:
    """The stream ended: stopped over REST, or the call ended."""

    sequence_number: int | None = None
    stream_sid: str | None = None
    account_sid: str | None = None
    call_sid: str | None = None
    envelope: Envelope | None = None


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event this version does not know, kept whole rather than dropped."""

    event: str
    data: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    envelope: Envelope | None = None


Event: TypeAlias = Connected | Start | Media | Dtmf | Mark | Stop | UnknownEvent


def _object(container: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = container.get(key)
    if value is None:
        return _EMPTY
    if not isinstance(value, dict):
        raise ProtocolError(f"{where}{key} must be an object, not {type(value).__name__}")
    return value


def _text(container: Mapping[str, Any], key: str, where: str) -> str | None:
    value = container.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ProtocolError(f"{where}{key} must be a string, not {type(value).__name__}")


def _required_text(container: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(container, key, where)
    if value is None:
        raise ProtocolError(f"{where}{key} is missing")
    return value


def _number(container: Mapping[str, Any], key: str, where: str) -> int | None:
    """An integer, which SignalWire sends either as a JSON number or as a string of digits."""
    value = container.get(key)
    # The common case first: this runs three times for every media frame.
    if type(value) is str and value.isdigit() and value.isascii() and len(value) <= 18:
        return int(value)
    if type(value) is int or value is None:
        return value
    raise ProtocolError(f"{where}{key} must be an integer or a string of digits, not {value!r:.40}")


def _parameters(container: Mapping[str, Any]) -> Mapping[str, str]:
    raw = _object(container, "customParameters", "start.")
    for name, value in raw.items():
        if not isinstance(value, str):
            raise ProtocolError(
                f"start.customParameters[{name!r:.40}] must be a string, not {type(value).__name__}"
            )
    return MappingProxyType(dict(raw)) if raw else _EMPTY


def _media_format(container: Mapping[str, Any]) -> MediaFormat:
    """The stream's format, checked here so that no later arithmetic (durations, WAV
    headers) meets an impossible one: a start that carries one is a malformed frame."""
    raw = _object(container, "mediaFormat", "start.")
    if not raw:
        return MediaFormat()
    where = "start.mediaFormat."
    encoding = _text(raw, "encoding", where) or MULAW
    sample_rate = _number(raw, "sampleRate", where)
    sample_rate = 8000 if sample_rate is None else sample_rate
    channels = _number(raw, "channels", where)
    channels = 1 if channels is None else channels
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise ProtocolError(
            f"{where}sampleRate must be from {MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE}, "
            f"not {sample_rate}"
        )
    if not 1 <= channels <= MAX_CHANNELS:
        raise ProtocolError(f"{where}channels must be from 1 to {MAX_CHANNELS}, not {channels}")
    if len(encoding) > 100:
        raise ProtocolError(f"{where}encoding is too long to be a media type")
    return MediaFormat(encoding, sample_rate, channels)


def _tracks(container: Mapping[str, Any]) -> tuple[str, ...]:
    tracks = container.get("tracks")
    if tracks is None:
        return ()
    if not isinstance(tracks, list) or not all(isinstance(t, str) for t in tracks):
        raise ProtocolError("start.tracks must be a list of strings")
    return tuple(tracks)


def _start(message: Mapping[str, Any], sequence: int | None) -> Start:
    body = _object(message, "start", "")
    stream_sid = _text(body, "streamSid", "start.") or _text(message, "streamSid", "")
    if stream_sid is None:
        raise ProtocolError("start.streamSid is missing")
    return Start(
        stream_sid=stream_sid,
        account_sid=_text(body, "accountSid", "start."),
        call_sid=_text(body, "callSid", "start."),
        tracks=_tracks(body),
        custom_parameters=_parameters(body),
        media_format=_media_format(body),
        sequence_number=sequence,
    )


def _media(message: Mapping[str, Any], sequence: int | None, stream: str | None) -> Media:
    body = message.get("media")
    if type(body) is not dict:
        body = _object(message, "media", "")
    track = body.get("track")
    payload = body.get("payload")
    return Media(
        track if type(track) is str else _text(body, "track", "media.") or "inbound",
        payload if type(payload) is str else _required_text(body, "payload", "media."),
        _number(body, "chunk", "media."),
        _number(body, "timestamp", "media."),
        sequence,
        stream,
    )


def _dtmf(message: Mapping[str, Any], sequence: int | None, stream: str | None) -> Dtmf:
    body = _object(message, "dtmf", "")
    return Dtmf(
        digit=_required_text(body, "digit", "dtmf."),
        duration=_number(body, "duration", "dtmf."),
        track=_text(body, "track", "dtmf."),
        sequence_number=sequence,
        stream_sid=stream,
    )


def _mark(message: Mapping[str, Any], sequence: int | None, stream: str | None) -> Mark:
    body = _object(message, "mark", "")
    return Mark(_required_text(body, "name", "mark."), sequence, stream)


def _stop(message: Mapping[str, Any], sequence: int | None, stream: str | None) -> Stop:
    body = _object(message, "stop", "")
    return Stop(
        sequence_number=sequence,
        stream_sid=stream,
        account_sid=_text(body, "accountSid", "stop."),
        call_sid=_text(body, "callSid", "stop."),
    )


def _unwrap(wrapper: dict[str, Any]) -> tuple[dict[str, Any], Envelope]:
    """The docs' wrapped form: the event is `rawEvent`, which may leave ids to the wrapper;
    what only the wrapper says is its `Envelope`."""
    inner = dict(wrapper["rawEvent"])
    for key in ("streamSid", "sequenceNumber"):
        if key not in inner and key in wrapper:
            inner[key] = wrapper[key]
    envelope = Envelope(
        _envelope_text(wrapper, "timestamp"),
        _envelope_text(wrapper, "direction"),
        _envelope_text(wrapper, "eventType"),
    )
    return inner, envelope


def _envelope_text(wrapper: Mapping[str, Any], key: str) -> str | None:
    """A wrapper's field as text: a whole number (milliseconds, say) as its digits."""
    value = wrapper.get(key)
    if value is None or type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise ProtocolError(f"the envelope's {key} must be a string, not {type(value).__name__}")


# The usual media message, decoded by msgspec straight into these structs, in C: numbers as
# JSON numbers or strings of digits (strict=False), at most 18 digits, as the general path
# takes them. Any other shape fails here and takes the general path, which says what is
# wrong. This runs about fifty times a second per track.
_Count = Annotated[int, msgspec.Meta(ge=0, le=10**18 - 1)]


class _MediaBody(msgspec.Struct):
    track: str
    payload: str
    chunk: _Count | None = None
    timestamp: _Count | None = None


class _MediaMessage(msgspec.Struct, tag_field="event", tag="media"):
    media: _MediaBody
    sequenceNumber: _Count | None = None  # the wire's names
    streamSid: str | None = None


_decode_media = msgspec.json.Decoder(_MediaMessage, strict=False).decode
_decode_json = msgspec.json.Decoder().decode

# A media event built without the frozen dataclass's __init__ (which sets each field through
# object.__setattr__): its slots are filled through their descriptors, at a third of the
# cost. The result is the same frozen Media, equal to one made the usual way.
_MEDIA_NEW = Media.__new__
_MEDIA_SLOTS = tuple(
    getattr(Media, name).__set__
    for name in (
        "track",
        "payload_base64",
        "chunk",
        "timestamp",
        "sequence_number",
        "stream_sid",
        "envelope",
    )
)


def _fast_media(message: str | bytes) -> Media | None:
    """The message as a media event in its usual shape, or None."""
    try:
        decoded = _decode_media(message)
    except (msgspec.MsgspecError, UnicodeEncodeError):  # or text with a lone surrogate
        return None
    body = decoded.media
    event = _MEDIA_NEW(Media)
    set_track, set_payload, set_chunk, set_timestamp, set_sequence, set_stream, set_envelope = (
        _MEDIA_SLOTS
    )
    set_track(event, body.track)
    set_payload(event, body.payload)
    set_chunk(event, body.chunk)
    set_timestamp(event, body.timestamp)
    set_sequence(event, decoded.sequenceNumber)
    set_stream(event, decoded.streamSid)
    set_envelope(event, None)  # bare: a wrapped message has no `event`, so not this path
    return event


def parse_event(message: str | bytes) -> Event:
    """Parse one WebSocket message from SignalWire into an event.

    Raises ProtocolError, with the reason, when the message is not a JSON object with a string
    `event`, or a known event carries a field of the wrong type.
    """
    if type(message) is not str:
        if not isinstance(message, bytes | bytearray | memoryview):
            raise ProtocolError(f"a message must be str or bytes, not {type(message).__name__}")
        try:
            message = bytes(message).decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("the message is not UTF-8 text") from None
    fast = _fast_media(message)
    if fast is not None:
        return fast
    try:
        data = _decode_json(message)
    except UnicodeEncodeError:
        raise ProtocolError("the message is not UTF-8 text (a lone surrogate)") from None
    except (msgspec.MsgspecError, RecursionError) as error:
        raise ProtocolError(f"the message is not JSON: {error}") from None
    if type(data) is not dict:
        raise ProtocolError(f"the message must be a JSON object, not {type(data).__name__}")
    envelope: Envelope | None = None
    if "event" not in data and isinstance(data.get("rawEvent"), dict):
        data, envelope = _unwrap(data)
    event = data.get("event")
    if type(event) is not str:
        raise ProtocolError("the message has no string 'event' field")
    sequence = _number(data, "sequenceNumber", "")
    stream = data.get("streamSid")
    if stream is not None and type(stream) is not str:
        raise ProtocolError(f"streamSid must be a string, not {type(stream).__name__}")
    parsed: Event
    if event == "media":
        parsed = _media(data, sequence, stream)
    elif event == "start":
        parsed = _start(data, sequence)
    elif event == "connected":
        parsed = Connected(_text(data, "protocol", ""), _text(data, "version", ""))
    elif event == "dtmf":
        parsed = _dtmf(data, sequence, stream)
    elif event == "mark":
        parsed = _mark(data, sequence, stream)
    elif event == "stop":
        parsed = _stop(data, sequence, stream)
    else:
        parsed = UnknownEvent(event, MappingProxyType(data))
    return parsed if envelope is None else dataclasses.replace(parsed, envelope=envelope)
