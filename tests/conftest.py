"""Shared fixtures: a live emulator, and one scenario run through either client.

`api` is parametrised over the sync and the async client: a test written once against it
runs the same scenario through both, with the same assertions.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings
from signalwire_streams import AsyncClient, Client
from signalwire_streams.testing import Emulator

WSS_URL = "wss://receiver.example.com/audio"

# Hypothesis (tests/test_hostile_*.py). The default profile is deterministic, so that CI runs
# the same examples every time; HYPOTHESIS_PROFILE=explore searches ten times as far with
# fresh random examples on each run (a failure prints the seed and a blob to replay it).
settings.register_profile("default", derandomize=True, database=None, deadline=None)
settings.register_profile(
    "explore", max_examples=1000, derandomize=False, database=None, deadline=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def examples(n: int) -> settings:
    """`n` examples under the default profile (100 per test), scaled with the loaded one."""
    return settings(max_examples=max(1, n * settings.default.max_examples // 100))


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


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, emulator: Emulator) -> Iterator[Api]:
    with asyncio.Runner() as runner:
        settings = {
            "project_id": emulator.project_id,
            "api_token": emulator.api_token,
            "space": emulator.base_url,
        }
        api = Api(request.param, runner, settings, emulator)
        try:
            yield api
        finally:
            api.close()
