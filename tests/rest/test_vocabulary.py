"""One vocabulary, from the spec: the generated enums, their Literals and the facade's names.

The facade defines no wire value of its own: `Track`, `StatusCallbackMethod` and `Codec` are
the generated Literals, `StreamStatus` the generated enum, and its checks and the command
line's choices read them. These tests hold the generated code to the spec, and the facade's
names to the generated code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import get_args

import pytest
import signalwire_streams
import yaml
from signalwire_streams import ValidationError
from signalwire_streams_api.models import (
    CreateCallStreamRequest,
    CreateConferenceStreamRequest,
    StatusCallbackMethod,
    StreamCodec,
    StreamStatus,
    Track,
)
from signalwire_streams_api.models.status_callback_method import StatusCallbackMethodValue
from signalwire_streams_api.models.stream_codec import StreamCodecValue
from signalwire_streams_api.models.track import TrackValue

from tests.helpers.canned import CALL, Canned, answer, form_of
from tests.helpers.clients import WSS_URL
from tests.helpers.paths import SPEC as SPEC_FILE

SPEC = yaml.safe_load(SPEC_FILE.read_text())
SCHEMAS = SPEC["components"]["schemas"]

ENUMS: list[tuple[str, type[StrEnum], object]] = [
    ("Track", Track, TrackValue),
    ("StatusCallbackMethod", StatusCallbackMethod, StatusCallbackMethodValue),
    ("StreamCodec", StreamCodec, StreamCodecValue),
]


@pytest.mark.parametrize(("schema", "enum", "literal"), ENUMS, ids=[e[0] for e in ENUMS])
def test_each_generated_enum_and_literal_is_the_spec_s(
    schema: str, enum: type[StrEnum], literal: object
) -> None:
    values = SCHEMAS[schema]["enum"]
    assert get_args(literal) == tuple(values)  # in the spec's order
    assert sorted(member.value for member in enum) == sorted(values)


def test_the_facade_s_names_are_the_generated_ones() -> None:
    assert signalwire_streams.Track is TrackValue
    assert signalwire_streams.StatusCallbackMethod is StatusCallbackMethodValue
    assert signalwire_streams.Codec is StreamCodecValue
    assert signalwire_streams.StreamStatus is StreamStatus
    assert sorted(StreamStatus) == sorted(SCHEMAS["StreamStatus"]["enum"])


# Each checked argument of a conference create, its spec enum and its form field.
CHOICES = [
    ("track", "Track", "Track"),
    ("status_callback_method", "StatusCallbackMethod", "StatusCallbackMethod"),
    ("codec", "StreamCodec", "StreamCodec"),
]


def test_the_facade_checks_against_the_generated_values() -> None:
    """Every value of the spec's enum is accepted and sent as is; anything else is refused
    with the spec's values, in its order."""
    for option, schema, wire in CHOICES:
        values = SCHEMAS[schema]["enum"]
        canned = Canned(*(answer() for _ in values))
        client = canned.client()
        for value in values:
            client.conference_streams.create(CALL, WSS_URL, **{option: value})
        assert [dict(form_of(request))[wire] for request in canned.requests] == values
        with pytest.raises(ValidationError) as caught:
            client.conference_streams.create(CALL, WSS_URL, **{option: "not-in-the-spec"})
        assert caught.value.field == option
        assert caught.value.rule.startswith(f"must be one of {', '.join(values)};")


@pytest.mark.parametrize(
    ("model", "schema"),
    [
        (CreateCallStreamRequest, "CreateCallStreamRequest"),
        (CreateConferenceStreamRequest, "CreateConferenceStreamRequest"),
    ],
)
def test_wire_names_and_numbered_pairs_are_the_spec_s(model: type, schema: str) -> None:
    properties = SCHEMAS[schema]["properties"]
    required = SCHEMAS[schema]["required"]
    expected = [*required, *(name for name in properties if name not in required)]
    assert list(model.WIRE_NAMES) == expected
    pairs = SCHEMAS[schema]["x-numbered-pairs"]
    assert (pairs["key"], pairs["value"], pairs["max"]) == model.NUMBERED_PAIRS


def test_the_emulator_s_own_copy_is_the_spec_s() -> None:
    """The emulator keeps its own vocabulary on purpose (it plays the service, so a client
    misspelling must show up as a disagreement); this holds that copy to the spec."""
    from signalwire_streams.testing import _vocabulary as emulator

    assert set(SCHEMAS["Track"]["enum"]) == emulator.TRACKS
    assert set(SCHEMAS["StatusCallbackMethod"]["enum"]) == emulator.CALLBACK_METHODS
    assert set(SCHEMAS["StreamCodec"]["enum"]) == emulator.CODECS
    assert set(SCHEMAS["StreamCodec"]["enum"]) == set(emulator.CODEC_FORMATS)
    assert set(SCHEMAS["Track"]["enum"]) == set(emulator.WIRE_TRACKS)
    call = SCHEMAS["CreateCallStreamRequest"]
    conference = SCHEMAS["CreateConferenceStreamRequest"]
    numbered = {name for name in call["properties"] if name.startswith("Parameter")}
    assert set(call["properties"]) - numbered == emulator.COMMON_FIELDS
    assert set(conference["properties"]) - set(call["properties"]) == emulator.CONFERENCE_FIELDS
    pairs = call["x-numbered-pairs"]
    for n in (1, pairs["max"]):
        for pattern in (pairs["key"], pairs["value"]):
            assert emulator.PARAMETER.fullmatch(pattern.format(n=n))
    assert not emulator.PARAMETER.fullmatch(pairs["key"].format(n=pairs["max"] + 1))
    assert {emulator.IN_PROGRESS, emulator.STOPPED} <= set(SCHEMAS["StreamStatus"]["enum"])
    assert call["properties"]["Track"]["default"] == emulator.DEFAULT_TRACK
    assert call["properties"]["StatusCallbackMethod"]["default"] == emulator.DEFAULT_CALLBACK_METHOD
    assert emulator.SECRET_FIELD in call["properties"]
    assert SPEC["info"]["version"] == emulator.API_VERSION
