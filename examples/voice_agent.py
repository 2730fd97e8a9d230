"""A voice agent: it answers each thing the caller says, and each key, with a prompt.

`agent` serves bidirectional streams (cXML's `<Connect><Stream>`). At the end of an
utterance (0.2 s of sound, then 0.3 s of quiet) or at a key, it plays a prompt with
`send_audio` and waits for the prompt's mark to come back: the caller has heard it all. A
real agent plays a speech engine's answer. Serve it: `media.serve(agent, ssl=…, bearer_token=…)`.

    python examples/voice_agent.py   # a self-demo: a caller speaks twice, then presses 5
"""

import asyncio
import math
import tempfile
from array import array

from signalwire_streams import SendError, cxml, media
from signalwire_streams.testing import Emulator, LocalTLS

LOUD, SOUND, QUIET = 600, 10, 15  # a sample above LOUD is sound; the frames of each in a turn


def tone(hz: int, seconds: float, rate: int, then_quiet: float = 0.0) -> bytes:
    sine = (round(5000 * math.sin(2 * math.pi * hz * n / rate)) for n in range(int(seconds * rate)))
    return array("h", sine).tobytes() + bytes(2 * int(then_quiet * rate))


PROMPT = tone(880, 0.4, 16000)  # what a speech engine would hand you, at 16 kHz
CALLER = tone(220, 0.5, 8000, then_quiet=1.5)  # what the emulator's caller says, over and over


async def say(session: media.Session, why: str) -> None:
    try:
        await session.send_audio(PROMPT, 16000)  # resampled and encoded to the call's format
        await session.send_mark(why)
        await session.wait_for_mark(why, timeout=10)
    except SendError:  # the call ended first
        return
    print(f"the caller heard the answer to {why}")


async def agent(session: media.Session) -> None:
    sound = quiet = turns = 0
    async for event in session:
        if isinstance(event, media.Media):
            loud = max(array("h", media.decode_mulaw(event.payload))) > LOUD
            sound, quiet = (sound + 1, 0) if loud else (sound, quiet + (sound > 0))
            if sound >= SOUND and quiet >= QUIET:
                sound = quiet = 0
                turns += 1
                await say(session, f"utterance {turns}")
        elif isinstance(event, media.Dtmf):
            await say(session, f"key {event.digit}")


async def demo() -> None:
    with LocalTLS() as tls, tempfile.TemporaryDirectory() as folder:
        media.write_wav(f"{folder}/caller.wav", CALLER, sample_rate=8000)
        async with (
            media.serve(agent, ssl=tls.server_context(), bearer_token="demo-token") as server,
            Emulator(ca_file=tls.ca_file, audio=f"{folder}/caller.wav") as emulator,
        ):
            call = emulator.add_call()
            url = f"{server.url}/agent"  # your voice webhook answers with this document:
            answer = cxml.connect_stream(url, authorization_bearer_token="demo-token")
            (stream,) = emulator.answer(call, answer)
            await asyncio.sleep(4.5)
            emulator.send_dtmf(call, "5")
            await asyncio.sleep(1)
            print(f"the call heard {len(emulator.heard(stream.sid)) / 8000} s of prompts")
            emulator.end_call(call)


if __name__ == "__main__":
    asyncio.run(demo())
