"""Media faults: the emulator plays a broken or hostile SignalWire against `media.serve`.

Real TLS on loopback, the real emulator (`inject_media`) and the server as the README shows
it: `serve(handler)` with a `Session` per connection. Each test asserts what the receiver is
left with: the session's end, the frames it kept, what it skipped, and its memory.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import tracemalloc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import websockets
from signalwire_streams.media import Media, Session, decode_mulaw, encode_mulaw, serve
from signalwire_streams.media._options import MAX_MESSAGE_SIZE
from signalwire_streams.media._session import MAX_QUEUE
from signalwire_streams.testing import Emulator, EmulatorError, LocalTLS
from signalwire_streams.testing._hostile import GARBAGE, OVERSIZED_FRAME_BYTES

from tests.helpers.receivers import SPEED, TOKEN, chirp_wav, client_for, eventually, receiver

MiB = 2**20


def looped(pcm: bytes, length: int) -> bytes:
    """The emulator's audio as µ-law makes it, looped to `length` bytes of PCM."""
    once = decode_mulaw(encode_mulaw(pcm))
    return (once * (length // len(once) + 1))[:length]


def handler_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "media handler failed" in r.getMessage()]


# A peer that closes mid-frame


async def test_a_peer_cutting_mid_frame_ends_the_session_keeping_every_whole_frame(
    tls: LocalTLS, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pcm = chirp_wav(tmp_path / "chirp.wav")
    async with (
        receiver(tls) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED, audio=tmp_path / "chirp.wav") as emulator,
    ):
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            cut = await sw.streams.create(
                call, rx.url, track="inbound_track", authorization_bearer_token=TOKEN
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 10)
            emulator.inject_media(cut.sid, "cut-mid-frame")
            await eventually(lambda: len(rx.finished) == 1)
            status = emulator.media(cut.sid)
            # The server goes on: the next stream is served in full.
            after = await sw.streams.create(call, rx.url, authorization_bearer_token=TOKEN)
            await eventually(lambda: len(rx.sessions) == 2 and rx.sessions[1].frames >= 10)
            await sw.streams.stop(call, after.sid)
            await eventually(lambda: len(rx.finished) == 2)
    session = rx.finished[0]
    assert status.end == "dropped"
    assert session.end == "close" and session.stream_sid == cut.sid
    # Every frame sent whole is kept, in order; the half frame is not a frame.
    assert session.frames == status.frames_sent >= 10
    assert session.gaps == [] and session.malformed_frames == 0
    assert session.audio() == looped(pcm, 320 * session.frames)
    assert rx.escaped == [] and handler_failures(caplog) == []
    assert rx.finished[1].end == "stop" and rx.finished[1].stream_sid == after.sid


async def test_the_cut_falls_inside_a_frame(tls: LocalTLS) -> None:
    """The fault itself, seen by a bare websockets server: the stream ends in mid-frame."""
    ends: list[BaseException] = []
    texts: list[str | bytes] = []

    async def app(connection: websockets.ServerConnection) -> None:
        try:
            while True:
                texts.append(await connection.recv())
        except websockets.ConnectionClosedError as error:
            ends.append(error)

    async with (
        websockets.serve(app, "127.0.0.1", 0, ssl=tls.server_context()) as server,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
    ):
        port = server.sockets[0].getsockname()[1]
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(emulator.add_call(), f"wss://127.0.0.1:{port}")
        await eventually(lambda: len(texts) >= 10)
        emulator.inject_media(stream.sid, "cut-mid-frame")
        await eventually(lambda: bool(ends))
        status = emulator.media(stream.sid)
    cause = ends[0].__cause__
    assert isinstance(cause, EOFError) and "stream ends after" in str(cause)
    assert ends[0].rcvd is None  # no close frame
    assert len(texts) == 2 + 2 * status.frames_sent  # connected, start, both tracks per tick


# Frames that are not events


async def test_garbage_frames_are_skipped_counted_and_logged_and_the_audio_around_them_kept(
    tls: LocalTLS, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pcm = chirp_wav(tmp_path / "chirp.wav")
    # How many frames were malformed when each media frame came: garbage between media.
    seen: list[int] = []

    def on_event(session: Session, event: object) -> None:
        if isinstance(event, Media):
            seen.append(session.malformed_frames)

    caplog.set_level(logging.DEBUG, logger="signalwire_streams.media")
    async with (
        receiver(tls, on_event) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED, audio=tmp_path / "chirp.wav") as emulator,
    ):
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(
                call, rx.url, track="inbound_track", authorization_bearer_token=TOKEN
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 5)
            emulator.inject_media(stream.sid, "garbage")
            await eventually(lambda: rx.sessions[0].malformed_frames == len(GARBAGE))
            after = rx.sessions[0].frames
            await eventually(lambda: rx.sessions[0].frames >= after + 5)
            await sw.streams.stop(call, stream.sid)
            await eventually(lambda: bool(rx.finished))
        status = emulator.media(stream.sid)
    session = rx.finished[0]
    assert session.end == "stop" and status.end == "stop"
    assert session.malformed_frames == len(GARBAGE)
    # Each one logged; the first five at WARNING, the rest at DEBUG (a hostile peer cannot
    # flood the log), and a count once the stream ends.
    skipped = [r for r in caplog.records if "skipped a malformed frame" in r.getMessage()]
    assert [r.levelno for r in skipped] == [logging.WARNING] * 5 + [logging.DEBUG] * 5
    counted = [r for r in caplog.records if "skipped 10 malformed frames in all" in r.getMessage()]
    assert len(counted) == 1
    # Garbage between media frames: real frames before, between and after. (The handler
    # reads events after they are recorded, so the count may move by more than one between
    # two media events it sees.)
    assert seen[0] == 0 and seen[-1] == len(GARBAGE)
    assert all(b >= a for a, b in itertools.pairwise(seen))
    assert seen.index(next(n for n in seen if n)) >= 4 and seen[-5:] == [len(GARBAGE)] * 5
    # Every real frame kept, in order, byte for byte.
    assert session.frames == status.frames_sent and session.gaps == []
    assert session.audio() == looped(pcm, 320 * session.frames)
    assert rx.escaped == [] and handler_failures(caplog) == []


async def test_a_text_frame_that_is_not_utf8_fails_the_connection_with_1007(
    tls: LocalTLS, caplog: pytest.LogCaptureFixture
) -> None:
    """RFC 6455 8.1: invalid UTF-8 in a text frame fails the connection; it is not skipped."""
    async with receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(call, rx.url, authorization_bearer_token=TOKEN)
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 10)
            emulator.inject_media(stream.sid, "invalid-utf8")
            await eventually(lambda: bool(rx.finished))
            await eventually(lambda: emulator.media(stream.sid).end is not None)
        status = emulator.media(stream.sid)
    session = rx.finished[0]
    assert (status.end, status.close_code) == ("receiver-closed", 1007)
    assert session.end == "close" and session.malformed_frames == 0 and session.gaps == []
    # Whole ticks before the bad frame are kept (the emulator sent on until it saw the close).
    assert 10 <= session.frames <= 2 * status.frames_sent
    # The emulator writes the bad frame after a whole tick (both tracks). About one run in
    # six on a loaded machine the receiver has counted one inbound frame more than outbound
    # frames when it closes (not understood: the outbound frame may be the one refused, or
    # lost before the bad frame); either way every frame it kept is whole and in order.
    assert session.frames_on("inbound") - session.frames_on("outbound") in (0, 1)
    assert rx.escaped == [] and handler_failures(caplog) == []


# A frame of 10 MiB


def traced_peak(before: int) -> int:
    """Growth of this process's traced memory at its peak since the last reset."""
    return tracemalloc.get_traced_memory()[1] - before


@asynccontextmanager
async def tracing() -> AsyncIterator[Callable[[], int]]:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        yield lambda: traced_peak(before)
    finally:
        tracemalloc.stop()


# The emulator runs in this process too: what its own thread allocates (the frame it writes,
# its transport's buffers) is not the receiver's. Traces with a frame in its code are left
# out; the receiver's are sampled every few milliseconds for their peak.
_NOT_THE_EMULATOR = tracemalloc.Filter(False, "*/signalwire_streams/testing/*", all_frames=True)


@asynccontextmanager
async def receiver_peak() -> AsyncIterator[Callable[[], int]]:
    """The peak growth of what this process allocates outside the emulator, sampled."""
    gc.collect()
    tracemalloc.start(30)

    def size() -> int:
        snapshot = tracemalloc.take_snapshot().filter_traces([_NOT_THE_EMULATOR])
        return sum(stat.size for stat in snapshot.statistics("filename"))

    peak = [0]

    async def sample(before: int) -> None:
        while True:
            peak[0] = max(peak[0], size() - before)
            await asyncio.sleep(0.005)

    try:
        sampler = asyncio.get_running_loop().create_task(sample(size()))
        yield lambda: peak[0]
        sampler.cancel()
    finally:
        tracemalloc.stop()


async def test_a_10_mib_frame_is_refused_with_1009_without_being_buffered(
    tls: LocalTLS, caplog: pytest.LogCaptureFixture
) -> None:
    assert OVERSIZED_FRAME_BYTES >= 10 * MAX_MESSAGE_SIZE
    caplog.set_level(logging.DEBUG, logger="signalwire_streams.media")
    async with (
        receiver(tls, keep_audio=False) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
    ):
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(
                call, rx.url, track="inbound_track", authorization_bearer_token=TOKEN
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 10)
            async with receiver_peak() as peak:
                sent_before = emulator.media(stream.sid).bytes_sent
                emulator.inject_media(stream.sid, "oversized-frame")
                await eventually(lambda: bool(rx.finished))
                await eventually(lambda: emulator.media(stream.sid).end is not None)
                grew = peak()
        status = emulator.media(stream.sid)
    session = rx.finished[0]
    sent = status.bytes_sent - sent_before
    print(f"10 MiB frame: peak growth {grew / MiB:.2f} MiB, {sent / MiB:.2f} MiB of it sent")
    # Refused from its header: the server closed with 1009 before reading the payload.
    refused = [r.getMessage() for r in caplog.records if "MESSAGE_TOO_BIG: 1009" in r.getMessage()]
    assert len(refused) == 1  # picows' log, through this package's logger
    assert f"{OVERSIZED_FRAME_BYTES} > {MAX_MESSAGE_SIZE}" in refused[0]
    # The emulator saw the connection closed on it. It reads the 1009 itself unless the
    # receiver's TLS layer resets the connection (the emulator writes on after its
    # close_notify) before the close frame is read: then it records 1006, no close frame.
    assert status.end == "receiver-closed" and status.close_code in (1009, 1006)
    # What came before the frame is kept; the server's memory never held the frame.
    assert session.end == "close" and session.frames == status.frames_sent
    assert session.gaps == [] and session.malformed_frames == 0
    # picows stops reading 10 ms after refusing the frame: what arrives meanwhile passes
    # through its buffers (about 1 MiB at the peak, even on a loaded machine), never the
    # frame itself.
    assert grew < 4 * MiB
    assert rx.escaped == [] and handler_failures(caplog) == []


async def test_the_memory_measure_sees_a_10_mib_frame_that_is_taken(tls: LocalTLS) -> None:
    """The control: a server whose max_size admits the frame does hold it, and it shows."""
    big: list[int] = []

    def on_event(session: Session, event: object) -> None:
        if isinstance(event, Media) and len(event.payload_base64) > MAX_MESSAGE_SIZE:
            big.append(len(event.payload_base64))

    async with (
        receiver(tls, on_event, keep_audio=False, max_size=16 * MiB) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
    ):
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(
                call, rx.url, track="inbound_track", authorization_bearer_token=TOKEN
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 10)
            async with receiver_peak() as peak:
                emulator.inject_media(stream.sid, "oversized-frame")
                await eventually(lambda: bool(big), timeout=30)
                grew = peak()
            await sw.streams.stop(call, stream.sid)
            await eventually(lambda: bool(rx.finished))
    print(f"10 MiB frame taken: peak growth {grew / MiB:.2f} MiB")
    assert rx.finished[0].end == "stop" and emulator.media(stream.sid).end == "stop"
    assert grew > OVERSIZED_FRAME_BYTES


# A slow reader under a flood

READ_SLOWLY = 400  # messages the handler reads one per 2 ms, while the emulator floods
FLOOD_BYTES = 12 * MiB
LARGEST_MESSAGE = 2048  # L16 at 24 kHz: 1280 base64 characters of payload, and the JSON
# Decrypted bytes one read can hand the server: the TLS layer's read buffer (256 KiB) and
# what it lets wait undecrypted before it stops reading the socket (256 KiB). Frames already
# read when reading pauses are parsed and queued too.
ONE_TLS_READ = 512 * 1024


def queued_bytes(session: Session) -> int:
    """Bytes of the events waiting for the handler in a `media.serve` session's queue.

    Private (the session's own queue): the test looks at the very buffer whose bound it
    checks.
    """
    return sum(
        len(event.payload_base64) if isinstance(event, Media) else 100 for event in session._queue
    )


@dataclass
class Flood:
    """A conference stream of the largest frames (L16 at 24 kHz, both tracks)."""

    emulator: Emulator
    conference: str
    sid: str

    @classmethod
    async def create(cls, emulator: Emulator, url: str) -> Flood:
        conference = emulator.add_conference()
        async with client_for(emulator) as sw:
            stream = await sw.conference_streams.create(
                conference, url, codec="L16@24000h", authorization_bearer_token=TOKEN
            )
        await eventually(lambda: emulator.media(stream.sid).frames_sent >= 1)
        return cls(emulator, conference, stream.sid)

    def start(self) -> None:
        self.emulator.inject_media(self.sid, "flood")

    def status(self) -> Any:
        return self.emulator.media(self.sid)

    def stop(self) -> None:
        self.emulator.end_conference(self.conference)


async def test_a_slow_reader_under_a_flood_holds_bounded_memory_and_loses_nothing(
    tls: LocalTLS,
) -> None:
    queued: list[int] = []  # bytes of events waiting in the session, at each slow read
    payloads: dict[tuple[str, int], str] = {}
    changed: list[int] = []
    finished: list[Session] = []

    async def handle(session: Session) -> None:
        read = 0
        async for event in session:
            read += 1
            if read <= READ_SLOWLY:
                queued.append(queued_bytes(session))
                await asyncio.sleep(0.002)
            if isinstance(event, Media) and event.chunk is not None:
                # The source loops every second (50 frames): each frame is as it was.
                first = payloads.setdefault((event.track, event.chunk % 50), event.payload_base64)
                if first != event.payload_base64:
                    changed.append(event.chunk)
        finished.append(session)

    async with (
        serve(handle, ssl=tls.server_context(), bearer_token=TOKEN, keep_audio=False) as server,
        Emulator(ca_file=tls.ca_file) as emulator,
    ):
        flood = await Flood.create(emulator, f"{server.url}/media")
        async with tracing() as peak:
            flood.start()
            await eventually(lambda: len(queued) == READ_SLOWLY, timeout=30)
            sent_while_slow, grew_while_slow = flood.status().bytes_sent, peak()
            # Then the reader drains, as fast as it can, while the flood goes on.
            await eventually(lambda: flood.status().bytes_sent >= FLOOD_BYTES, timeout=60)
            grew = peak()
        flood.stop()
        await eventually(lambda: bool(finished), timeout=30)
        final = flood.status()
    session = finished[0]
    print(
        f"\nslow reader: queue at most {max(queued) / 1024:.0f} KiB; {sent_while_slow / MiB:.1f}"
        f" MiB sent while slow, traced growth {grew_while_slow / MiB:.2f} MiB; "
        f"{final.bytes_sent / MiB:.1f} MiB sent in all, peak growth {grew / MiB:.2f} MiB"
    )
    # The session stops reading above MAX_QUEUE events: what waits is at most those and
    # what one read brought, and TCP holds the rest back in the emulator.
    assert max(queued) <= MAX_QUEUE * LARGEST_MESSAGE + ONE_TLS_READ
    assert grew < 3 * MiB and final.bytes_sent >= FLOOD_BYTES
    # Nothing lost, repeated, reordered or changed once the reader drained.
    assert session.end == "stop" and final.end == "stop"
    assert session.frames == 2 * final.frames_sent and session.gaps == [] and changed == []
    assert session.malformed_frames == 0


async def test_without_a_queue_bound_the_same_flood_fills_the_receiver(tls: LocalTLS) -> None:
    """The control: a websockets server with max_queue=None, whose handler reads nothing
    for a while, buffers whatever the emulator sends, and the measure shows it."""
    reading = asyncio.Event()
    finished: list[int] = []
    queued: list[int] = []

    async def app(connection: websockets.ServerConnection) -> None:
        await reading.wait()
        # websockets' own queue of unread frames (private: the control looks at the buffer).
        queued.append(sum(len(frame.data) for frame in connection.recv_messages.frames.queue))
        frames = 0
        async for message in connection:
            frames += '"media"' in str(message)
        finished.append(frames)

    async with (
        websockets.serve(app, "127.0.0.1", 0, ssl=tls.server_context(), max_queue=None) as ws,
        Emulator(ca_file=tls.ca_file) as emulator,
    ):
        url = f"wss://127.0.0.1:{ws.sockets[0].getsockname()[1]}/media"
        flood = await Flood.create(emulator, url)
        async with tracing() as peak:
            flood.start()
            await eventually(lambda: flood.status().bytes_sent >= FLOOD_BYTES // 2, timeout=60)
            grew = peak()
            reading.set()
        flood.stop()
        await eventually(lambda: bool(finished), timeout=30)
        final = flood.status()
    print(f"\nno queue bound: peak growth {grew / MiB:.2f} MiB, queue {max(queued) / MiB:.1f} MiB")
    assert grew > 4 * MiB and max(queued) > MAX_QUEUE * LARGEST_MESSAGE + ONE_TLS_READ
    assert finished[0] == final.frames_sent * 2


def test_inject_media_checks_the_fault_and_the_stream() -> None:
    with Emulator(media=False) as rest_only, pytest.raises(EmulatorError, match="media=False"):
        rest_only.inject_media("any", "flood")
    with Emulator() as emulator:
        with pytest.raises(ValueError, match="garbage, invalid-utf8, cut-mid-frame"):
            emulator.inject_media("any", "gremlins")
        with pytest.raises(EmulatorError, match="no stream"):
            emulator.inject_media("nonexistent", "flood")
