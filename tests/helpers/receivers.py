"""A media receiver as the README shows it, for tests that stream from the emulator to it.

`receiver(tls)` is `media.serve` over real TLS on loopback with a `Session` per connection,
iterated to its end; the tests then look at what each session kept.
"""

from __future__ import annotations

import asyncio
import math
import struct
import time
import wave
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signalwire_streams import AsyncClient
from signalwire_streams.media import MediaServer, Session, serve
from signalwire_streams.testing import Emulator, LocalTLS

TOKEN = "bearer-7Hq2-not-a-real-token"
SPEED = 20.0  # the emulator streams 20x faster than real time: 1 s of audio in 50 ms


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


@dataclass
class Receiver:
    server: MediaServer
    sessions: list[Session] = field(default_factory=list)
    finished: list[Session] = field(default_factory=list)
    escaped: list[BaseException] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.server.url}/media"


@asynccontextmanager
async def receiver(
    tls: LocalTLS, on_event: Callable[[Session, Any], None] | None = None, **options: Any
) -> AsyncIterator[Receiver]:
    """`media.serve` with the README's handler: iterate the session to its end.

    `options` go to `serve` (bearer_token defaults to TOKEN); `escaped` keeps whatever
    would have escaped the handler to the server.
    """
    rx: Receiver

    async def handle(session: Session) -> None:
        rx.sessions.append(session)
        try:
            async for event in session:
                if on_event is not None:
                    on_event(session, event)
        except BaseException as error:
            rx.escaped.append(error)
            raise
        rx.finished.append(session)

    options.setdefault("bearer_token", TOKEN)
    options.setdefault("keep_audio", True)  # the tests compare what arrived with what was sent
    async with serve(handle, ssl=tls.server_context(), **options) as server:
        rx = Receiver(server)
        yield rx


def client_for(emulator: Emulator) -> AsyncClient:
    return AsyncClient(emulator.project_id, emulator.api_token, emulator.base_url)


def chirp_wav(path: Path, seconds: float = 0.3, rate: int = 8000) -> bytes:
    """A mono WAV whose frames all differ, returning its 16-bit PCM."""
    count = int(seconds * rate)
    pcm = struct.pack(f"<{count}h", *(int(9000 * math.sin(i * i / 2000)) for i in range(count)))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return pcm
