"""The emulator tells what happens: `events` and `on_event`, and a stream whose WebSocket
fails is `stopped` in REST, as SignalWire can no longer stream it.

Real receivers on loopback (`media.serve` over TLS), and real refusals: a closed port, a
certificate the emulator does not trust, a wrong bearer token.
"""

from __future__ import annotations

import asyncio

from signalwire_streams import media
from signalwire_streams.testing import Emulator, EmulatorEvent, LocalTLS

from tests.helpers.receivers import SPEED, TOKEN, eventually

NOWHERE = "wss://127.0.0.1:9/media"  # nothing listens on the discard port


def kinds(emulator: Emulator, sid: str) -> list[str]:
    return [event.kind for event in emulator.events if event.stream_sid == sid]


async def until_stopped(emulator: Emulator, call: str) -> None:
    await eventually(lambda: emulator.streams(call)[0].status == "stopped")


async def test_a_refused_connection_is_told_and_the_stream_stops() -> None:
    heard: list[EmulatorEvent] = []
    async with Emulator(on_event=heard.append) as emulator, emulator.async_client() as sw:
        call = emulator.add_call()
        hook = "http://127.0.0.1:9/hook"
        stream = await sw.streams.create(call, NOWHERE, name="asr", status_callback=hook)
        await until_stopped(emulator, call)
        await eventually(lambda: "callback" in kinds(emulator, stream.sid))
        assert (await sw.streams.stop(call, "asr")).status == "stopped"  # idempotent
    assert kinds(emulator, stream.sid) == ["created", "refused", "callback"]
    created, refused, callback = emulator.events
    assert "named 'asr'" in created.detail and NOWHERE in created.detail
    assert (
        refused.detail == f"{NOWHERE}: connection refused: is the receiver running, on that port?"
    )
    assert callback.detail.startswith("stream-error POST http://127.0.0.1:9/hook: failed: ")
    assert heard == emulator.events  # the listener was told of each, in order
    assert str(refused).startswith(f"refused   {stream.sid}  ")


async def test_a_receiver_refusing_the_bearer_token_is_told_without_the_token(
    tls: LocalTLS,
) -> None:
    async def handle(session: media.Session) -> None:
        await session.collect()

    async with (
        media.serve(handle, ssl=tls.server_context(), bearer_token=TOKEN) as rx,
        Emulator(ca_file=tls.ca_file) as emulator,
        emulator.async_client() as sw,
    ):
        call = emulator.add_call()
        wrong = "not-the-token-Zq81"
        stream = await sw.streams.create(call, f"{rx.url}/m", authorization_bearer_token=wrong)
        await until_stopped(emulator, call)
    (refused,) = [e for e in emulator.events if e.kind == "refused"]
    assert refused.stream_sid == stream.sid
    assert refused.detail.endswith("the receiver answered 401: it refused the bearer token")
    assert all(wrong not in str(event) and TOKEN not in str(event) for event in emulator.events)


async def test_a_certificate_the_emulator_does_not_trust_is_told(tls: LocalTLS) -> None:
    async def handle(session: media.Session) -> None:
        await session.collect()

    async with media.serve(handle, ssl=tls.server_context()) as rx, Emulator() as emulator:
        call = emulator.add_call()
        async with emulator.async_client() as sw:
            await sw.streams.create(call, f"{rx.url}/m")
        await until_stopped(emulator, call)
    (refused,) = [e for e in emulator.events if e.kind == "refused"]
    assert "TLS: the certificate is not trusted: unable to get local issuer" in refused.detail
    assert "ca_file" in refused.detail


async def test_a_stream_that_runs_is_told_from_creation_to_close(tls: LocalTLS) -> None:
    closing: list[media.Session] = []

    async def handle(session: media.Session) -> None:
        closing.append(session)
        await session.collect()

    async with (
        media.serve(handle, ssl=tls.server_context()) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
        emulator.async_client() as sw,
    ):
        call = emulator.add_call()
        hook = f"{rx.url.replace('wss://', 'http://')}/nothing-here"
        stream = await sw.streams.create(call, f"{rx.url}/m", status_callback=hook)
        await eventually(lambda: bool(closing) and closing[0].frames > 10)
        await sw.streams.stop(call, stream.sid)
        await eventually(lambda: kinds(emulator, stream.sid).count("callback") == 2)
    assert kinds(emulator, stream.sid)[:2] == ["created", "connected"]
    assert {"stopped", "closed"} <= set(kinds(emulator, stream.sid))
    events = {e.kind: e.detail for e in emulator.events if e.kind in ("stopped", "closed")}
    assert events == {
        "stopped": "by a REST stop",
        "closed": "stop sent, connection closed (close code 1000)",
    }


async def test_a_receiver_that_hangs_up_stops_the_stream(tls: LocalTLS) -> None:
    async def hang_up(session: media.Session) -> None:
        await session.wait_for_start(timeout=10)  # returning closes the connection

    async with (
        media.serve(hang_up, ssl=tls.server_context()) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
    ):
        call = emulator.add_call()
        async with emulator.async_client() as sw:
            stream = await sw.streams.create(call, f"{rx.url}/m")
        await until_stopped(emulator, call)
        await asyncio.sleep(0)
    closed = [e.detail for e in emulator.events if e.kind == "closed"]
    # 1006 when the receiver's TLS layer resets the connection before its close frame is read
    assert closed in (
        ["closed by the receiver (close code 1000)"],
        ["closed by the receiver (close code 1006)"],
    )
    assert emulator.media(stream.sid).end == "receiver-closed"


def test_ending_a_call_is_told_as_the_reason() -> None:
    with Emulator(media=False) as emulator:
        call = emulator.add_call()
        with emulator.client() as sw:
            stream = sw.streams.create(call, NOWHERE)
        emulator.end_call(call)
    assert [(e.kind, e.detail) for e in emulator.events][-1] == ("stopped", "its call ended")
    assert emulator.events[-1].stream_sid == stream.sid
