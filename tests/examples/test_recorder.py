"""examples/recorder.py: one valid WAV per call, as long as the audio the call sent."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from signalwire_streams.testing import Emulator, LocalTLS

from examples import recorder
from tests.helpers.receivers import SPEED, TOKEN, client_for, eventually


async def test_each_call_becomes_a_wav_of_all_its_audio(
    tls: LocalTLS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = recorder.recorder(tmp_path, ssl=tls.server_context(), bearer_token=TOKEN)
    tracks = {"both_tracks": 2, "inbound_track": 1, "outbound_track": 1}
    async with (
        server,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
        client_for(emulator) as sw,
    ):
        calls = {track: emulator.add_call() for track in tracks}
        url = f"{server.url}/record"
        streams = {
            track: await sw.streams.create(call, url, track=track, authorization_bearer_token=TOKEN)
            for track, call in calls.items()
        }
        refused = await sw.streams.create(emulator.add_call(), url)  # no bearer token
        await eventually(
            lambda: all(emulator.media(s.sid).frames_sent >= 60 for s in streams.values())
        )
        for track, stream in streams.items():
            await sw.streams.stop(calls[track], stream.sid)
        await eventually(lambda: all(emulator.media(s.sid).end == "stop" for s in streams.values()))
        sent = {s.sid: emulator.media(s.sid).frames_sent for s in streams.values()}
        assert emulator.media(refused.sid).error is not None
    # The server has closed: every handler has returned, every WAV is finished.
    printed = capsys.readouterr().out.splitlines()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"{sid}.wav" for sid in sent)
    for track, stream in streams.items():
        path = tmp_path / f"{stream.sid}.wav"
        with wave.open(str(path)) as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (
                tracks[track],
                2,
                8000,
            )
            assert wav.getnframes() == sent[stream.sid] * 160  # 20 ms of 8 kHz a frame
        frames = sent[stream.sid] * tracks[track]
        assert f"call {calls[track]}: {frames} frames in {path}" in printed
