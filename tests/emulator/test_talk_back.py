"""The emulator plays what the receiver sends back: `connect_stream`, `heard`, marks, clear
and DTMF.

Real TLS on loopback, the real emulator, and as the receiver a bare websockets server that
sends exact JSON messages: not `media.Session`, so that the emulator stands on its own.
Timing is checked loosely, with `speed=`: a busy machine can make playback late, never early.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets
from signalwire_streams import ValidationError
from signalwire_streams.testing import Emulator, EmulatorError, LocalTLS
from signalwire_streams.testing._playback import HEARD_LIMIT, MAX_HELD_MARKS, QUEUE_SECONDS

from tests.helpers.peers import Peer
from tests.helpers.receivers import SPEED, TOKEN, chirp_wav, client_for, eventually

MULAW_RATE = 8000  # bytes of µ-law a second
NOWHERE = "wss://127.0.0.1:9/media"  # refused at once: for tests that need no receiver


@dataclass
class Line:
    """One stream's WebSocket as the bare receiver sees it: every event, when it came."""

    connection: websockets.ServerConnection
    events: list[dict[str, Any]] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)  # time.monotonic() of each event
    stream_sid: str = ""

    @property
    def authorization(self) -> str | None:
        return self.connection.request.headers.get("Authorization")  # type: ignore[union-attr]

    async def send(self, message: dict[str, Any] | str | bytes) -> None:
        await self.connection.send(json.dumps(message) if isinstance(message, dict) else message)

    async def play(self, audio: bytes) -> None:
        payload = base64.b64encode(audio).decode()
        await self.send(
            {"event": "media", "streamSid": self.stream_sid, "media": {"payload": payload}}
        )

    async def mark(self, name: str) -> None:
        await self.send({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})

    async def clear(self) -> None:
        await self.send({"event": "clear", "streamSid": self.stream_sid})

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == kind]

    def marks(self) -> list[str]:
        return [event["mark"]["name"] for event in self.of("mark")]

    def when(self, mark: str) -> float:
        """When the echo of `mark` came."""
        return next(
            at
            for event, at in zip(self.events, self.arrived, strict=True)
            if event["event"] == "mark" and event["mark"]["name"] == mark
        )


@dataclass
class Bare:
    url: str
    lines: dict[str, Line]

    async def line(self, stream_sid: str) -> Line:
        await eventually(lambda: stream_sid in self.lines)
        return self.lines[stream_sid]


OnEvent = Callable[[Line, dict[str, Any]], Awaitable[None]]


@asynccontextmanager
async def bare_receiver(
    tls: LocalTLS, on_event: OnEvent | None = None, **options: Any
) -> AsyncIterator[Bare]:
    """A websockets server that keeps every event, by stream; `on_event` may answer each.
    `options` go to `websockets.serve`."""
    lines: dict[str, Line] = {}

    async def app(connection: websockets.ServerConnection) -> None:
        line = Line(connection)
        with contextlib.suppress(websockets.ConnectionClosed):
            async for text in connection:
                event = json.loads(text)
                line.events.append(event)
                line.arrived.append(time.monotonic())
                if event["event"] == "start":
                    line.stream_sid = event["start"]["streamSid"]
                    lines[line.stream_sid] = line
                if on_event is not None:
                    await on_event(line, event)

    async with websockets.serve(app, "127.0.0.1", 0, ssl=tls.server_context(), **options) as server:
        port = server.sockets[0].getsockname()[1]
        yield Bare(f"wss://127.0.0.1:{port}/talk", lines)


# Playing


async def test_heard_is_every_byte_sent_in_order_at_real_time_pace(tls: LocalTLS) -> None:
    speed = 10.0
    # Sizes that are not 20 ms: the call hears the bytes, not the messages.
    chunks = [os.urandom(size) for size in (160, 1, 333, 160, 2000, 80, 4000, 7) * 2]
    sent = b"".join(chunks)  # 13,482 bytes: 1.69 s of µ-law, 169 ms at speed 10
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=speed) as emulator:
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        began = time.monotonic()
        for chunk in chunks:
            await line.play(chunk)
        await line.mark("end")
        pace: list[tuple[float, int]] = []  # (seconds since the first send, bytes heard)
        while not line.marks():
            pace.append((time.monotonic() - began, emulator.media(sid).bytes_heard))
            await asyncio.sleep(0.005)
        took = line.when("end") - began
        heard, status = emulator.heard(sid), emulator.media(sid)
    expected = len(sent) / MULAW_RATE / speed
    assert heard == sent
    assert status.bytes_heard == len(sent) and status.marks_echoed == 1
    assert status.bidirectional and status.messages_ignored == status.messages_dropped == 0
    assert expected * 0.95 <= took < expected + 2.0
    # Never ahead of the clock, and heard bit by bit rather than at once.
    assert all(bytes_heard <= seconds * MULAW_RATE * speed + 1 for seconds, bytes_heard in pace)
    assert sum(0 < bytes_heard < len(sent) for _, bytes_heard in pace) >= 5


async def test_marks_come_back_in_order_once_the_audio_before_them_has_played(
    tls: LocalTLS,
) -> None:
    speed = 10.0
    first, second = os.urandom(4000), os.urandom(4000)  # 0.5 s each: 50 ms at speed 10
    heard_then: dict[str, int] = {}  # bytes heard when each echo came

    async def on_event(line: Line, event: dict[str, Any]) -> None:
        if event["event"] == "mark":
            heard_then[event["mark"]["name"]] = emulator.media(line.stream_sid).bytes_heard

    async with (
        bare_receiver(tls, on_event) as rx,
        Emulator(ca_file=tls.ca_file, speed=speed) as emulator,
    ):
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        began = time.monotonic()
        await line.play(first)
        await line.mark("a")
        await line.play(second)
        await line.mark("b")
        await line.mark("c")  # nothing between b and c: it comes back with b
        await eventually(lambda: len(line.marks()) == 3)
        status = emulator.media(sid)
    assert line.marks() == ["a", "b", "c"]
    assert heard_then["a"] >= 4000 and heard_then["b"] == heard_then["c"] == 8000
    assert line.when("a") - began >= 0.95 * 4000 / MULAW_RATE / speed
    assert line.when("b") - began >= 0.95 * 8000 / MULAW_RATE / speed
    assert line.of("mark")[0] == {
        "event": "mark",
        "sequenceNumber": line.of("mark")[0]["sequenceNumber"],
        "streamSid": sid,
        "mark": {"name": "a"},
    }
    # The echoes are numbered with the stream's other messages: 1, 2, 3... with no gap.
    numbers = [int(event["sequenceNumber"]) for event in line.events if "sequenceNumber" in event]
    assert numbers == list(range(1, len(numbers) + 1))
    assert status.marks_echoed == 3 and status.bytes_heard == 8000


async def test_a_mark_comes_back_at_once_when_nothing_is_queued(tls: LocalTLS) -> None:
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file) as emulator:  # speed 1
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        sent = time.monotonic()
        await line.mark("now")
        await eventually(lambda: line.marks() == ["now"])
        at_once = line.when("now") - sent
        sent = time.monotonic()
        await line.play(os.urandom(4000))  # 0.5 s
        await line.mark("later")
        await eventually(lambda: line.marks() == ["now", "later"])
        later = line.when("later") - sent
        sent = time.monotonic()
        await line.mark("again")  # the queue has played out: at once again
        await eventually(lambda: len(line.marks()) == 3)
        again = line.when("again") - sent
    assert later >= 0.475
    assert at_once < 0.25 and again < 0.25


async def test_clear_flushes_the_queue_and_echoes_its_marks(tls: LocalTLS) -> None:
    speed = 2.0
    frames = [os.urandom(160) for _ in range(100)]  # 2 s: 1 s at speed 2
    sent = b"".join(frames)
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=speed) as emulator:
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        for number, frame in enumerate(frames, 1):
            await line.play(frame)
            if number % 10 == 0:
                await line.mark(f"m{number // 10}")
        await eventually(lambda: "m1" in line.marks())
        cleared = time.monotonic()
        await line.clear()
        await eventually(lambda: len(line.marks()) == 10)
        status = emulator.media(sid)
        await eventually(
            lambda: emulator.media(sid).bytes_heard + status.bytes_cleared == len(sent)
        )
        heard = emulator.heard(sid)
        await asyncio.sleep(0.1)
        assert emulator.heard(sid) == heard  # nothing more plays
        await line.clear()  # nothing queued: nothing to echo
        await eventually(lambda: emulator.media(sid).clears == 2)
        after = emulator.media(sid)
    assert line.marks() == [f"m{n}" for n in range(1, 11)]
    # m2 to m10 came back at the clear, long before their audio would have played.
    assert all(cleared < line.when(f"m{n}") < cleared + 0.4 for n in range(2, 11))
    assert heard == sent[: len(heard)] and 1600 <= len(heard) < 8000
    assert status.clears == 1 and status.marks_echoed == 10
    assert status.bytes_cleared == len(sent) - len(heard)
    assert after.marks_echoed == 10 and after.bytes_heard == len(heard)


async def test_dtmf_the_receiver_sends_is_recorded(tls: LocalTLS) -> None:
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        for digit in ("1", "#", "E", "A", "12", "*", "", "9", "D", 5):
            await line.send({"event": "dtmf", "streamSid": sid, "dtmf": {"digit": digit}})
        await eventually(lambda: emulator.media(sid).messages_ignored == 4)
        status = emulator.media(sid)
    assert status.dtmf_received == "1#A*9D"
    assert line.of("dtmf") == [] and line.marks() == []


# What the service ignores


def malformed(sid: str) -> list[str | bytes]:
    """Messages SignalWire logs and ignores on a bidirectional stream."""
    media = {"event": "media", "streamSid": sid}
    return [
        b"\x00\x01 a binary frame",
        "not JSON",
        "",
        "[1, 2, 3]",
        '"media"',
        "[" * 50_000,
        json.dumps({"streamSid": sid, "media": {"payload": "AAAA"}}),
        json.dumps({"event": 42, "streamSid": sid}),
        json.dumps({"event": ["media"], "streamSid": sid}),
        json.dumps({"event": "stop", "streamSid": sid}),
        json.dumps({"event": "start", "streamSid": sid}),
        json.dumps({"event": "media", "media": {"payload": "AAAA"}}),
        json.dumps({**media, "streamSid": "another", "media": {"payload": "AAAA"}}),
        json.dumps({"event": "clear", "streamSid": sid + "x"}),
        json.dumps({"event": "mark", "streamSid": None, "mark": {"name": "x"}}),
        json.dumps(media),
        json.dumps({**media, "media": "AAAA"}),
        json.dumps({**media, "media": {"payload": "not base64!"}}),
        json.dumps({**media, "media": {"payload": "AAA"}}),
        json.dumps({**media, "media": {"payload": 1234}}),
        json.dumps({**media, "media": {"payload": "ÄÖÜ="}}),
        json.dumps({"event": "mark", "streamSid": sid, "mark": {}}),
        json.dumps({"event": "mark", "streamSid": sid, "mark": {"name": 7}}),
        json.dumps({"event": "mark", "streamSid": sid, "name": "flat"}),
        json.dumps({"event": "dtmf", "streamSid": sid, "dtmf": {"digit": "E"}}),
        json.dumps({"event": "dtmf", "streamSid": sid, "dtmf": "5"}),
    ]


async def test_malformed_messages_are_ignored_and_counted(tls: LocalTLS) -> None:
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        junk = malformed(sid)
        for message in junk:
            await line.send(message)
        # The stream goes on, and a well-formed message after the junk is played.
        audio = os.urandom(800)
        await line.play(audio)
        await line.mark("after")
        await eventually(lambda: line.marks() == ["after"])
        frames = emulator.media(sid).frames_sent
        await eventually(lambda: emulator.media(sid).frames_sent > frames + 5)
        status = emulator.media(sid)
    assert status.messages_ignored == len(junk)
    assert emulator.heard(sid) == audio
    assert status.marks_echoed == 1 and status.clears == 0 and status.dtmf_received == ""
    assert status.end is None  # still streaming when the emulator stopped


async def test_on_a_one_way_stream_every_message_is_ignored_and_counted(tls: LocalTLS) -> None:
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            sid = (await sw.streams.create(call, rx.url, track="inbound_track")).sid
        line = await rx.line(sid)
        await line.play(os.urandom(800))
        await line.mark("m")
        await line.clear()
        await line.send({"event": "dtmf", "streamSid": sid, "dtmf": {"digit": "1"}})
        await eventually(lambda: emulator.media(sid).messages_ignored == 4)
        await asyncio.sleep(0.1)
        status = emulator.media(sid)
    assert not status.bidirectional
    assert emulator.heard(sid) == b"" and line.marks() == []
    assert status.bytes_heard == status.marks_echoed == status.clears == 0
    assert status.dtmf_received == "" and status.messages_ignored == 4


async def test_echoes_wait_for_a_hostile_fault_to_finish_its_frame(tls: LocalTLS) -> None:
    """The 10 MiB frame of "oversized-frame" is written by hand, piece by piece: marks that
    fall due meanwhile go out after it, whole, so the receiver reads every frame intact."""
    async with (
        bare_receiver(tls, max_size=None) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
    ):
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        emulator.inject_media(sid, "oversized-frame")
        sent = 0
        while not any(len(event["media"]["payload"]) > 2**20 for event in line.of("media")):
            await line.mark(f"k{sent}")  # nothing queued: each is due at once
            sent += 1
            await asyncio.sleep(0.001)
        await eventually(lambda: len(line.marks()) == sent)
        frames = emulator.media(sid).frames_sent
        await eventually(lambda: emulator.media(sid).frames_sent > frames + 5)
        status = emulator.media(sid)
    assert line.marks() == [f"k{n}" for n in range(sent)] and sent > 1
    assert status.end is None and status.marks_echoed == sent


# Bounds


async def test_what_waits_to_be_played_is_bounded(tls: LocalTLS) -> None:
    second = os.urandom(MULAW_RATE)
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file) as emulator:  # speed 1
        sid = emulator.connect_stream(emulator.add_call(), rx.url).sid
        line = await rx.line(sid)
        for _ in range(QUEUE_SECONDS + 5):  # 65 s of audio, sent in well under a second
            await line.play(second)
        for number in range(MAX_HELD_MARKS + 5):
            await line.mark(f"k{number}")
        await eventually(lambda: emulator.media(sid).messages_dropped >= 9)
        await line.clear()
        await eventually(lambda: len(line.marks()) == MAX_HELD_MARKS)
        status = emulator.media(sid)
    # 5 s of audio over the 60 s (4 if a second played while sending), and 5 marks too many.
    assert status.messages_dropped in (9, 10)
    assert line.marks() == [f"k{number}" for number in range(MAX_HELD_MARKS)]
    assert status.bytes_heard + status.bytes_cleared <= QUEUE_SECONDS * MULAW_RATE


async def test_heard_keeps_the_first_8_mib_and_counts_the_rest(tls: LocalTLS) -> None:
    chunk = 512 * 1024  # L16 at 24 kHz: 5.5 s, under 1 MiB once in base64
    audio = os.urandom(HEARD_LIMIT + 2 * chunk)
    async with (
        bare_receiver(tls) as rx,
        Emulator(ca_file=tls.ca_file, speed=200) as emulator,
    ):
        sid = emulator.connect_stream(emulator.add_call(), rx.url, codec="L16@24000h").sid
        line = await rx.line(sid)
        for start in range(0, len(audio), chunk):
            await line.play(audio[start : start + chunk])
            await eventually(lambda: emulator.media(sid).bytes_heard >= start + chunk)  # noqa: B023
        status = emulator.media(sid)
        heard = emulator.heard(sid)
    assert status.bytes_heard == len(audio) and status.messages_dropped == 0
    assert heard == audio[:HEARD_LIMIT]


# connect_stream


@pytest.mark.parametrize(
    ("codec", "encoding", "rate"),
    [
        (None, "audio/x-mulaw", 8000),
        ("PCMU@8000h", "audio/x-mulaw", 8000),
        ("L16@16000h", "audio/x-L16", 16000),
        ("L16@24000h", "audio/x-L16", 24000),
    ],
)
async def test_connect_stream_streams_the_inbound_track_in_its_codec(
    tls: LocalTLS, codec: str | None, encoding: str, rate: int
) -> None:
    speed = 10.0
    width = 1 if encoding == "audio/x-mulaw" else 2
    audio = os.urandom(rate * width // 4)  # 0.25 s
    async with bare_receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=speed) as emulator:
        call = emulator.add_call()
        record = emulator.connect_stream(
            call,
            rx.url,
            name="agent",
            codec=codec,
            parameters={"customer": "42", "lang": "fr"},
            authorization_bearer_token=TOKEN,
        )
        line = await rx.line(record.sid)
        await eventually(lambda: len(line.of("media")) >= 10)
        began = time.monotonic()
        await line.play(audio)
        await line.mark("played")
        await eventually(lambda: line.marks() == ["played"])
        took = line.when("played") - began
        heard, status = emulator.heard(record.sid), emulator.media(record.sid)
        streams = emulator.streams(call)
    start = line.of("start")[0]["start"]
    assert start == {
        "streamSid": record.sid,
        "accountSid": emulator.project_id,
        "callSid": call,
        "tracks": ["inbound"],
        "customParameters": {"customer": "42", "lang": "fr"},
        "mediaFormat": {"encoding": encoding, "sampleRate": rate, "channels": 1},
    }
    media = line.of("media")
    assert {event["media"]["track"] for event in media} == {"inbound"}
    assert {len(base64.b64decode(event["media"]["payload"])) for event in media} == {
        rate * width // 50
    }
    assert line.authorization == f"Bearer {TOKEN}"
    assert heard == audio and took >= 0.95 * 0.25 / speed and status.bidirectional
    assert streams == [record]
    assert (record.track, record.codec, record.name, record.status) == (
        "inbound_track",
        codec,
        "agent",
        "in-progress",
    )
    assert record.parameters == {"customer": "42", "lang": "fr"}
    assert emulator.requests == []  # started as cXML would: no REST request


async def test_connect_stream_is_a_stream_like_any_other(tls: LocalTLS) -> None:
    callback = Peer("ok")
    try:
        async with (
            bare_receiver(tls) as rx,
            Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
        ):
            call = emulator.add_call()
            sid = emulator.connect_stream(
                call, rx.url, status_callback=f"{callback.url}/status"
            ).sid
            line = await rx.line(sid)
            emulator.send_dtmf(call, "7")
            await eventually(lambda: bool(line.of("dtmf")))
            emulator.end_call(call)
            await eventually(lambda: bool(line.of("stop")))
            await eventually(lambda: len(emulator.callbacks) == 2)
            status, streams = emulator.media(sid), emulator.streams(call)
            with pytest.raises(EmulatorError, match="current state"):
                emulator.connect_stream(call, rx.url)
    finally:
        callback.close()
    assert status.end == "stop" and [s.status for s in streams] == ["stopped"]
    assert line.of("dtmf")[0]["dtmf"] == {"duration": 250, "digit": "7"}
    fields = [sent.fields for sent in emulator.callbacks]
    assert [f["StreamEvent"] for f in fields] == ["stream-started", "stream-stopped"]
    assert all(
        f["StreamSid"] == sid and f["CallSid"] == call and f["StreamTrack"] == "inbound_track"
        for f in fields
    )
    assert all(sent.status == 200 and sent.method == "POST" for sent in emulator.callbacks)


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"url": "ws://127.0.0.1/media"}, "url"),
        ({"url": "wss://127.0.0.1/media?a=1"}, "url"),
        ({"url": "wss://127.0.0.1/my media"}, "url"),
        ({"url": ""}, "url"),
        ({"url": 7}, "url"),
        ({"name": 7}, "name"),
        ({"status_callback": "ftp://example.com/status"}, "status_callback"),
        ({"status_callback": "/status"}, "status_callback"),
        ({"status_callback_method": "PUT"}, "status_callback_method"),
        ({"authorization_bearer_token": b"t"}, "authorization_bearer_token"),
        ({"codec": "PCMA"}, "codec"),
        ({"codec": "L16"}, "codec"),
        ({"codec": "pcmu@8000h"}, "codec"),
        ({"parameters": {"": "x"}}, "parameters"),
        ({"parameters": {"a": 1}}, "parameters"),
        ({"parameters": [("a", "b")]}, "parameters"),
        ({"parameters": {f"p{n}": "v" for n in range(100)}}, "parameters"),
    ],
)
def test_connect_stream_checks_its_arguments_as_a_create_does(
    emulator: Emulator, arguments: dict[str, Any], argument: str
) -> None:
    call = emulator.add_call()
    arguments = {"url": NOWHERE, **arguments}
    with pytest.raises(ValidationError) as raised:
        emulator.connect_stream(call, **arguments)
    assert raised.value.field == argument
    assert emulator.streams(call) == [] and emulator.requests == []


def test_connect_stream_refuses_what_the_state_cannot_give(emulator: Emulator) -> None:
    with pytest.raises(EmulatorError, match="no call"):
        emulator.connect_stream("no-such-call", NOWHERE)
    with pytest.raises(EmulatorError, match="no call"):
        emulator.connect_stream(emulator.add_conference(), NOWHERE)
    call = emulator.add_call()
    emulator.connect_stream(
        call, NOWHERE, name="agent", parameters={f"p{n}": "v" for n in range(99)}
    )
    with pytest.raises(EmulatorError, match="already in use"):
        emulator.connect_stream(call, NOWHERE, name="agent")
    emulator.end_call(call)
    with pytest.raises(EmulatorError, match="current state"):
        emulator.connect_stream(call, NOWHERE)
    assert [stream.name for stream in emulator.streams(call)] == ["agent"]
    assert emulator.requests == []
    # (The shared emulator is REST-only, media=False: a stream that cannot connect is
    # stopped, which would free its name before the check above.)
    with pytest.raises(EmulatorError, match="media=False"):
        emulator.heard(emulator.streams(call)[0].sid)
    with Emulator() as streaming, pytest.raises(EmulatorError, match="no stream"):
        streaming.heard("no-such-stream")


# Many at once


async def test_fifty_bidirectional_streams_each_echoing_its_inbound_audio(
    tls: LocalTLS, tmp_path: Path
) -> None:
    """Each receiver sends back its first 25 inbound frames, with a mark after every 5th."""
    frames, every = 25, 5
    chirp_wav(tmp_path / "chirp.wav", seconds=1.0)  # 50 frames that all differ
    echoed: dict[str, list[bytes]] = defaultdict(list)
    heard_then: dict[str, list[int]] = defaultdict(list)  # bytes heard when each echo came

    async def on_event(line: Line, event: dict[str, Any]) -> None:
        sid, sent = line.stream_sid, echoed[line.stream_sid]
        if event["event"] == "media" and len(sent) < frames:
            payload = event["media"]["payload"]
            sent.append(base64.b64decode(payload))
            await line.send({"event": "media", "streamSid": sid, "media": {"payload": payload}})
            if len(sent) % every == 0:
                await line.mark(f"m{len(sent) // every}")
        elif event["event"] == "mark":
            heard_then[sid].append(emulator.media(sid).bytes_heard)

    async with (
        bare_receiver(tls, on_event) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED, audio=tmp_path / "chirp.wav") as emulator,
    ):
        calls = [emulator.add_call() for _ in range(50)]
        sids = [emulator.connect_stream(call, rx.url).sid for call in calls]
        await eventually(
            lambda: all(emulator.media(sid).marks_echoed == frames // every for sid in sids),
            timeout=30,
        )
        heard = {sid: emulator.heard(sid) for sid in sids}
        statuses = {sid: emulator.media(sid) for sid in sids}
        for call in calls:
            emulator.end_call(call)
        await eventually(lambda: all(rx.lines[sid].of("stop") for sid in sids), timeout=30)
    for sid in sids:
        assert len(echoed[sid]) == frames and len(set(echoed[sid])) == frames
        assert heard[sid] == b"".join(echoed[sid])
        assert rx.lines[sid].marks() == [f"m{n}" for n in range(1, frames // every + 1)]
        assert heard_then[sid] == sorted(heard_then[sid])
        assert all(h >= 160 * every * n for n, h in enumerate(heard_then[sid], 1))
        status = statuses[sid]
        assert status.bytes_heard == 160 * frames and status.marks_echoed == frames // every
        assert status.messages_ignored == status.messages_dropped == 0
