"""Several processes on one port without a framework: `media.serve(..., reuse_port=True)`.

Two child processes each run `media.serve` on the same port with SO_REUSEPORT; the kernel
spreads connections over them. The emulator streams 16 calls; each child writes one result
file per stream with its process id, and both must have served some.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.receivers import SPEED, TOKEN, client_for, eventually

SERVER = """
import asyncio, json, os, ssl, sys
from pathlib import Path
from signalwire_streams import media

results = Path(sys.argv[2])

async def handle(session: media.Session) -> None:
    await session.collect()
    part = results / f"{session.stream_sid}.part"
    part.write_text(json.dumps({"pid": os.getpid(), "frames": session.frames,
                                "end": session.end}))
    part.replace(part.with_suffix(".json"))

async def main() -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    async with media.serve(handle, port=int(sys.argv[1]), ssl=context,
                           bearer_token=os.environ["TOKEN"], reuse_port=True):
        print("listening", flush=True)
        await asyncio.Future()

asyncio.run(main())
"""


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


async def test_two_processes_share_one_port(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (tmp_path / "server.py").write_text(textwrap.dedent(SERVER))
    port = _free_port()
    with LocalTLS() as tls:
        arguments = [str(port), str(results), str(tls.cert_file), str(tls.key_file)]
        children = [
            subprocess.Popen(
                [sys.executable, str(tmp_path / "server.py"), *arguments],
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "TOKEN": TOKEN},
            )
            for _ in range(2)
        ]
        try:
            for child in children:
                assert child.stdout is not None and child.stdout.readline().strip() == "listening"
            async with Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
                calls = [emulator.add_call() for _ in range(16)]
                url = f"wss://127.0.0.1:{port}/media"
                async with client_for(emulator) as sw:
                    streams = await asyncio.gather(
                        *(
                            sw.streams.create(c, url, authorization_bearer_token=TOKEN)
                            for c in calls
                        )
                    )
                    await eventually(
                        lambda: all(emulator.media(s.sid).frames_sent >= 20 for s in streams)
                    )
                    for call, stream in zip(calls, streams, strict=True):
                        await sw.streams.stop(call, stream.sid)
                await eventually(lambda: len(list(results.glob("*.json"))) == 16, timeout=30)
                sent = {s.sid: emulator.media(s.sid).frames_sent for s in streams}
        finally:
            for child in children:
                child.terminate()
                child.wait(timeout=10)
    lines = {path.stem: json.loads(path.read_text()) for path in results.glob("*.json")}
    assert all(
        line["end"] == "stop" and line["frames"] == 2 * sent[sid] for sid, line in lines.items()
    )
    pids = {line["pid"] for line in lines.values()}
    assert pids == {child.pid for child in children}
