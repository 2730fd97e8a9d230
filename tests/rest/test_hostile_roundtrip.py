"""Hostile text through the real emulator: names and parameters arrive exactly as sent.

With the real `Client` and `AsyncClient` over loopback HTTP: a stream's `name` and custom
`parameters`, drawn from any Unicode text with `&`, `=`, `%`, `+`, `#`, `?`, `/`, newlines and
10 kB strings, are recorded by the emulator unchanged and in order, and a stop by that name
finds the stream. And a call refused with ValidationError sends nothing at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from signalwire_streams import AsyncClient, Client, SignalWireError, ValidationError
from signalwire_streams._validation import MAX_SEGMENT
from signalwire_streams.testing import Emulator

from tests.helpers.clients import WSS_URL
from tests.helpers.strategies import CREATE_ARGS, KINDS, NEAR_SIDS, SID, TEXT, arg, examples

# Documented limits. The client refuses over 99 parameters, and a name over MAX_SEGMENT
# (20,000) characters once percent-encoded: such a name is asserted to be refused, with
# nothing sent. The emulator refuses a body over 1 MiB (413): bodies here stay under 250 kB,
# with at most 3 huge strings in the parameters plus a huge name (4 x 30 kB percent-encoded)
# and 99 pairs of short strings (99 x 2 x 30 characters x 12 bytes: 71 kB).
MAX_PARAMETERS = 99
HUGE = 10_000  # bytes of UTF-8: at most 30 kB percent-encoded

# Every code point but lone surrogates (no UTF-8 form: refused, test_hostile_arguments.py), with
# the characters that matter to form and path encoding, and astral ones, made common.
CHAR = st.one_of(
    st.characters(exclude_categories=["Cs"]),
    st.characters(min_codepoint=0x10000, exclude_categories=["Cs"]),
    st.sampled_from("&=%+#?/;.\n\r\t \x00\x7f\xa0\u2028\u202e\ufeffé中\U0001f4a5\U0010ffff"),
)
SHORT = st.text(CHAR, min_size=1, max_size=30)


def _huge(unit: str) -> str:
    """`unit` repeated to 10 kB of UTF-8."""
    return unit * (HUGE // len(unit.encode()))


HUGE_TEXT = st.text(CHAR, min_size=1, max_size=3).map(_huge)
# 10 kB names within MAX_SEGMENT, mostly: a unit of plain characters with at most one other.
HUGE_NAME = st.one_of(
    HUGE_TEXT,
    st.builds(
        lambda plain, other: _huge(plain + other),
        st.text("abcXYZ019-_.~", min_size=2, max_size=4),
        st.one_of(st.just(""), CHAR),
    ),
)


def _stoppable(name: str) -> bool:
    """A name `check_stream_name` accepts (the others are refused: see the last test)."""
    return "/" not in name and name not in (".", "..") and not name.lower().endswith(".json")


NAMES = st.one_of(
    SHORT,
    HUGE_NAME,
    st.sampled_from(["&", "=", "%", "%2F", "+", "#", "?", "\n", " ", "a&b=c", ".x", "x."]),
).filter(_stoppable)


@st.composite
def parameters(draw: st.DrawFn) -> dict[str, str]:
    """Up to 99 custom parameters in a drawn order; up to three names or values of 10 kB."""
    pair = st.tuples(SHORT, st.one_of(SHORT, st.just("")))
    pairs = draw(
        st.one_of(
            st.lists(pair, max_size=6, unique_by=lambda p: p[0]),
            st.lists(pair, min_size=90, max_size=MAX_PARAMETERS, unique_by=lambda p: p[0]),
        )
    )
    for index in draw(st.lists(st.integers(0, max(len(pairs) - 1, 0)), max_size=3)):
        if pairs:
            name, value = pairs[index]
            huge = draw(HUGE_TEXT)
            pairs[index] = (huge, value) if draw(st.booleans()) else (name, huge)
    return dict(pairs)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(media=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def client(emulator: Emulator) -> Iterator[Client]:
    with Client(emulator.project_id, emulator.api_token, emulator.base_url, max_retries=0) as sw:
        yield sw


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="module")
def async_client(emulator: Emulator, runner: asyncio.Runner) -> Iterator[AsyncClient]:
    sw = AsyncClient(emulator.project_id, emulator.api_token, emulator.base_url, max_retries=0)
    yield sw
    runner.run(sw.aclose())


SPECIAL = "&=%+#?\n"


def describe(name: str, parameters: dict[str, str]) -> None:
    """What the example holds, for --hypothesis-show-statistics."""
    texts = [name, *parameters, *parameters.values()]
    event(f"parameters: {len(parameters) // 10 * 10} to {len(parameters) // 10 * 10 + 9}")
    event(f"a 10 kB name or value: {any(len(t.encode()) >= HUGE - 4 for t in texts)}")
    event(f"a 10 kB name: {len(name.encode()) >= HUGE - 4}")
    astral = any(ord(c) > 0xFFFF for t in texts for c in t)
    special = any(c in t for t in texts for c in SPECIAL)
    event(f"astral characters: {astral}")
    event(f"& = % + # ? or newline: {special}")


def check_round_trip(
    emulator: Emulator, call: str, name: str, parameters: dict[str, str], created: Any
) -> None:
    describe(name, parameters)
    [record] = emulator.streams(call)
    assert record.name == name and created.name == name
    assert list(record.parameters.items()) == list(parameters.items())
    assert record.status == "in-progress"


def fits(name: str) -> bool:
    """Whether the name is within MAX_SEGMENT; if not, it must be refused, nothing sent."""
    if len(quote(name, safe="")) <= MAX_SEGMENT:
        return True
    event("name over MAX_SEGMENT: refused")
    return False


def check_refused(emulator: Emulator, before: int, error: ValidationError) -> None:
    assert error.field == "name" and "percent-encoded" in error.rule
    assert len(emulator.requests) == before


@examples(100)
@given(name=NAMES, parameters=parameters())
def test_names_and_parameters_survive_the_round_trip(
    emulator: Emulator, client: Client, name: str, parameters: dict[str, str]
) -> None:
    call = emulator.add_call()
    if not fits(name):
        before = len(emulator.requests)
        with pytest.raises(ValidationError) as caught:
            client.streams.create(call, WSS_URL, name=name, parameters=parameters)
        return check_refused(emulator, before, caught.value)
    created = client.streams.create(call, WSS_URL, name=name, parameters=parameters)
    check_round_trip(emulator, call, name, parameters, created)
    stopped = client.streams.stop(call, name)
    assert (stopped.sid, stopped.name, stopped.status) == (created.sid, name, "stopped")
    assert emulator.streams(call)[0].status == "stopped"


@examples(50)
@given(name=NAMES, parameters=parameters())
def test_names_and_parameters_survive_the_round_trip_async(
    emulator: Emulator,
    async_client: AsyncClient,
    runner: asyncio.Runner,
    name: str,
    parameters: dict[str, str],
) -> None:
    conference = emulator.add_conference()
    streams = async_client.conference_streams
    if not fits(name):
        before = len(emulator.requests)
        with pytest.raises(ValidationError) as caught:
            runner.run(streams.create(conference, WSS_URL, name=name, parameters=parameters))
        return check_refused(emulator, before, caught.value)
    created = runner.run(streams.create(conference, WSS_URL, name=name, parameters=parameters))
    check_round_trip(emulator, conference, name, parameters, created)
    stopped = runner.run(streams.stop(conference, name))
    assert (stopped.sid, stopped.name, stopped.status) == (created.sid, name, "stopped")


@examples(100)
@given(
    kind=KINDS,
    args=CREATE_ARGS,
    stream=arg(TEXT, *NEAR_SIDS),
    stop_parent=arg(SID, *NEAR_SIDS),
)
def test_nothing_is_sent_when_a_call_is_refused_with_a_validation_error(
    emulator: Emulator,
    client: Client,
    kind: str,
    args: dict[str, Any],
    stream: object,
    stop_parent: object,
) -> None:
    args = dict(args)
    parent, target = args.pop("parent_sid"), args.pop("url")
    if kind == "call":
        resource: Any = client.streams
        args.pop("codec", None), args.pop("real_time", None)
    else:
        resource = client.conference_streams
    for send in (
        lambda: resource.create(parent, target, **args),
        lambda: resource.stop(stop_parent, stream),
    ):
        before = len(emulator.requests)
        try:
            send()
        except ValidationError as error:
            event(f"refused: {error.field}")
            assert len(emulator.requests) == before
        except SignalWireError:  # valid, sent, and answered (no such call, most often)
            event("sent")
            assert len(emulator.requests) == before + 1


def test_a_name_ending_in_json_is_refused_as_it_could_stop_another_stream(
    emulator: Emulator, client: Client
) -> None:
    """The API reads `/Streams/asr.json` as the stream `asr`: found by hypothesis, where a
    stop of "asr.json" stopped "asr". Such a name is now refused, before anything is sent."""
    call = emulator.add_call()
    client.streams.create(call, WSS_URL, name="asr")
    before = len(emulator.requests)
    for name in ("asr.json", "asr.JSON"):
        with pytest.raises(ValidationError, match=r"name: must not end in '\.json'"):
            client.streams.create(call, WSS_URL, name=name)
        with pytest.raises(ValidationError, match=r"stream: must not end in '\.json'"):
            client.streams.stop(call, name)
    assert len(emulator.requests) == before
    assert [s.status for s in emulator.streams(call)] == ["in-progress"]
