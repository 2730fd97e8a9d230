"""examples/voice_agent.py: a call answered with `<Connect><Stream>`; the agent answers each
utterance and a key with its prompt, and the call hears each prompt whole, in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from signalwire_streams import cxml, media
from signalwire_streams.testing import Emulator, LocalTLS

from examples import voice_agent
from tests.helpers.receivers import TOKEN, eventually

SPEED = 4.0  # the caller's turn (2 s) in half a second; the prompt (0.4 s) in a tenth


async def test_the_agent_answers_each_utterance_and_key(
    tls: LocalTLS, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caller = tmp_path / "caller.wav"
    media.write_wav(caller, voice_agent.CALLER, sample_rate=8000)
    sessions: list[media.Session] = []

    async def handler(session: media.Session) -> None:
        sessions.append(session)
        await voice_agent.agent(session)

    async with (
        media.serve(handler, ssl=tls.server_context(), bearer_token=TOKEN) as server,
        Emulator(ca_file=tls.ca_file, audio=caller, speed=SPEED) as emulator,
    ):
        call = emulator.add_call()
        answer = cxml.connect_stream(f"{server.url}/agent", authorization_bearer_token=TOKEN)
        (stream,) = emulator.answer(call, answer)
        await eventually(lambda: len(sessions) == 1 and len(sessions[0].marks) >= 2, timeout=30)
        emulator.send_dtmf(call, "5")
        await eventually(lambda: "key 5" in sessions[0].marks, timeout=30)
        emulator.end_call(call)
        await eventually(lambda: sessions[0].ended)
        heard = emulator.heard(stream.sid)
        status = emulator.media(stream.sid)
    marks = sessions[0].marks  # each back once the call has played all that came before it
    utterances = [mark for mark in marks if mark != "key 5"]
    assert utterances == [f"utterance {n}" for n in range(1, len(utterances) + 1)]
    assert len(utterances) >= 2 and marks.count("key 5") == 1
    assert status.bidirectional and status.marks_echoed == len(marks)
    prompt = media.encode_mulaw(media.resample(voice_agent.PROMPT, 16000, 8000))
    # Every answer was heard whole, in order (a prompt begun as the call ended may follow).
    assert heard[: len(prompt) * len(marks)] == prompt * len(marks)
    assert not [r for r in caplog.records if "handler failed" in r.getMessage()]
