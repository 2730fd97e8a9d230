"""Checked by mypy --strict (tests/test_project.py): what users write must type-check."""

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
