"""Parsing what SignalWire sends over a stream's WebSocket into typed events."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from signalwire_streams import ProtocolError, SignalWireError
from signalwire_streams.media import (
    Connected,
    Dtmf,
    Envelope,
    Mark,
    Media,
    MediaFormat,
    Start,
    Stop,
    UnknownEvent,
    parse_event,
)

STREAM = "7d56cc11-536d-4a45-b4fb-ed3d55be843b"
CALL = "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad"
ACCOUNT = "b08dacad-2f6c-4de1-93d6-cc732e0c69c5"

# The examples on SignalWire's cXML <Stream> page, verbatim: each wrapped in a log envelope.
DOCS_CONNECTED = """{
  "timestamp": "2025-09-26T16:25:04.792Z", "direction": "inbound", "eventType": "connected",
  "rawEvent": {"event": "connected", "protocol": "Call", "version": "0.2.0"}
}"""
DOCS_START = """{
  "timestamp": "2025-09-26T16:25:04.794Z", "direction": "inbound", "eventType": "start",
  "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
  "callSid": "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad", "sequenceNumber": "1",
  "rawEvent": {"event": "start", "sequenceNumber": "1", "start": {
      "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
      "accountSid": "b08dacad-2f6c-4de1-93d6-cc732e0c69c5",
      "callSid": "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad",
      "tracks": ["inbound"],
      "mediaFormat": {"encoding": "audio/x-L16", "sampleRate": 24000, "channels": 1}}}
}"""
DOCS_MEDIA = """{
  "timestamp": "2025-09-26T16:25:24.821Z", "direction": "inbound", "eventType": "media",
  "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b", "sequenceNumber": "1002",
  "rawEvent": {"event": "media", "sequenceNumber": "1002", "media": {
      "track": "inbound", "chunk": "1001", "timestamp": "20041",
      "payload": "[AUDIO_DATA_1280_BYTES]"}}
}"""
DOCS_STOP = """{
  "timestamp": "2025-09-26T16:25:24.863Z", "direction": "inbound", "eventType": "stop",
  "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b", "sequenceNumber": "1002",
  "rawEvent": {"event": "stop", "sequenceNumber": "1002"}
}"""
DOCS_DTMF = """{
  "timestamp": "2025-09-26T16:25:15.123Z", "direction": "inbound", "eventType": "dtmf",
  "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b", "sequenceNumber": "25",
  "rawEvent": {"event": "dtmf", "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
      "dtmf": {"duration": 2700, "digit": "8"}}
}"""
DOCS_MARK = """{
  "timestamp": "2025-09-26T16:25:24.740Z", "direction": "inbound", "eventType": "mark",
  "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
  "rawEvent": {"event": "mark", "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
      "mark": {"name": "item_CK5XvgANb1jVorf5VQlKQ:43500"}}
}"""
DOCS_CLEAR = """{
  "timestamp": "2025-09-26T16:25:12.018Z", "direction": "outbound", "eventType": "clear",
  "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
  "rawEvent": {"event": "clear", "streamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b"}
}"""


def _envelope(timestamp: str, event_type: str, direction: str = "inbound") -> Envelope:
    return Envelope(timestamp=timestamp, direction=direction, event_type=event_type)


def test_the_docs_connected_example() -> None:
    assert parse_event(DOCS_CONNECTED) == Connected(
        protocol="Call",
        version="0.2.0",
        envelope=_envelope("2025-09-26T16:25:04.792Z", "connected"),
    )


def test_the_docs_start_example() -> None:
    event = parse_event(DOCS_START)
    assert event == Start(
        stream_sid=STREAM,
        account_sid=ACCOUNT,
        call_sid=CALL,
        tracks=("inbound",),
        media_format=MediaFormat("audio/x-L16", 24000, 1),
        sequence_number=1,
        envelope=_envelope("2025-09-26T16:25:04.794Z", "start"),
    )
    assert isinstance(event, Start) and dict(event.custom_parameters) == {}
    assert event.media_format.bytes_per_second == 48000


def test_the_docs_media_example_parses_and_its_placeholder_payload_fails_only_when_read() -> None:
    event = parse_event(DOCS_MEDIA)
    assert isinstance(event, Media)
    assert (event.track, event.chunk, event.timestamp, event.sequence_number) == (
        "inbound",
        1001,
        20041,
        1002,
    )
    assert event.stream_sid == STREAM  # from the envelope
    assert event.envelope == _envelope("2025-09-26T16:25:24.821Z", "media")
    assert "envelope=Envelope(" in repr(event)
    with pytest.raises(ProtocolError, match=r"media\.payload is not valid base64"):
        _ = event.payload


def test_the_docs_stop_dtmf_mark_and_clear_examples() -> None:
    assert parse_event(DOCS_STOP) == Stop(
        sequence_number=1002,
        stream_sid=STREAM,
        envelope=_envelope("2025-09-26T16:25:24.863Z", "stop"),
    )
    assert parse_event(DOCS_DTMF) == Dtmf(
        digit="8",
        duration=2700,
        sequence_number=25,
        stream_sid=STREAM,
        envelope=_envelope("2025-09-26T16:25:15.123Z", "dtmf"),
    )
    assert parse_event(DOCS_MARK) == Mark(
        name="item_CK5XvgANb1jVorf5VQlKQ:43500",
        stream_sid=STREAM,
        envelope=_envelope("2025-09-26T16:25:24.740Z", "mark"),
    )
    clear = parse_event(DOCS_CLEAR)
    assert isinstance(clear, UnknownEvent) and clear.event == "clear"
    assert clear.data["streamSid"] == STREAM
    assert clear.envelope == _envelope("2025-09-26T16:25:12.018Z", "clear", "outbound")


def test_the_envelope_s_time_is_read_and_its_text_kept() -> None:
    envelope = parse_event(DOCS_CONNECTED).envelope
    assert envelope is not None
    assert envelope.time == datetime(2025, 9, 26, 16, 25, 4, 792000, tzinfo=UTC)
    assert Envelope(timestamp="Thu, 09 Nov 2023 17:05:04 +0000").time == datetime(
        2023, 11, 9, 17, 5, 4, tzinfo=UTC
    )
    assert Envelope(timestamp="soon").time is None and Envelope().time is None
    numeric = parse_event(json.dumps({"timestamp": 1758903904792, "rawEvent": {"event": "stop"}}))
    assert numeric.envelope == Envelope(timestamp="1758903904792")
    with pytest.raises(ProtocolError, match="envelope's direction must be a string"):
        parse_event(json.dumps({"direction": ["in"], "rawEvent": {"event": "stop"}}))


def test_a_bare_message_has_no_envelope_on_either_path() -> None:
    fast = parse_event(bare("media", media={"track": "inbound", "payload": "AAAA"}))
    general = parse_event(bare("media", media={"payload": "AAAA"}))  # no track: general path
    assert fast.envelope is None and general.envelope is None
    assert fast == general
    assert "envelope" not in repr(fast)


def bare(event: str, **fields: Any) -> str:
    return json.dumps({"event": event, **fields})


def test_bare_messages_as_sent_on_the_wire() -> None:
    payload = base64.b64encode(b"\xff\x7f" * 80).decode()
    start = parse_event(
        bare(
            "start",
            sequenceNumber="1",
            start={
                "streamSid": STREAM,
                "accountSid": ACCOUNT,
                "callSid": CALL,
                "tracks": ["inbound", "outbound"],
                "customParameters": {"customer": "42", "note": "a&b=c%d\nline two ü"},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        )
    )
    assert isinstance(start, Start)
    assert dict(start.custom_parameters) == {"customer": "42", "note": "a&b=c%d\nline two ü"}
    assert start.tracks == ("inbound", "outbound")
    media = parse_event(
        bare(
            "media",
            sequenceNumber="2",
            media={"track": "outbound", "chunk": "1", "timestamp": "0", "payload": payload},
        )
    )
    assert isinstance(media, Media)
    assert media.payload == b"\xff\x7f" * 80
    assert media.stream_sid is None  # SignalWire's media frames carry no streamSid
    assert media.track == "outbound"


def test_events_are_immutable() -> None:
    start = parse_event(bare("start", start={"streamSid": STREAM, "customParameters": {"a": "1"}}))
    assert isinstance(start, Start)
    with pytest.raises(AttributeError):
        start.stream_sid = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        start.custom_parameters["a"] = "2"  # type: ignore[index]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # numbers as JSON numbers or strings
        (
            bare("media", sequenceNumber=7, media={"chunk": 3, "timestamp": 40, "payload": ""}),
            (7, 3, 40),
        ),
        (
            bare(
                "media", sequenceNumber="7", media={"chunk": "3", "timestamp": "40", "payload": ""}
            ),
            (7, 3, 40),
        ),
        # no sequenceNumber, chunk or timestamp at all
        (bare("media", media={"payload": ""}), (None, None, None)),
    ],
)
def test_media_numbers_are_read_either_way(message: str, expected: tuple[Any, ...]) -> None:
    event = parse_event(message)
    assert isinstance(event, Media)
    assert (event.sequence_number, event.chunk, event.timestamp) == expected
    assert event.track == "inbound"  # the default when a frame names none


def test_start_without_parameters_or_format_gets_the_documented_defaults() -> None:
    event = parse_event(bare("start", streamSid=STREAM, start={"callSid": CALL}))
    assert isinstance(event, Start)
    assert event.stream_sid == STREAM
    assert event.media_format == MediaFormat("audio/x-mulaw", 8000, 1)
    assert dict(event.custom_parameters) == {}


def test_bytes_are_accepted_like_text() -> None:
    assert parse_event(b'{"event": "stop"}') == Stop()


def test_an_unknown_event_is_kept_not_dropped() -> None:
    event = parse_event(bare("transcript", text="hello", words=[1, 2]))
    assert event == UnknownEvent(
        "transcript", {"event": "transcript", "text": "hello", "words": [1, 2]}
    )


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        ("[1, 2]", "JSON object"),
        ('"media"', "JSON object"),
        ("{}", "no string 'event'"),
        ('{"event": 5}', "no string 'event'"),
        (bare("media", media={"payload": 5}), "media.payload must be a string"),
        (bare("media", media={"track": "inbound"}), "media.payload is missing"),
        (bare("media", media="payload"), "media must be an object"),
        (bare("media", media={"payload": "", "chunk": "one"}), "media.chunk must be an integer"),
        (bare("media", media={"payload": "", "chunk": True}), "media.chunk must be an integer"),
        (bare("media", media={"payload": "", "chunk": "-1"}), "media.chunk must be an integer"),
        (
            bare("media", media={"payload": "", "timestamp": 1.5}),
            "media.timestamp must be an integer",
        ),
        (
            bare("media", sequenceNumber=[1], media={"payload": ""}),
            "sequenceNumber must be an integer",
        ),
        (bare("start", start={}), "start.streamSid is missing"),
        (bare("start", start={"streamSid": 5}), "start.streamSid must be a string"),
        (
            bare("start", start={"streamSid": STREAM, "tracks": "inbound"}),
            "start.tracks must be a list",
        ),
        (
            bare("start", start={"streamSid": STREAM, "customParameters": ["a"]}),
            "customParameters must be an object",
        ),
        (
            bare("start", start={"streamSid": STREAM, "customParameters": {"a": 1}}),
            "customParameters['a'] must be a string",
        ),
        (
            bare("start", start={"streamSid": STREAM, "mediaFormat": {"sampleRate": "fast"}}),
            "sampleRate must be an integer",
        ),
        (bare("dtmf", dtmf={}), "dtmf.digit is missing"),
        (bare("mark", mark={"name": None}), "mark.name is missing"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ],
)
def test_a_malformed_frame_raises_one_documented_error_with_the_reason(
    message: str | bytes, reason: str
) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_event(message)
    assert reason in caught.value.reason
    assert isinstance(caught.value, SignalWireError)


def test_bad_base64_raises_protocol_error_when_the_payload_is_read() -> None:
    event = parse_event(bare("media", media={"payload": "abc"}))
    assert isinstance(event, Media)
    with pytest.raises(ProtocolError, match="base64"):
        _ = event.payload


def test_media_repr_shows_the_payload_size_not_the_audio() -> None:
    payload = base64.b64encode(bytes(160)).decode()
    event = parse_event(bare("media", media={"payload": payload, "chunk": "1"}))
    assert payload not in repr(event)
    assert f"<{len(payload)} chars>" in repr(event)
