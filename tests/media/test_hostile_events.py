"""Hostile frames: anything SignalWire's side of a stream could send parses into an event or
raises ProtocolError, and a `Session` skips and counts what it cannot use.

Property-based (hypothesis), with the strategies of tests/helpers/strategies.py. The
minimal examples of the bugs these found stay at the end as plain regression tests.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from signalwire_streams import ProtocolError
from signalwire_streams.media import (
    Connected,
    Dtmf,
    Mark,
    Media,
    MediaFormat,
    Session,
    Start,
    Stop,
    UnknownEvent,
    parse_event,
)

from tests.helpers.strategies import ANY_CHAR, ANY_OBJECT, JSON, WRONG, dumps, examples

EVENT_NAMES = (
    "connected",
    "start",
    "media",
    "dtmf",
    "mark",
    "stop",
    "clear",
    "paused",
    "",
    "Media",
)
NUMBER = st.one_of(
    st.integers(0, 10**6),
    st.integers(0, 10**6).map(str),
    st.sampled_from(["", "01", "1.5", "-1", "\uff11\uff12", "\u00b2", "9" * 18, "9" * 19, " 1"]),
    WRONG,
)
STRING_FIELD = st.one_of(st.text(max_size=12), st.text(ANY_CHAR, max_size=5), WRONG)
PAYLOAD = st.one_of(
    st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()),
    st.sampled_from(
        ["", "=", "A", "AA", "AA=", "AAA=", "AAAA", "A===", "AA==AA==", " AAAA", "AA\nA="]
    ),
    st.text("ABCabc+/=-_ \n", max_size=12),
    WRONG,
)
TRACK = st.one_of(st.sampled_from(["inbound", "outbound", "inbound_track"]), STRING_FIELD)
MEDIA_FORMAT = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "encoding": st.one_of(
                st.sampled_from(["audio/x-mulaw", "audio/x-alaw", "audio/x-L16", "audio/ogg"]),
                STRING_FIELD,
            ),
            "sampleRate": st.one_of(
                st.sampled_from([8000, 16000, 24000, "8000", 2**31, 2**32]),
                st.integers(1, 10**18),
                NUMBER,
            ),
            "channels": st.one_of(st.sampled_from([1, 2, "2"]), NUMBER),
        },
    ),
    WRONG,
)
BODIES_BY_EVENT: dict[str, st.SearchStrategy[Any]] = {
    "start": st.fixed_dictionaries(
        {},
        optional={
            "streamSid": STRING_FIELD,
            "accountSid": STRING_FIELD,
            "callSid": STRING_FIELD,
            "tracks": st.one_of(st.lists(TRACK, max_size=3), WRONG),
            "customParameters": st.one_of(
                st.dictionaries(st.text(ANY_CHAR, max_size=8), st.text(ANY_CHAR, max_size=8)),
                st.dictionaries(st.text(max_size=5), WRONG, max_size=3),
                WRONG,
            ),
            "mediaFormat": MEDIA_FORMAT,
        },
    ),
    "media": st.fixed_dictionaries(
        {},
        optional={"track": TRACK, "chunk": NUMBER, "timestamp": NUMBER, "payload": PAYLOAD},
    ),
    "dtmf": st.fixed_dictionaries(
        {}, optional={"digit": STRING_FIELD, "duration": NUMBER, "track": TRACK}
    ),
    "mark": st.fixed_dictionaries({}, optional={"name": STRING_FIELD}),
    "stop": st.fixed_dictionaries(
        {}, optional={"accountSid": STRING_FIELD, "callSid": STRING_FIELD}
    ),
}


@st.composite
def frame_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A WRONG object shaped like one of SignalWire's messages, each field of a random type."""
    event = draw(st.one_of(st.sampled_from(EVENT_NAMES), WRONG))
    message: dict[str, Any] = {"event": event}
    body_key = draw(st.sampled_from([event if isinstance(event, str) else "media", "media"]))
    body = BODIES_BY_EVENT.get(body_key)
    if body is not None and draw(st.integers(0, 9)):
        message[body_key] = draw(st.one_of(body, body, JSON))
    extra = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "sequenceNumber": NUMBER,
                "streamSid": STRING_FIELD,
                "protocol": STRING_FIELD,
                "version": STRING_FIELD,
                "other": WRONG,
            },
        )
    )
    message.update(extra)
    if draw(st.integers(0, 3)) == 0:  # the docs' log envelope around the message
        wrapper = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "timestamp": STRING_FIELD,
                    "eventType": STRING_FIELD,
                    "streamSid": STRING_FIELD,
                    "sequenceNumber": NUMBER,
                    "event": WRONG,
                },
            )
        )
        message = {**wrapper, "rawEvent": draw(st.one_of(st.just(message), JSON))}
    return message


def raw_json_with(number: str) -> st.SearchStrategy[str]:
    """A media frame with a raw number literal json.dumps would not write (or would refuse)."""
    return st.sampled_from(["chunk", "timestamp", "sequenceNumber"]).map(
        lambda key: f'{{"event": "media", "media": {{"payload": "AAAA", "{key}": {number}}}}}'
    )


FRAMES = st.one_of(
    frame_objects().map(dumps),
    frame_objects().map(lambda m: dumps(m).encode()),
    frame_objects().map(lambda m: bytearray(dumps(m).encode())),
    frame_objects().map(lambda m: dumps(m).encode("utf-16")),
    st.integers(4301, 6000).flatmap(lambda n: raw_json_with("1" * n)),
    st.sampled_from(["1e400", "-1e400", "NaN", "-0", "1.0", "0x1"]).flatmap(raw_json_with),
    st.text(ANY_CHAR, max_size=50),
    st.binary(max_size=50),
    JSON.map(dumps),
    st.integers(1, 200).map(lambda n: "[" * n + "]" * n),
    st.integers(900, 100_000).map(
        lambda n: '{"event": "media", "media":' + "[" * n + "]" * n + "}"
    ),
    ANY_OBJECT,
)
EVENT_TYPES = (Connected, Start, Media, Dtmf, Mark, Stop, UnknownEvent)


def read_everything(event: object) -> None:
    """Every public attribute and property of an event: a value, or ProtocolError."""
    for name in dir(event):
        if name.startswith("_"):
            continue
        try:
            value = getattr(event, name)
        except ProtocolError:
            continue
        if isinstance(value, MediaFormat):
            read_everything(value)
    assert isinstance(repr(event), str)


def parse(message: object) -> object:
    """parse_event's result, or its ProtocolError; anything else fails the test."""
    try:
        return parse_event(message)  # type: ignore[arg-type]
    except ProtocolError as error:
        return error


@examples(800)
@given(message=FRAMES)
def test_a_frame_parses_into_an_event_or_raises_protocol_error(message: object) -> None:
    event = parse(message)
    if isinstance(event, ProtocolError):
        assert isinstance(event.reason, str) and len(event.reason) < 500
        return
    assert isinstance(event, EVENT_TYPES)
    read_everything(event)
    if isinstance(event, Media):
        assert isinstance(event.track, str) and isinstance(event.payload_base64, str)
        for number in (event.chunk, event.timestamp, event.sequence_number):
            assert number is None or type(number) is int
    elif isinstance(event, Start):
        assert isinstance(event.stream_sid, str)
        assert all(isinstance(v, str) for v in event.custom_parameters.values())
        assert all(isinstance(t, str) for t in event.tracks)
        assert type(event.media_format.sample_rate) is int
        assert type(event.media_format.channels) is int
    elif isinstance(event, Dtmf | Mark):
        assert isinstance(event.digit if isinstance(event, Dtmf) else event.name, str)
    elif isinstance(event, UnknownEvent):
        assert isinstance(event.event, str)


async def feed(messages: list[object]) -> AsyncIterator[object]:
    for message in messages:
        yield message


def expected_session(messages: list[object], keep_audio: bool) -> tuple[int, int, str]:
    """(malformed frames, media frames, end) as Session must count them."""
    malformed = frames = 0
    for message in messages:
        event = parse(message)
        if isinstance(event, ProtocolError):
            malformed += 1
            continue
        if isinstance(event, Media):
            if keep_audio and isinstance(parse_payload(event), ProtocolError):
                malformed += 1
                continue
            frames += 1
        if isinstance(event, Stop):
            return malformed, frames, "stop"
    return malformed, frames, "close"


def parse_payload(event: Media) -> bytes | ProtocolError:
    try:
        return event.payload
    except ProtocolError as error:
        return error


def result_or_protocol_error(call: Callable[[], object]) -> None:
    with contextlib.suppress(ProtocolError):
        call()


PLAUSIBLE_FORMAT = st.fixed_dictionaries(
    {
        "encoding": st.sampled_from(["audio/x-mulaw", "audio/x-alaw", "audio/x-L16", "audio/ogg"]),
        "sampleRate": st.one_of(st.sampled_from([8000, 16000, 24000]), st.integers(1, 10**18)),
        "channels": st.sampled_from([1, 2]),
    }
)


@st.composite
def session_messages(draw: st.DrawFn) -> list[object]:
    """A stream's messages, mostly well formed, in a plausible order, with junk mixed in."""
    start = {"event": "start", "sequenceNumber": "1", "start": draw(BODIES_BY_EVENT["start"])}
    start["start"].setdefault("streamSid", "MZ1")
    start["start"]["mediaFormat"] = draw(
        st.one_of(PLAUSIBLE_FORMAT, PLAUSIBLE_FORMAT, MEDIA_FORMAT)
    )
    media = st.builds(
        lambda body: dumps({"event": "media", "media": body}), BODIES_BY_EVENT["media"]
    )
    middle = draw(st.lists(st.one_of(media, media, FRAMES, frame_objects().map(dumps))))
    end = draw(st.sampled_from([[], ['{"event": "stop"}']]))
    return [dumps(start), *middle, *end]


@examples(250)
@given(
    messages=st.one_of(
        st.lists(st.one_of(FRAMES, frame_objects().map(dumps)), max_size=12), session_messages()
    ),
    keep_audio=st.booleans(),
    byteorder=st.sampled_from(["little", "big"]),
)
def test_a_session_skips_and_counts_malformed_frames(
    messages: list[object], keep_audio: bool, byteorder: Any
) -> None:
    session = Session(feed(messages), keep_audio=keep_audio, l16_byteorder=byteorder)  # type: ignore[arg-type]
    events = asyncio.run(_collect(session))
    malformed, frames, end = expected_session(messages, keep_audio)
    assert (session.malformed_frames, session.frames, session.end) == (malformed, frames, end)
    assert len(events) + malformed <= len(messages)
    assert isinstance(repr(session), str)
    for name in ("stream_sid", "call_sid", "account_sid", "custom_parameters", "media_format"):
        getattr(session, name)
    for track in (*session.tracks, "inbound", "nothing"):
        assert session.frames_on(track) >= 0
        assert isinstance(session.payload(track), bytes)
        result_or_protocol_error(lambda track=track: session.audio(track))
        result_or_protocol_error(lambda track=track: session.duration(track))
    result_or_protocol_error(lambda: session.write_wav(io.BytesIO()))


async def _collect(session: Session) -> list[object]:
    return [event async for event in session]


# The minimal examples of bugs the properties above found, kept after their fixes.


# An integer of more than 4300 digits made json.loads raise a plain ValueError (Python's
# int-to-str limit), which parse_event let out and Session did not count as malformed.
def test_a_frame_with_a_huge_integer_is_a_protocol_error() -> None:
    frame = '{"event": "media", "media": {"payload": "AAAA", "chunk": ' + "1" * 4301 + "}}"
    with pytest.raises(ProtocolError, match="not JSON"):
        parse_event(frame)

    async def frames() -> AsyncIterator[str]:
        yield frame

    session = asyncio.run(Session(frames()).collect())
    assert (session.malformed_frames, session.frames, session.end) == (1, 0, "close")


async def _frames(*messages: str) -> AsyncIterator[str]:
    for message in messages:
        yield message


def _session(media_format: dict[str, object], payload: bytes) -> Session:
    start = {"event": "start", "start": {"streamSid": "MZ1", "mediaFormat": media_format}}
    media = {"event": "media", "media": {"payload": base64.b64encode(payload).decode()}}
    messages = _frames(json.dumps(start), json.dumps(media))
    return asyncio.run(Session(messages, keep_audio=True).collect())


# L16 audio with an odd number of bytes made Session.audio and write_wav raise a bare
# ValueError from the codec; a sample rate a WAV header cannot hold, struct.error.
def test_odd_length_l16_audio_is_a_protocol_error() -> None:
    session = _session({"encoding": "audio/x-L16", "sampleRate": 16000}, b"\x01\x02\x03")
    with pytest.raises(ProtocolError, match="even number of bytes"):
        session.audio()
    with pytest.raises(ProtocolError, match="even number of bytes"):
        session.write_wav(io.BytesIO())


# Since then the format is checked when `start` arrives: a start with an impossible sample
# rate (too big for a WAV header, zero or negative, which made durations negative) is a
# malformed frame, skipped and counted, and the stream keeps SignalWire's default format.
@pytest.mark.parametrize("rate", [2147483648, -8000, 0])
def test_a_start_with_an_impossible_sample_rate_is_a_malformed_frame(rate: int) -> None:
    session = _session({"encoding": "audio/x-mulaw", "sampleRate": rate}, b"\xff\xff")
    assert session.start is None and session.malformed_frames == 1
    assert session.media_format.sample_rate == 8000 and session.duration() == 2 / 8000
    session.write_wav(io.BytesIO())
