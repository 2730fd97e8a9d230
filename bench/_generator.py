"""The media load generator: plays SignalWire for many streams at real-time pace.

    python -m bench._generator URL --streams N --seconds S [--ca-file CA.pem]

bench.media starts it (one process or more) against its receiver at URL (ws:// or wss://;
a wss receiver's certificate is checked against --ca-file). It opens N connections to
URL/media with the receiver's bearer token, and on each sends `connected`, `start` with
custom parameters, then one µ-law `media` frame of 20 ms every 20 ms for S seconds, then
`stop`. Calls start independently, so the streams' start times are spread over SLOTS
moments within a frame. Each `start` carries the moment its audio began (`t0`,
CLOCK_MONOTONIC, shared by processes on Linux), against which the receiver measures every
frame's lateness; a generator that falls behind makes that figure worse, never better.

Its client is picows (frames built and masked in C, sent without a task switch, over
aiofastnet's transport, which picows uses when it is installed, as it is with picows): at
500 streams it takes about half the CPU per frame websockets' client did, which leaves
the receiver a core of its own on two. Each message still goes out on its own: one write
(and over wss one TLS record) per frame per stream.

Its last line out is JSON: `{"lag": worst seconds behind its own schedule, "sent": frames}`.
It runs in its own process so that its CPU is not the receiver's.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import ssl
import sys
from collections.abc import Sequence

import picows

__all__ = ["FRAME", "PROBE", "SLOTS", "TOKEN", "generate", "main"]

FRAME = 0.02  # seconds of audio per media frame
TOKEN = "bench-media-token"  # the bearer token the receiver asks for
SLOTS = 10  # start times per frame
PROBE = "a&b=c\nü"  # a custom parameter the receiver checks arrives intact


async def _connect(url: str, context: ssl.SSLContext | None) -> picows.WSTransport:
    class Peer(picows.WSListener):
        def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
            if frame.msg_type is picows.WSMsgType.CLOSE:  # the receiver's, or its answer
                if not transport.is_close_frame_sent:
                    transport.send_close(frame.get_close_code())
                transport.disconnect()

    transport, _ = await picows.ws_connect(
        Peer, url, ssl_context=context, extra_headers={"Authorization": f"Bearer {TOKEN}"}
    )
    return transport


async def generate(url: str, streams: int, seconds: float, ca_file: str | None) -> int:
    """Play SignalWire for `streams` streams from this process."""
    text = picows.WSMsgType.TEXT
    context = None
    if url.startswith("wss:"):
        context = ssl.create_default_context(cafile=ca_file)
    connections = [await _connect(url + "/media", context) for _ in range(streams)]
    payload = base64.b64encode(bytes([0xFF] * 160)).decode()
    frames = round(seconds / FRAME)
    loop = asyncio.get_running_loop()
    # Calls start independently: spread the streams over SLOTS start times within a frame.
    base = loop.time() + 0.5  # loop.time() is time.monotonic()
    slots = [connections[slot::SLOTS] for slot in range(SLOTS)]
    for slot, members in enumerate(slots):
        t0 = base + slot * FRAME / SLOTS
        for index, connection in enumerate(members):
            connection.send(text, b'{"event":"connected","protocol":"Call","version":"0.2.0"}')
            start = {
                "streamSid": f"stream-{os.getpid()}-{slot}-{index}",
                "callSid": f"call-{slot}-{index}",
                "tracks": ["inbound"],
                "customParameters": {"t0": repr(t0), "probe": PROBE},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            }
            message = {"event": "start", "sequenceNumber": "1", "start": start}
            connection.send(text, json.dumps(message).encode())
    sent = 0
    lag = 0.0  # how late the generator itself sent the last frame of a slot, at worst
    for number in range(frames):
        media = (
            f'{{"event":"media","sequenceNumber":"{number + 2}","media":{{"track":"inbound",'
            f'"chunk":"{number + 1}","timestamp":"{round(number * FRAME * 1000)}",'
            f'"payload":"{payload}"}}}}'
        ).encode()
        for slot, members in enumerate(slots):
            due = base + number * FRAME + slot * FRAME / SLOTS
            await asyncio.sleep(max(0.0, due - loop.time()))
            for connection in members:
                connection.send(text, media)
                sent += 1
            lag = max(lag, loop.time() - due)
    stop = f'{{"event":"stop","sequenceNumber":"{frames + 2}"}}'.encode()
    for connection in connections:
        connection.send(text, stop)
        connection.send_close(picows.WSCloseCode.OK)
    try:
        async with asyncio.timeout(30):
            await asyncio.gather(*(c.wait_disconnected() for c in connections))
    except TimeoutError:
        print("some receivers never closed their connections", file=sys.stderr)
        return 1
    finally:
        for connection in connections:
            connection.disconnect(graceful=False)
        print(json.dumps({"lag": lag, "sent": sent}), flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench._generator", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("url", metavar="URL", help="the receiver, ws://host:port or wss://…")
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--ca-file", help="the CA that signed a wss receiver's certificate")
    args = parser.parse_args(argv)
    return asyncio.run(generate(args.url, args.streams, args.seconds, args.ca_file))


if __name__ == "__main__":
    sys.exit(main())
