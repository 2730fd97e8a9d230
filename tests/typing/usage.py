"""Checked by mypy --strict (tests/project/test_project.py): what users write must type-check."""

from __future__ import annotations

from datetime import datetime

from signalwire_streams import AsyncClient, Client, Stream, StreamStatus


def sync_usage(call_sid: str) -> datetime | None:
    with Client("project", "token", "example") as sw:
        stream: Stream = sw.streams.create(
            call_sid, "wss://example.com/a", track="inbound_track", parameters={"a": "b"}
        )
        stopped: Stream = sw.streams.stop(call_sid, stream.sid)
        conference: Stream = sw.conference_streams.create("CF1", "wss://x.example", codec="PCMU")
        assert conference.status in (StreamStatus.IN_PROGRESS, "paused")
        return stopped.date_updated


async def async_usage(call_sid: str) -> str:
    async with AsyncClient() as sw:
        stream: Stream = await sw.streams.create(call_sid, "wss://example.com/a")
        await sw.with_options(max_retries=0).streams.stop(call_sid, stream.sid)
        return stream.sid


async def retry_usage(call_sid: str) -> list[float]:
    from signalwire_streams.testing import Emulator, Fault

    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    with Emulator(media=False) as emulator:
        emulator.inject(Fault.drop_after_read(), count=1)
        async with AsyncClient(
            emulator.project_id, emulator.api_token, emulator.base_url, sleep=no_wait
        ) as sw:
            await sw.streams.create(call_sid, "wss://example.com/a", retry_ambiguous=True)
            await sw.streams.stop(call_sid, "name", max_retries=5)
    with Client("project", "token", "example", sleep=waits.append, retry_ambiguous=True) as sync:
        sync.streams.create(call_sid, "wss://example.com/a", max_retries=0)
    return waits


async def media_usage(token: str) -> dict[str, str]:
    from signalwire_streams import callbacks, media
    from signalwire_streams.testing import Emulator, LocalTLS

    parameters: dict[str, str] = {}

    async def handle(session: media.Session) -> None:
        async for event in session:
            if isinstance(event, media.Start):
                parameters.update(event.custom_parameters)
            elif isinstance(event, media.Media):
                pcm: bytes = media.decode_mulaw(event.payload)
                assert len(pcm) == 2 * len(event.payload)
        end: media.EndReason | None = session.end
        assert end in ("stop", "close")
        session.write_wav("call.wav")

    with LocalTLS() as tls:
        async with (
            media.serve(handle, ssl=tls.server_context(), bearer_token=token) as server,
            Emulator(ca_file=tls.ca_file, speed=10.0) as emulator,
        ):
            assert server.port > 0 and emulator.media is not None
    event = callbacks.parse_status_callback({"StreamSid": "S", "StreamEvent": "stream-started"})
    valid: bool = callbacks.validate_signature("key", "https://x.test/cb", {}, "sig")
    assert valid or event.event is callbacks.StreamEvent.STARTED
    return parameters
