"""Fixtures shared across the test folders: a live emulator, one scenario run through either
client (`api`, an `Api` from tests/helpers/clients.py), certificates for a wss receiver
(`tls`), the hypothesis profiles, and no
SIGNALWIRE_* variable from a developer's environment.

A folder's own fixtures are in its conftest.py; shared helpers are in tests/helpers/.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest
from hypothesis import settings
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.clients import Api

# Hypothesis (the hostile-input tests; `examples(n)` is in tests/helpers/strategies.py). The
# default profile is deterministic, so that CI runs the same examples every time;
# HYPOTHESIS_PROFILE=explore searches ten times as far with fresh random examples on each
# run (a failure prints the seed and a blob to replay it).
settings.register_profile("default", derandomize=True, database=None, deadline=None)
settings.register_profile(
    "explore", max_examples=1000, derandomize=False, database=None, deadline=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# The command-line tests press Ctrl-C in the commands they start, as a user at a terminal
# does. A suite started in the background of a shell without job control (`pytest &`)
# ignores SIGINT, and its children would inherit that and shrug Ctrl-C off; with Python's
# own handler here, they start with the default, as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _no_signalwire_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real credentials must never leak into a test."""
    for name in (
        "SIGNALWIRE_PROJECT_ID",
        "SIGNALWIRE_API_TOKEN",
        "SIGNALWIRE_SPACE",
        "SIGNALWIRE_TIMEOUT",
        "SIGNALWIRE_MAX_RETRIES",
        "SIGNALWIRE_STREAM_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def tls() -> Iterator[LocalTLS]:
    """Certificates made on the spot for a wss receiver: one CA and one server certificate
    per test module."""
    with LocalTLS() as local:
        yield local


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(media=False) as emu:  # REST only: the example.com receivers do not exist
        yield emu


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
