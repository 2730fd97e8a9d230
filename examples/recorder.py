"""A recorder: every call streamed to it becomes a WAV file, written as the audio arrives.

`record_dir=` makes `media.serve` write one WAV per stream, named by its stream sid (16-bit
PCM, a channel per track), its header rewritten every second: a process killed mid-call
leaves a valid WAV of all but the last second. `recorder()` is the server to run: give it
your certificate and the token you pass SignalWire as `authorization_bearer_token`.

    python examples/recorder.py [FOLDER]   # a self-demo: the emulator streams two calls
                                            # for 3 s each; their WAVs land in FOLDER
"""

import asyncio
import ssl as _ssl
import sys
from pathlib import Path

from signalwire_streams import media
from signalwire_streams.testing import Emulator, LocalTLS


async def report(session: media.Session) -> None:
    """Each stream: read it to its end (it is recorded meanwhile), then say where it went."""
    await session.collect()
    print(f"call {session.call_sid}: {session.frames} frames in {session.recording}")


def recorder(
    folder: str | Path,
    *,
    ssl: _ssl.SSLContext,
    bearer_token: str,
    host: str = "127.0.0.1",
    port: int = 0,
) -> media.MediaServer:
    """The server, for `async with recorder(...) as server:` (in production: host="0.0.0.0"
    and your port; 0 picks a free one)."""
    return media.serve(
        report, host=host, port=port, ssl=ssl, bearer_token=bearer_token, record_dir=folder
    )


async def demo(folder: Path, seconds: float = 3.0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with LocalTLS() as tls:
        async with (
            recorder(folder, ssl=tls.server_context(), bearer_token="demo-token") as server,
            Emulator(ca_file=tls.ca_file) as emulator,
            emulator.async_client() as sw,
        ):
            calls = [emulator.add_call() for _ in range(2)]
            for call in calls:
                url = f"{server.url}/record"
                await sw.streams.create(call, url, authorization_bearer_token="demo-token")
            await asyncio.sleep(seconds)
            for call in calls:
                emulator.end_call(call)


if __name__ == "__main__":
    asyncio.run(demo(Path(sys.argv[1] if len(sys.argv) > 1 else "recordings")))
