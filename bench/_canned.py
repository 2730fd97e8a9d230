"""The canned HTTP server bench.rest measures the clients against, and the create they send.

    python -m bench._canned

HTTP/1.1 keep-alive on 127.0.0.1, on a port of its choosing: every request, whatever it
is, gets the same canned 200, so that the server costs the same for every contender and
is not what is measured. It prints the port as its first line once it listens, and runs
until its stdin closes, i.e. until the benchmark process is gone. It runs in its own
process (`canned_server()` starts it) so that its CPU is not the benchmark's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from bench._process import Child

__all__ = [
    "ACCOUNT",
    "API_PATH",
    "CALL",
    "CANNED",
    "CREATE_ARGS",
    "FORM",
    "PATH",
    "TOKEN",
    "TWILIO_ARGS",
    "TWILIO_BASE",
    "WSS",
    "canned_server",
    "main",
]

ACCOUNT = "6f2a4c1e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
TOKEN = "PTbenchmark0000000000000000000000000000000000000000"
CALL = "9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
WSS = "wss://media.example.com/audio"
API_PATH = "/api/laml/2010-04-01"
PATH = f"{API_PATH}/Accounts/{ACCOUNT}/Calls/{CALL}/Streams"
TWILIO_BASE = "https://api.twilio.com/2010-04-01"

# The create every contender sends: the same form fields, Basic auth, keep-alive.
CREATE_ARGS: dict[str, Any] = {"name": "bench", "parameters": {"customer": "42"}}
FORM = {
    "Url": WSS,
    "Name": "bench",
    "Track": "both_tracks",
    "StatusCallbackMethod": "POST",
    "Parameter1.Name": "customer",
    "Parameter1.Value": "42",
}
TWILIO_ARGS = {
    "url": WSS,
    "name": "bench",
    "track": "both_tracks",
    "status_callback_method": "POST",
    "parameter1_name": "customer",
    "parameter1_value": "42",
}
# The answer every request gets: the seven keys SignalWire's published schema allows.
CANNED = {
    "sid": "a3c1e0f2-7d4b-4c5a-9e8f-1b2c3d4e5f60",
    "account_sid": ACCOUNT,
    "call_sid": CALL,
    "name": "bench",
    "status": "in-progress",
    "date_updated": "Thu, 21 Nov 2024 19:38:00 +0000",
    "uri": f"/api/laml/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}/Streams/"
    "a3c1e0f2-7d4b-4c5a-9e8f-1b2c3d4e5f60.json",
}

_BODY = json.dumps(CANNED).encode()
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Date: Thu, 21 Nov 2024 19:38:00 GMT\r\n"
    b"Content-Type: application/json; charset=utf-8\r\n"
    b"Content-Length: %d\r\n\r\n" % len(_BODY)
) + _BODY
_LENGTH_HEADER = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


class _Canned(asyncio.Protocol):
    """One connection: split the byte stream into requests, answer each with `_RESPONSE`."""

    transport: asyncio.Transport
    buffer: bytearray

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            match = _LENGTH_HEADER.search(buffer, 0, end)
            total = end + 4 + (int(match.group(1)) if match else 0)
            if len(buffer) < total:
                return
            del buffer[:total]
            self.transport.write(_RESPONSE)


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Canned, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)


@contextmanager
def canned_server(cpu: int | None) -> Iterator[str]:
    """The server's base URL, with the server pinned to `cpu` when there is one to spare."""
    with Child("bench._canned") as child:
        port = int(child.ready)
        if cpu is not None:
            os.sched_setaffinity(child.pid, {cpu})
        yield f"http://127.0.0.1:{port}"


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m bench._canned", description=(__doc__ or "").partition("\n")[0]
    ).parse_args(argv)
    asyncio.run(_serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
