"""Recording a stream to a WAV file as it arrives: `Session.record` and `serve(record_dir=)`.

The file is 16-bit PCM, one channel per track, written as frames come (so memory stays
bounded), its header rewritten each second of audio and finished when the stream ends. A
process killed mid-call leaves a valid WAV of all but the last second.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
import wave
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from signalwire_streams import ValidationError, media
from signalwire_streams.media._options import recording_path
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.receivers import SPEED, TOKEN, chirp_wav, client_for, eventually, receiver

ROOT = Path(__file__).resolve().parents[2]


def _start(tracks: list[str], sid: str = "MZ1", rate: int = 8000, encoding: str = "") -> str:
    media_format = {"encoding": encoding or "audio/x-mulaw", "sampleRate": rate}
    body = {"streamSid": sid, "tracks": tracks, "mediaFormat": media_format}
    return json.dumps({"event": "start", "start": body})


def _frame(chunk: int, track: str, payload: bytes) -> str:
    text = base64.b64encode(payload).decode()
    return json.dumps(
        {"event": "media", "media": {"track": track, "chunk": str(chunk), "payload": text}}
    )


async def _messages(items: Iterator[str]) -> AsyncIterator[str]:
    for item in items:
        yield item


def _read(path: Path) -> tuple[int, int, int, bytes]:
    with wave.open(str(path), "rb") as wav:
        return wav.getnchannels(), wav.getframerate(), wav.getnframes(), wav.readframes(-1)


def test_both_tracks_are_written_as_they_come_one_channel_each(tmp_path: Path) -> None:
    inbound, outbound = bytes([0x00] * 160), bytes([0x80] * 160)  # µ-law: -32124 and 32124

    def frames() -> Iterator[str]:
        yield _start(["inbound", "outbound"])
        for chunk in range(1, 251):  # five seconds, the outbound frame a little behind
            yield _frame(chunk, "inbound", inbound)
            yield _frame(chunk, "outbound", outbound)

    async def run() -> media.Session:
        session = media.Session(_messages(frames()))
        session.record(tmp_path / "call.wav")
        return await session.collect()

    session = asyncio.run(run())
    assert session.recording == str(tmp_path / "call.wav")
    channels, rate, count, pcm = _read(tmp_path / "call.wav")
    assert (channels, rate, count) == (2, 8000, 250 * 160)
    # Frame by frame: left the inbound track, right the outbound one, every sample.
    one_frame = media.decode_mulaw(b"\x00")[:2] + media.decode_mulaw(b"\x80")[:2]
    assert pcm == one_frame * count


def test_a_track_that_stops_is_padded_with_silence_in_bounded_memory(tmp_path: Path) -> None:
    def frames() -> Iterator[str]:
        yield _start(["inbound", "outbound"])
        yield _frame(1, "outbound", bytes([0x80] * 160))  # then the outbound track goes quiet
        for chunk in range(1, 501):  # ten seconds of inbound
            yield _frame(chunk, "inbound", bytes([0x80] * 160))

    async def run() -> None:
        session = media.Session(_messages(frames()))
        session.record(tmp_path / "quiet.wav")
        await session.collect()

    asyncio.run(run())
    channels, _, count, pcm = _read(tmp_path / "quiet.wav")
    assert channels == 2 and count == 500 * 160
    silent = [int.from_bytes(pcm[i : i + 2], "little", signed=True) for i in range(2, 4000, 4)]
    assert silent[160:] == [0] * len(silent[160:])  # after its one frame, silence


def test_a_killed_process_leaves_a_valid_wav_of_all_but_the_last_second(tmp_path: Path) -> None:
    path = tmp_path / "killed.wav"
    script = f"""
import asyncio, base64, json, sys
from signalwire_streams import media
frame = json.dumps({{"event": "media", "media": {{"track": "inbound",
    "payload": base64.b64encode(bytes(range(160))).decode()}}}})
async def messages():
    yield json.dumps({{"event": "start", "start": {{"streamSid": "MZ", "tracks": ["inbound"]}}}})
    for n in range(50 * 3):  # three seconds of audio
        yield frame
    print("fed", flush=True)
    await asyncio.sleep(60)  # the call goes on; the process is killed here
async def main():
    session = media.Session(messages())
    session.record({str(path)!r})
    await session.collect()
asyncio.run(main())
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "fed"
    time.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    channels, rate, count, pcm = _read(path)
    assert (channels, rate) == (1, 8000)
    assert 2 * 8000 <= count <= 3 * 8000  # whole seconds, up to the last rewrite
    assert len(pcm) == 2 * count
    assert pcm[:4] == media.decode_mulaw(bytes(range(2)))


def test_record_refuses_a_second_recording(tmp_path: Path) -> None:
    session = media.Session()
    session.record(tmp_path / "a.wav")
    with pytest.raises(ValidationError, match="already being recorded"):
        session.record(tmp_path / "b.wav")


@pytest.mark.parametrize(
    "sid", ["../../etc/passwd", ".hidden", "a/b\\c", "", "x" * 300, "ok-sid_1.2"]
)
def test_record_dir_names_files_safely_by_stream_sid(tmp_path: Path, sid: str) -> None:
    start = media.parse_event(_start(["inbound"], sid=sid or "MZ"))
    assert isinstance(start, media.Start)
    path = recording_path(tmp_path, start)
    assert path.parent == tmp_path and path.suffix == ".wav"
    assert not path.name.startswith(".") and len(path.name) <= 104
    path.touch()
    assert recording_path(tmp_path, start) != path  # never over an existing file


async def test_serve_records_each_stream_from_the_emulator(tls: LocalTLS, tmp_path: Path) -> None:
    pcm = chirp_wav(tmp_path / "chirp.wav")
    folder = tmp_path / "calls"
    folder.mkdir()
    async with (
        receiver(tls, record_dir=folder, keep_audio=False) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED, audio=tmp_path / "chirp.wav") as emulator,
    ):
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(call, rx.url, authorization_bearer_token=TOKEN)
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 80)
            await sw.streams.stop(call, stream.sid)
            await eventually(lambda: bool(rx.finished))
    session = rx.finished[0]
    (recorded,) = folder.iterdir()
    assert recorded.name == f"{stream.sid}.wav"
    channels, rate, count, data = _read(recorded)
    assert (channels, rate) == (2, 8000)
    assert count == session.frames_on("inbound") * 160
    left = bytes(b for pair in zip(data[0::4], data[1::4], strict=True) for b in pair)
    expected = media.decode_mulaw(media.encode_mulaw(pcm))  # the emulator's audio, looped
    assert left == (expected * (len(left) // len(expected) + 1))[: len(left)]
