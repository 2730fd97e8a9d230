"""The demo's second part: a voice agent on a bidirectional stream, offline.

The call is answered with `cxml.connect_stream` (run by the emulator as SignalWire runs a
webhook's answer). The caller says something every two seconds (a vowel-like sound, then
silence); the agent hears each utterance end, answers it with a short chime through
`send_audio` (16 kHz, resampled to the call's 8 kHz) and waits for the chime's mark to come
back. A DTMF key gets the same answer. The WAV has the caller on the left and what the
call heard on the right, and the emulator's own copy of what it heard is checked against
what the agent sent, byte for byte.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import wave
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .. import cxml
from .._errors import SignalWireError
from ..media import Dtmf, Media, Session, decode_mulaw, encode_mulaw, resample, serve
from ..testing import Emulator

__all__ = ["AgentResult", "agent_summary", "run_agent", "write_caller_audio"]

CALLER_PERIOD = 2.0  # seconds: the caller speaks, then listens
_UTTERANCE = 0.7
_RATE = 8000
_PROMPT_RATE = 16000  # as a speech engine might produce it
_LOUD = 600  # peak sample of a frame with speech in it
_SPEECH_FRAMES, _PAUSE_FRAMES = 10, 15  # 0.2 s of speech, then 0.3 s of silence: a turn
_DTMF_KEY = "7"
_TIMEOUT = 10.0


def write_caller_audio(path: Path) -> None:
    """A stereo WAV the emulator loops: the caller (left) and a quiet tone (the far end)."""
    samples = round(CALLER_PERIOD * _RATE)
    frames = array("h")
    for n in range(samples):
        t = n / _RATE
        if t < _UTTERANCE:  # harmonics of 140 Hz under a soft envelope: a sustained vowel
            envelope = math.sin(math.pi * t / _UTTERANCE)
            voice = sum(math.sin(2 * math.pi * 140 * k * t) / k for k in (1, 2, 3, 5, 7))
            caller = round(5000 * envelope * voice / 2)
        else:
            caller = 0
        far_end = round(300 * math.sin(2 * math.pi * 330 * t))
        frames.extend((caller, far_end))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(_RATE)
        wav.writeframes(frames.tobytes())


def prompt() -> bytes:
    """The agent's answer: a two-note chime, 16-bit PCM at 16 kHz."""
    notes = (880, 1320)
    each = round(0.2 * _PROMPT_RATE)
    pcm = array("h")
    for note in notes:
        for n in range(each):
            fade = min(1.0, n / 160, (each - n) / 160)
            pcm.append(round(9000 * fade * math.sin(2 * math.pi * note * n / _PROMPT_RATE)))
    return pcm.tobytes()


@dataclass
class AgentResult:
    """What the agent did, and what the call heard."""

    session: Session
    replies: list[str] = field(default_factory=list)  # "utterance 1", "key 7", ...
    sent: bytes = b""  # µ-law, as the agent's prompts went out
    heard: bytes = b""  # µ-law, as the emulator played it into the call


class _Agent:
    """The receiver's handler: answer each turn with the prompt, wait for its mark."""

    def __init__(self, wav: Path, replies: int) -> None:
        self.wav = wav
        self.wanted = replies
        self.result: AgentResult | None = None
        self.answered = asyncio.Event()
        self.prompt = prompt()

    async def __call__(self, session: Session) -> None:
        result = self.result = AgentResult(session)
        session.record(self.wav)  # bidirectional: the caller, and what the agent sent
        speech = pause = 0
        async for event in session:
            if isinstance(event, Media):
                pcm = array("h", decode_mulaw(event.payload))
                if max(pcm, default=0) > _LOUD:
                    speech, pause = speech + 1, 0
                elif speech:
                    pause += 1
                if speech >= _SPEECH_FRAMES and pause >= _PAUSE_FRAMES:
                    speech = pause = 0
                    await self.reply(session, f"utterance {len(result.replies) + 1}")
            elif isinstance(event, Dtmf):
                await self.reply(session, f"key {event.digit}")

    async def reply(self, session: Session, why: str) -> None:
        assert self.result is not None
        await session.send_audio(self.prompt, _PROMPT_RATE)
        await session.send_mark(why)
        await session.wait_for_mark(why, timeout=_TIMEOUT)  # the call has heard it all
        self.result.replies.append(why)
        self.result.sent += encode_mulaw(resample(self.prompt, _PROMPT_RATE, _RATE))
        if len(self.result.replies) >= self.wanted:
            self.answered.set()


async def _until(condition: Callable[[], bool], what: str) -> None:
    async with asyncio.timeout(_TIMEOUT):
        while not condition():
            await asyncio.sleep(0.02)
    if not condition():
        raise SignalWireError(f"the agent demo stalled: {what}")


async def run_agent(
    emulator: Emulator,
    tls: ssl.SSLContext,
    *,
    bearer_token: str,
    status_callback: str,
    wav: Path,
    utterances: int,
    out: TextIO,
) -> AgentResult:
    """Answer a call with `<Connect><Stream>` and let the agent talk with the caller."""
    agent = _Agent(wav, utterances + 1)  # and the key
    async with serve(agent, ssl=tls, bearer_token=bearer_token, bidirectional=True) as server:
        call_sid = emulator.add_call()
        document = cxml.connect_stream(
            f"{server.url}/agent",
            name="agent",
            status_callback=status_callback,
            authorization_bearer_token=bearer_token,
        )
        out.write(f"5. Answer call {call_sid} with <Connect><Stream> (bidirectional)\n")
        (record,) = emulator.answer(call_sid, document)
        out.write(f"   {record.sid} {record.status}\n\n")
        out.write(f"6. The agent answers {utterances} utterances and a key with a chime\n")
        await _until(lambda: agent.result is not None, "no stream reached the agent")
        shown = 0

        def progress() -> bool:
            nonlocal shown
            assert agent.result is not None
            for why in agent.result.replies[shown:]:
                out.write(f"   caller: {why:<12} agent: chime, mark back (call heard it)\n")
                out.flush()
            shown = len(agent.result.replies)
            return shown >= utterances

        async with asyncio.timeout(_TIMEOUT + utterances * CALLER_PERIOD):
            while not progress():
                await asyncio.sleep(0.05)
            emulator.send_dtmf(call_sid, _DTMF_KEY)
            await agent.answered.wait()
        progress()
        emulator.end_call(call_sid)
        result = agent.result
        assert result is not None
        await _until(lambda: result.session.ended, "the stream did not end with the call")
        result.heard = emulator.heard(record.sid)
    out.write("\n")
    return result


def agent_summary(result: AgentResult, wav: Path) -> str:
    """The agent part's closing lines."""
    same = "every byte, in order" if result.heard == result.sent else "NOT what was sent"
    seconds = len(result.heard) / _RATE
    return (
        f"7. Wrote {wav} (left: the caller; right: what the call heard)\n"
        f"   replies     {', '.join(result.replies)}\n"
        f"   call heard  {seconds:.2f} s of the agent's audio ({same})\n"
        f"   marks back  {len(result.session.marks)}\n"
    )
