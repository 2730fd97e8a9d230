"""A hostile peer: the `inject_media` faults, and the raw WebSocket frames they need.

websockets only sends well-formed messages, whole. The faults that break that (a text
frame that is not UTF-8, half a frame, one frame of 10 MiB) have websockets serialize the
frame, or write the frame header and masked payload by hand, straight to the transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
from collections import deque
from collections.abc import Callable
from typing import Literal

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.utils import apply_mask

__all__ = ["GARBAGE", "MEDIA_FAULTS", "OVERSIZED_FRAME_BYTES", "MediaFault", "Mischief"]

MediaFault = Literal["garbage", "invalid-utf8", "cut-mid-frame", "oversized-frame", "flood"]
MEDIA_FAULTS: tuple[MediaFault, ...] = (
    "garbage",  # GARBAGE, one frame after each tick's media frames, then streaming goes on
    "invalid-utf8",  # one text frame that is not UTF-8 (RFC 6455 says: fail the connection)
    "cut-mid-frame",  # half of the next media frame, then the TCP connection is cut
    "oversized-frame",  # one text frame of OVERSIZED_FRAME_BYTES
    "flood",  # from now on, frames as fast as the receiver takes them, not in real time
)
OVERSIZED_FRAME_BYTES = 10 * 2**20
# Frames that break the streams protocol but not WebSocket's: a receiver should skip each.
GARBAGE: tuple[str | bytes, ...] = (
    "this is not JSON",
    "",
    b"\x00\x01\x02\x03 a binary frame",
    b"\xff\xfe\xfd a binary frame that is not UTF-8",
    "[1, 2, 3]",
    '"a JSON string"',
    '{"sequenceNumber": "999", "media": {"track": "inbound"}}',
    '{"event": 42}',
    '{"event": "media", "media": {"track": 7, "payload": "AAAA"}}',
    "[" * 50_000,
)
_RAW_CHUNK = 2**16  # a multiple of 4, so each chunk starts at the mask's first byte
_GRACE = 2.0

Sent = Callable[[int], None]
"""Told how many bytes of message payload were written."""


class Mischief:
    """One stream's misbehaviour: faults waiting for the next tick, garbage still to send,
    and whether it floods. Lives on the media engine's loop."""

    def __init__(self) -> None:
        self.pending: deque[MediaFault] = deque()
        self.garbage: deque[str | bytes] = deque()
        self.flood = False

    async def after_tick(
        self, connection: ClientConnection, next_media: Callable[[], str], sent: Sent
    ) -> bool:
        """Misbehave after a tick's media frames; True when the connection was cut.

        `next_media` makes the next media message, for "cut-mid-frame" to send half of.
        """
        while self.pending:
            fault = self.pending.popleft()
            if fault == "cut-mid-frame":
                await _cut_mid_frame(connection, next_media(), sent)
                return True
            if fault == "garbage":
                self.garbage.extend(GARBAGE)
            elif fault == "flood":
                self.flood = True
            elif fault == "invalid-utf8":
                _send_invalid_utf8(connection, sent)
            elif fault == "oversized-frame":
                await _send_oversized(connection, sent)
        if self.garbage:
            junk = self.garbage.popleft()
            await connection.send(junk)
            sent(len(junk))
        return False


def _send_invalid_utf8(connection: ClientConnection, sent: Sent) -> None:
    """A text frame that is not UTF-8.

    websockets' send() writes only valid UTF-8 as text: the frame is built whole by
    websockets itself (masked, as a client must) and written as it is.
    """
    data = b'{"event":"dtmf","dtmf":{"digit":"\xff\xfe"}}'
    connection.transport.write(Frame(Opcode.TEXT, data).serialize(mask=True))
    sent(len(data))


async def _cut_mid_frame(connection: ClientConnection, message: str, sent: Sent) -> None:
    """Half of a media frame; the caller then cuts the TCP connection (an abort: no close
    frame, no TLS close).

    websockets writes whole frames only, so the frame is serialized by websockets and its
    first half written to the transport (the TLS layer: the receiver decrypts a clean half
    frame). An abort drops what this process still buffers, and asyncio tells only the TLS
    layer's share of that, not the TCP transport's under it. So a ping goes first: its pong
    says everything before it has reached the receiver (websockets documents ping for that),
    and the half frame then goes out alone, into empty buffers.
    """
    pong = await connection.ping()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(pong, _GRACE)
    frame = Frame(Opcode.TEXT, message.encode()).serialize(mask=True)
    transport = connection.transport
    transport.write(frame[: len(frame) // 2])
    sent(max(0, len(frame) // 2 - (len(frame) - len(message))))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _GRACE
    while transport.get_write_buffer_size() and not transport.is_closing():
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.001)


async def _send_oversized(connection: ClientConnection, sent: Sent) -> None:
    """One text frame of OVERSIZED_FRAME_BYTES (a media event), written as it is made.

    websockets' send() would need the whole message in memory (and a copy to mask it):
    the header and the masked payload are written to the transport in 64 KiB pieces
    instead, waiting for the transport to drain, so the emulator never holds the frame and
    a measure of the receiver's memory is not one of the emulator's. If the receiver
    closes the connection (1009, message too big) the rest is not sent and the stream
    ends "receiver-closed"; if it takes the frame, streaming goes on.
    """
    size = OVERSIZED_FRAME_BYTES
    tail = b'"}}'
    head = b'{"event":"media","media":{"track":"inbound","payload":"'
    # JSON whitespace after the brace makes the payload a whole number of base64 quanta:
    # the frame is a valid media event, only too big.
    head = b"{" + b" " * (-(size - len(head) - len(tail)) % 4) + head[1:]
    mask = os.urandom(4)
    transport = connection.transport
    transport.write(struct.pack("!BBQ", 0x80 | Opcode.TEXT, 0x80 | 127, size) + mask)
    filler = apply_mask(b"A" * _RAW_CHUNK, mask)
    for start in range(0, size, _RAW_CHUNK):
        # drain() waits only while the transport is full, and loopback's buffers are big:
        # yield each time too, so the receiver's close frame is read and ends the loop
        # rather than 10 MiB going out unread. (When the receiver's TLS layer resets the
        # connection first, because data kept coming after its close_notify, the frame
        # may be lost with it: the stream then ends with close code 1006.)
        await asyncio.sleep(0)
        if connection.state is not State.OPEN or transport.is_closing():
            break
        end = min(start + _RAW_CHUNK, size)
        if start < len(head) or end > size - len(tail) or end - start < _RAW_CHUNK:
            piece = bytearray(b"A" * (end - start))
            for offset, part in ((0, head), (size - len(tail), tail)):
                low, high = max(start, offset), min(end, offset + len(part))
                if low < high:
                    piece[low - start : high - start] = part[low - offset : high - offset]
            transport.write(apply_mask(piece, mask))
        else:
            transport.write(filler)
        sent(end - start)
        try:
            await connection.drain()
        except OSError:  # the connection was lost while the transport was full
            break
    if connection.state is not State.OPEN:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connection.wait_closed(), _GRACE)
        if connection.state is State.CLOSED:
            raise connection.protocol.close_exc
