"""Talking back on a bidirectional stream: the Session's send API, against a raw peer.

The peer is a plain `websockets` client playing SignalWire: it opens the stream (`start`
with the inbound track only, as `<Connect><Stream>` does), reads everything the receiver
sends, checks each message's JSON shape exactly as SignalWire's page documents it, and
echoes marks. The receiver is `media.serve` with a handler using the send API.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import struct
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import websockets
from signalwire_streams import SendError, ValidationError, media
from signalwire_streams.media._outbound import LEAD, Outbound
from signalwire_streams.testing import LocalTLS

from tests.helpers.receivers import TOKEN, eventually

SID = "MZ-talk-back"
DOCUMENTED = {
    "media": {"event", "streamSid", "media"},
    "mark": {"event", "streamSid", "mark"},
    "dtmf": {"event", "streamSid", "dtmf"},
    "clear": {"event", "streamSid"},
}


def tone(frequency: float, rate: int, seconds: float) -> bytes:
    count = int(rate * seconds)
    samples = (round(9000 * math.sin(2 * math.pi * frequency * i / rate)) for i in range(count))
    return struct.pack(f"<{count}h", *samples)


def start_message(tracks: list[str], encoding: str = "audio/x-mulaw", rate: int = 8000) -> str:
    body = {
        "streamSid": SID,
        "callSid": "CA1",
        "tracks": tracks,
        "mediaFormat": {"encoding": encoding, "sampleRate": rate, "channels": 1},
    }
    return json.dumps({"event": "start", "sequenceNumber": "1", "start": body})


@dataclass
class Peer:
    """What the peer received, each message already checked for its documented shape."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    frame_sizes: list[int] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [m["event"] for m in self.messages]

    def audio(self) -> bytes:
        return b"".join(
            base64.b64decode(m["media"]["payload"]) for m in self.messages if m["event"] == "media"
        )

    def check(self, text: str, frame_bytes: int) -> dict[str, Any]:
        message = json.loads(text)
        kind = message["event"]
        assert set(message) == DOCUMENTED[kind], message
        assert message["streamSid"] == SID
        if kind == "media":
            assert set(message["media"]) == {"payload"}
            payload = base64.b64decode(message["media"]["payload"], validate=True)
            assert 0 < len(payload) <= frame_bytes
            self.frame_sizes.append(len(payload))
        elif kind == "mark":
            assert set(message["mark"]) == {"name"} and isinstance(message["mark"]["name"], str)
        elif kind == "dtmf":
            assert (
                set(message["dtmf"]) == {"digit"} and message["dtmf"]["digit"] in "0123456789*#ABCD"
            )
        self.messages.append(message)
        return message


async def run_call(
    tls: LocalTLS,
    handler: Callable[[media.Session], Awaitable[object]],
    *,
    tracks: list[str] | None = None,
    encoding: str = "audio/x-mulaw",
    rate: int = 8000,
    inbound_frames: int = 0,
    **options: Any,
) -> tuple[Peer, list[BaseException]]:
    """Serve `handler`, play SignalWire to it over wss, and return what the peer got."""
    peer = Peer()
    errors: list[BaseException] = []
    done = asyncio.Event()
    frame_bytes = rate // 50 * (2 if encoding == "audio/x-L16" else 1)

    async def wrapped(session: media.Session) -> None:
        try:
            await handler(session)
        except BaseException as error:
            errors.append(error)
            raise
        finally:
            done.set()

    async with (
        media.serve(wrapped, ssl=tls.server_context(), bearer_token=TOKEN, **options) as server,
        websockets.connect(
            f"{server.url}/media",
            ssl=tls.client_context(),
            additional_headers={"Authorization": f"Bearer {TOKEN}"},
        ) as connection,
    ):
        await connection.send('{"event":"connected","protocol":"Call","version":"0.2.0"}')
        await connection.send(start_message(tracks or ["inbound"], encoding, rate))
        silence = base64.b64encode(bytes(frame_bytes)).decode()
        for chunk in range(1, inbound_frames + 1):
            await connection.send(
                json.dumps(
                    {
                        "event": "media",
                        "media": {"track": "inbound", "chunk": str(chunk), "payload": silence},
                    }
                )
            )

        async def read() -> None:
            async for text in connection:
                message = peer.check(str(text), frame_bytes)
                if message["event"] == "mark":  # nothing plays here: echo at once
                    await connection.send(
                        json.dumps({"event": "mark", "streamSid": SID, "mark": message["mark"]})
                    )

        reader = asyncio.get_running_loop().create_task(read())
        await asyncio.wait_for(done.wait(), 30)
        reader.cancel()
    return peer, errors


async def test_the_send_api_speaks_the_documented_json(tls: LocalTLS) -> None:
    prompt = tone(440, 16000, 0.5)
    results: dict[str, Any] = {}

    async def agent(session: media.Session) -> None:
        await session.wait_for_start(timeout=5)
        await session.send_audio(prompt, 16000)
        await session.send_mark("prompt-1")
        await session.send_dtmf("7")
        await session.wait_for_mark("prompt-1", timeout=10)
        results["bidirectional"] = session.bidirectional
        results["marks"] = session.marks

    peer, errors = await run_call(tls, agent)
    assert errors == []
    frames = peer.kinds().count("media")
    assert frames == 25 and peer.frame_sizes == [160] * 25  # 0.5 s in 20 ms frames
    assert peer.kinds() == ["media"] * 25 + ["mark", "dtmf"]
    assert peer.messages[-2]["mark"]["name"] == "prompt-1"
    assert peer.messages[-1]["dtmf"]["digit"] == "7"
    # The audio is the prompt, resampled to 8 kHz and encoded to µ-law: byte for byte.
    expected = media.encode_mulaw(media.resample(prompt, 16000, 8000))
    assert peer.audio() == expected
    assert results == {"bidirectional": None, "marks": ["prompt-1"]}


async def test_l16_streams_get_l16_at_their_rate(tls: LocalTLS) -> None:
    async def agent(session: media.Session) -> None:
        await session.wait_for_start(timeout=5)
        await session.send_audio(tone(440, 8000, 0.1), 8000)
        await session.send_mark("done")
        await session.wait_for_mark("done", timeout=10)

    peer, errors = await run_call(tls, agent, encoding="audio/x-L16", rate=16000)
    assert errors == []
    assert peer.frame_sizes == [640] * 5  # 20 ms of 16 kHz, 16-bit
    assert peer.audio() == media.resample(tone(440, 8000, 0.1), 8000, 16000)


async def test_clear_drops_what_waits_and_sends_the_pending_marks_first(tls: LocalTLS) -> None:
    cleared: list[list[str]] = []

    async def agent(session: media.Session) -> None:
        await session.wait_for_start(timeout=5)
        await session.send_media(bytes(8000 * 10))  # ten seconds of µ-law silence
        await session.send_mark("end-of-prompt")
        cleared.append(await session.clear())
        await session.wait_for_mark("end-of-prompt", timeout=10)

    peer, errors = await run_call(tls, agent)
    assert errors == [] and cleared == [["end-of-prompt"]]
    kinds = peer.kinds()
    assert kinds[-2:] == ["mark", "clear"]
    # At most the pacer's lead went out before the clear: the rest never left.
    assert kinds.count("media") <= LEAD / 0.02 + 1 < 500


async def test_a_long_send_neither_blocks_receiving_nor_waits(tls: LocalTLS) -> None:
    seen: list[int] = []

    async def agent(session: media.Session) -> None:
        await session.wait_for_start(timeout=5)
        loop = asyncio.get_running_loop()
        began = loop.time()
        await session.send_media(bytes(8000 * 30))  # thirty seconds: queued, not waited for
        seen.append(round(loop.time() - began))
        async for event in session:
            if isinstance(event, media.Media):
                seen.append(1)
                if len(seen) > 50:
                    return

    _, errors = await run_call(tls, agent, inbound_frames=60)
    assert errors == [] and seen[0] == 0 and len(seen) == 51


async def test_sending_when_it_makes_no_sense_says_why(tls: LocalTLS) -> None:
    outcomes: dict[str, str] = {}

    async def one_way(session: media.Session) -> None:
        await session.wait_for_start(timeout=5)
        with pytest.raises(SendError, match="one-way: it carries the outbound track"):
            await session.send_mark("x")
        outcomes["one-way"] = "refused"

    async def told_one_way(session: media.Session) -> None:
        await session.wait_for_start(timeout=5)
        with pytest.raises(SendError, match="bidirectional=False"):
            await session.send_dtmf("1")
        outcomes["told"] = "refused"

    async def bad_arguments(session: media.Session) -> None:
        await session.wait_for_start(timeout=5)
        with pytest.raises(ValidationError, match="digit"):
            await session.send_dtmf("E")
        with pytest.raises(ValidationError, match="pcm16"):
            await session.send_audio(b"\x00\x01\x02", 8000)
        with pytest.raises(ValidationError, match="sample_rate"):
            await session.send_audio(b"\x00\x01", 0)
        with pytest.raises(SendError, match="no mark 'nope' was sent"):
            await session.wait_for_mark("nope")
        with pytest.raises(TimeoutError):
            await session.send_mark("never-echoed-yet")
            await session.wait_for_mark("never-echoed-yet", timeout=0)
        outcomes["arguments"] = "refused"

    await run_call(tls, one_way, tracks=["inbound", "outbound"])
    await run_call(tls, told_one_way, bidirectional=False)
    await run_call(tls, bad_arguments)
    assert set(outcomes) == {"one-way", "told", "arguments"}


async def test_sending_before_the_start_event_says_it_has_not_started() -> None:
    sent: list[str] = []
    arrived, hang_up = asyncio.Event(), asyncio.Event()

    async def messages() -> Any:
        await arrived.wait()  # the start event has not come yet
        yield start_message(["inbound"])
        await hang_up.wait()

    session = media.Session(messages(), send=sent.append)
    with pytest.raises(SendError, match="has not started"):
        await session.send_media(b"\xff" * 160)
    arrived.set()
    await session.wait_for_start(timeout=5)
    await session.send_media(b"\xff" * 160)
    await eventually(lambda: len(sent) == 1)
    assert json.loads(sent[0])["event"] == "media"
    hang_up.set()


async def test_after_the_end_and_while_waiting_for_a_mark_it_says_so() -> None:
    sent: list[str] = []

    async def messages() -> Any:
        yield start_message(["inbound"])
        await asyncio.sleep(0.05)  # the call hangs up: the iterable ends

    session = media.Session(messages(), send=sent.append)
    await session.wait_for_start(timeout=5)
    await session.send_mark("waiting")
    with pytest.raises(SendError, match="ended before mark 'waiting' came back"):
        await session.wait_for_mark("waiting", timeout=5)
    with pytest.raises(SendError, match="has ended"):
        await session.send_media(b"\xff" * 160)
    assert [json.loads(text)["event"] for text in sent] == ["mark"]


async def test_a_session_without_a_way_to_send_says_so() -> None:
    async def messages() -> Any:
        yield start_message(["inbound"])
        await asyncio.Event().wait()  # the call goes on

    session = media.Session(messages())
    await session.wait_for_start(timeout=5)
    with pytest.raises(SendError, match="no way to send"):
        await session.send_media(b"\xff" * 160)


# The pacer, on a clock of the test's own: exactly a second of audio ahead, no more.


async def test_the_pacer_stays_one_second_ahead_of_what_has_played() -> None:
    now = [100.0]
    sent: list[str] = []
    outbound = Outbound(sent.append, SID, 8000, clock=lambda: now[0])
    await outbound.media(bytes(8000 * 5))  # five seconds
    await eventually(lambda: len(sent) >= 51)
    await asyncio.sleep(0.05)
    assert len(sent) == 51  # one second ahead, and the frame that reached it
    now[0] += 0.5  # half a second has played
    outbound._more.set()
    await eventually(lambda: len(sent) >= 76)
    await asyncio.sleep(0.05)
    assert len(sent) == 76
    assert outbound.waiting_seconds == pytest.approx(5 - 76 * 0.02)
    outbound.close()


# The resampler, against the exact values of a pure tone at the new rate.


def _snr(pcm: bytes, frequency: float, rate: int) -> float:
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    skip = rate // 20  # the edges, where the filter meets the silence around the audio
    signal = error = 0.0
    for i in range(skip, len(samples) - skip):
        ideal = 9000 * math.sin(2 * math.pi * frequency * i / rate)
        signal += ideal * ideal
        error += (samples[i] - ideal) ** 2
    return 10 * math.log10(signal / max(error, 1e-9))


@pytest.mark.parametrize(
    ("source", "target", "frequency"),
    [
        (24000, 8000, 1000),
        (16000, 8000, 3400),
        (8000, 16000, 300),
        (8000, 24000, 3300),
        (22050, 8000, 440),
        (48000, 8000, 2500),
        (44100, 16000, 5000),
    ],
)
def test_resampling_keeps_the_voice_band_exact(source: int, target: int, frequency: int) -> None:
    out = media.resample(tone(frequency, source, 1.0), source, target)
    assert len(out) == 2 * target
    # dB: within 0.1 % of the exact samples, even at 3.4 kHz, the voice band's top edge
    assert _snr(out, frequency, target) > 60


@pytest.mark.parametrize(("source", "frequency"), [(24000, 7000), (16000, 5000), (48000, 4200)])
def test_resampling_folds_nothing_back_from_above_the_new_band(source: int, frequency: int) -> None:
    out = media.resample(tone(frequency, source, 1.0), source, 8000)
    samples = struct.unpack(f"<{len(out) // 2}h", out)[400:-400]
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert 20 * math.log10(max(rms, 1e-9) / (9000 / math.sqrt(2))) < -60  # dB


def test_resampling_to_the_same_rate_is_the_same_audio() -> None:
    pcm = tone(440, 8000, 0.1)
    assert media.resample(pcm, 8000, 8000) == pcm


# The recording's `sent` channel: both sides of an agent's call, as the call heard them.


async def test_a_recording_puts_what_was_sent_where_the_call_hears_it(tmp_path: Any) -> None:
    sent: list[str] = []
    inbound = asyncio.Queue[str | None]()

    async def messages() -> Any:
        while (message := await inbound.get()) is not None:
            yield message

    def caller_frame(chunk: int) -> str:
        payload = base64.b64encode(b"\x00" * 160).decode()  # µ-law 0x00: loud, not silence
        return json.dumps(
            {
                "event": "media",
                "media": {"track": "inbound", "chunk": str(chunk), "payload": payload},
            }
        )

    path = tmp_path / "agent.wav"
    session = media.Session(messages(), send=sent.append)
    session.record(path, tracks=["inbound", "sent"])
    inbound.put_nowait(start_message(["inbound"]))
    await session.wait_for_start(timeout=5)
    for chunk in range(1, 26):  # the caller speaks for half a second
        inbound.put_nowait(caller_frame(chunk))
    await eventually(lambda: session.frames == 25)
    prompt = struct.pack("<h", 8000) * 1600  # 0.2 s at 8 kHz: one loud level
    await session.send_audio(prompt, 8000)
    await session.send_audio(prompt, 8000)  # queued: plays right after the first
    for chunk in range(26, 76):  # a further second of the caller
        inbound.put_nowait(caller_frame(chunk))
    inbound.put_nowait(None)
    await session.collect()
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)
        samples = struct.unpack(f"<{wav.getnframes() * 2}h", wav.readframes(wav.getnframes()))
    caller, agent = samples[0::2], samples[1::2]
    assert len(caller) == 75 * 160  # the whole call
    heard = [n for n, value in enumerate(agent) if value]
    # Silence until the caller's half second, then both prompts back to back: 0.4 s.
    assert heard[0] == 25 * 160 and heard[-1] == 25 * 160 + 3200 - 1
    assert len(heard) == 3200 and all(abs(agent[n] - 8000) < 300 for n in heard)  # µ-law's step


async def test_clear_takes_what_never_played_out_of_the_recording(tmp_path: Any) -> None:
    sent: list[str] = []
    hang_up = asyncio.Event()

    async def messages() -> Any:
        yield start_message(["inbound"])
        await hang_up.wait()

    path = tmp_path / "cleared.wav"
    session = media.Session(messages(), send=sent.append, bidirectional=True)
    session.record(path)  # bidirectional=True: inbound and sent by default
    await session.wait_for_start(timeout=5)
    await session.send_audio(struct.pack("<h", 8000) * 8000 * 3, 8000)  # three seconds
    await session.clear()
    hang_up.set()
    await session.collect()
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 2
        assert wav.getnframes() == 0  # nothing played: the caller's track never moved on
