"""The receiving side: the WebSocket server that SignalWire streams a call's audio to.

    from signalwire_streams import media

    async def handle(session: media.Session) -> None:
        async for event in session:          # Connected, Start, Media, Dtmf, Mark, Stop …
            if isinstance(event, media.Start):
                print(event.call_sid, event.custom_parameters)

    async with media.serve(handle, host="0.0.0.0", port=8443, ssl=tls, bearer_token=token,
                           record_dir="calls"):   # a WAV per stream, written as it arrives
        await asyncio.Future()

Also: `asgi_app` for ASGI servers and frameworks, `Session(messages, send=...)` inside any
other server, talking back on bidirectional streams (`Session.send_audio`, marks, clear,
DTMF), `parse_event` for one message, and G.711/L16 codecs and a resampler that need
neither audioop nor numpy.
"""

from ._asgi import ASGIApp, asgi_app
from ._audio import (
    ByteOrder,
    decode_alaw,
    decode_l16,
    decode_mulaw,
    encode_alaw,
    encode_l16,
    encode_mulaw,
    write_wav,
)
from ._events import (
    ALAW,
    L16,
    MULAW,
    Connected,
    Dtmf,
    Envelope,
    Event,
    Mark,
    Media,
    MediaFormat,
    Start,
    Stop,
    UnknownEvent,
    parse_event,
)
from ._handshake import bearer_token_matches
from ._received import to_pcm16
from ._resample import resample
from ._server import Handler, MediaServer, OnRefusal, serve
from ._session import Session
from ._state import EndReason, Gap

__all__ = [
    "ALAW",
    "L16",
    "MULAW",
    "ASGIApp",
    "ByteOrder",
    "Connected",
    "Dtmf",
    "EndReason",
    "Envelope",
    "Event",
    "Gap",
    "Handler",
    "Mark",
    "Media",
    "MediaFormat",
    "MediaServer",
    "OnRefusal",
    "Session",
    "Start",
    "Stop",
    "UnknownEvent",
    "asgi_app",
    "bearer_token_matches",
    "decode_alaw",
    "decode_l16",
    "decode_mulaw",
    "encode_alaw",
    "encode_l16",
    "encode_mulaw",
    "parse_event",
    "resample",
    "serve",
    "to_pcm16",
    "write_wav",
]
