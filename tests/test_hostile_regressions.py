"""Bugs found by the property tests in test_hostile_input.py, each pinned by its example."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from signalwire_streams import ProtocolError, ValidationError, _core
from signalwire_streams.callbacks import compute_signature, validate_signature
from signalwire_streams.media import Session, parse_event

from tests.helpers.clients import WSS_URL

ACCOUNT = "b08dacad-2f6c-4de1-93d6-cc732e0c69c5"
CALL = "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad"


# A lone surrogate in any text argument escaped as UnicodeEncodeError from the form or path
# encoding, instead of ValidationError.
@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"parent_sid": "\ud800"}, "call_sid"),
        ({"url": "wss://\ud800.example.com/"}, "url"),
        ({"name": "\ud800"}, "name"),
        ({"status_callback": "https://h.example/\udfff"}, "status_callback"),
        ({"authorization_bearer_token": "t\udc80"}, "authorization_bearer_token"),
        ({"parameters": {"a": "\udfff"}}, "parameters"),
        ({"parameters": {"\ud800": "v"}}, "parameters"),
        ({"extra_fields": {"X": "\ud800"}}, "extra_fields"),
    ],
)
def test_a_lone_surrogate_in_a_create_is_a_validation_error(
    arguments: dict[str, Any], field: str
) -> None:
    arguments = {"parent_sid": CALL, "url": WSS_URL, **arguments}
    with pytest.raises(ValidationError) as caught:
        _core.create_stream(ACCOUNT, "call", **arguments)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("parent", "stream", "field"),
    [("\ud800", "asr", "conference_sid"), (CALL, "\ud800", "stream")],
)
def test_a_lone_surrogate_in_a_stop_is_a_validation_error(
    parent: str, stream: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _core.stop_stream(ACCOUNT, "conference", parent, stream)
    assert caught.value.field == field


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


# A lone surrogate in the URL, a field or the signature escaped from compute_signature and
# validate_signature as UnicodeEncodeError; an empty signing key raised a bare ValueError.
@pytest.mark.parametrize(
    ("url", "fields", "signature"),
    [
        ("https://h.example/\ud800", {}, "x"),
        ("https://h.example/", {"StreamEvent": "\ud800"}, "x"),
        ("https://h.example/", {}, "\ud800"),
    ],
)
def test_text_that_is_not_unicode_does_not_validate(
    url: str, fields: dict[str, str], signature: str
) -> None:
    assert validate_signature("key", url, fields, signature) is False
    computed = compute_signature("key", url, fields)
    assert validate_signature("key", url, fields, computed) is True


def test_an_empty_signing_key_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        compute_signature("", "https://h.example/")
    assert caught.value.field == "signing_key"


async def _frames(*messages: str) -> AsyncIterator[str]:
    for message in messages:
        yield message


def _session(media_format: dict[str, object], payload: bytes) -> Session:
    start = {"event": "start", "start": {"streamSid": "MZ1", "mediaFormat": media_format}}
    media = {"event": "media", "media": {"payload": base64.b64encode(payload).decode()}}
    return asyncio.run(Session(_frames(json.dumps(start), json.dumps(media))).collect())


# L16 audio with an odd number of bytes made Session.audio and write_wav raise a bare
# ValueError from the codec; a sample rate a WAV header cannot hold, struct.error.
def test_odd_length_l16_audio_is_a_protocol_error() -> None:
    session = _session({"encoding": "audio/x-L16", "sampleRate": 16000}, b"\x01\x02\x03")
    with pytest.raises(ProtocolError, match="even number of bytes"):
        session.audio()
    with pytest.raises(ProtocolError, match="even number of bytes"):
        session.write_wav(io.BytesIO())


def test_a_sample_rate_too_big_for_a_wav_file_is_a_protocol_error() -> None:
    session = _session({"encoding": "audio/x-mulaw", "sampleRate": 2147483648}, b"\xff\xff")
    assert session.duration() == pytest.approx(1 / 2**30)
    with pytest.raises(ProtocolError, match="WAV"):
        session.write_wav(io.BytesIO())


# An id or name whose percent-encoded path made the URL longer than httpx allows raised
# httpx.InvalidURL ("URL too long") from the client instead of ValidationError.
@pytest.mark.parametrize(
    ("parent", "stream", "field"),
    [("\u0800" * 9000, "asr", "call_sid"), (CALL, "&" * 20_001, "stream")],
)
def test_a_path_segment_too_long_for_a_url_is_a_validation_error(
    parent: str, stream: str, field: str
) -> None:
    with pytest.raises(ValidationError, match="percent-encoded") as caught:
        _core.stop_stream(ACCOUNT, "call", parent, stream)
    assert caught.value.field == field
    assert _core.stop_stream(ACCOUNT, "call", CALL, "&" * 6_666).request.path.endswith(
        "%26" * 6_666
    )
