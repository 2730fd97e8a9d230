"""`Emulator.client()`, `async_client()` and `environment()`: the package's clients pointed
at the emulator without copying its project, token and URL by hand."""

from __future__ import annotations

import pytest
from signalwire_streams import Client, StreamStatus
from signalwire_streams.testing import Emulator


def test_client_creates_and_stops_on_the_emulator() -> None:
    with Emulator(media=False) as emulator, emulator.client(max_retries=0) as sw:
        call = emulator.add_call()
        stream = sw.streams.create(call, "wss://rx.example.com/media", name="a")
        assert sw.streams.stop(call, "a").status is StreamStatus.STOPPED
        assert [r.sid for r in emulator.streams(call)] == [stream.sid]


async def test_async_client_creates_on_the_emulator() -> None:
    async with Emulator(media=False) as emulator, emulator.async_client() as sw:
        call = emulator.add_call()
        stream = await sw.streams.create(call, "wss://rx.example.com/media")
        assert emulator.streams(call)[0].sid == stream.sid


def test_the_environment_points_clients_made_from_it_at_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Emulator(media=False) as emulator:
        for name, value in emulator.environment().items():
            monkeypatch.setenv(name, value)
        call = emulator.add_call()
        with Client() as sw:  # nothing passed: all from the environment
            sw.streams.create(call, "wss://rx.example.com/media")
        assert len(emulator.streams(call)) == 1
