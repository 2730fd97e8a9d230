"""Shared fixtures: a live emulator, and one scenario run through either client.

`api` is parametrised over the sync and the async client: a test written once against it
runs the same scenario through both, with the same assertions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from signalwire_streams import AsyncClient, Client
from signalwire_streams.testing import Emulator

WSS_URL = "wss://receiver.example.com/audio"


@pytest.fixture(autouse=True)
def _no_signalwire_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real credentials must never leak into a test."""
    for name in ("SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "SIGNALWIRE_SPACE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


class Api:
    """One client, sync or async, behind a single blocking `run`."""

    def __init__(self, mode: str, emulator: Emulator, runner: asyncio.Runner) -> None:
        self.mode = mode
        self.emulator = emulator
        self._runner = runner
        self._clients: list[Client | AsyncClient] = []
        self.client = self.make()

    def make(self, **options: Any) -> Client | AsyncClient:
        """A client of this mode on the emulator; keyword arguments override the defaults."""
        settings: dict[str, Any] = {
            "project_id": self.emulator.project_id,
            "api_token": self.emulator.api_token,
            "space": self.emulator.base_url,
            **options,
        }
        client = (Client if self.mode == "sync" else AsyncClient)(**settings)
        self._clients.append(client)
        return client

    def run(self, call: Callable[[Any], Any], client: Client | AsyncClient | None = None) -> Any:
        """`call(client)` and its result; awaited on a loop kept for the test when async."""
        result = call(client or self.client)
        if self.mode == "async":
            assert isinstance(result, Awaitable)
            return self._runner.run(_awaited(result))
        return result

    def close(self) -> None:
        for client in self._clients:
            if isinstance(client, AsyncClient):
                self._runner.run(client.aclose())
            else:
                client.close()


async def _awaited(result: Awaitable[Any]) -> Any:
    return await result


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, emulator: Emulator) -> Iterator[Api]:
    with asyncio.Runner() as runner:
        api = Api(request.param, emulator, runner)
        try:
            yield api
        finally:
            api.close()
