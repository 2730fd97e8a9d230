"""One scenario through either client, and the WebSocket URL the tests stream to.

`Api` is what the `api` fixture (tests/conftest.py) yields, parametrised over the sync and
the async client: a test written once against it runs the same scenario through both, with
the same assertions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from signalwire_streams import AsyncClient, Client
from signalwire_streams.testing import Emulator

WSS_URL = "wss://receiver.example.com/audio"


class Api:
    """One client, sync or async, behind a single blocking `run`."""

    def __init__(
        self,
        mode: str,
        runner: asyncio.Runner,
        settings: dict[str, Any],
        emulator: Emulator | None = None,
    ) -> None:
        self.mode = mode
        self._runner = runner
        self._settings = settings
        self._emulator = emulator
        self._clients: list[Client | AsyncClient] = []
        self.client = self.make()

    @property
    def emulator(self) -> Emulator:
        assert self._emulator is not None, "no emulator: this scenario replays recorded traffic"
        return self._emulator

    def make(self, **options: Any) -> Client | AsyncClient:
        """A client of this mode; keyword arguments override the settings."""
        settings = {**self._settings, **options}
        client = (Client if self.mode == "sync" else AsyncClient)(**settings)
        self._clients.append(client)
        return client

    def sleep_recorder(self) -> tuple[list[float], Callable[[float], Any]]:
        """A `sleep=` for this mode's client that records each wait instead of waiting."""
        sleeps: list[float] = []
        if self.mode == "sync":
            return sleeps, sleeps.append

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)

        return sleeps, sleep

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
