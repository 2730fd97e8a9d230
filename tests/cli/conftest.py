"""The command line's fixtures: credentials pointing at the test's emulator, and commands
started in the background (killed at the end of each test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from signalwire_streams.testing import Emulator

from tests.helpers.cli import Commands


@pytest.fixture
def creds(emulator: Emulator) -> dict[str, str]:
    """The environment `create` and `stop` read, pointing at the emulator."""
    return {
        "SIGNALWIRE_PROJECT_ID": emulator.project_id,
        "SIGNALWIRE_API_TOKEN": emulator.api_token,
        "SIGNALWIRE_SPACE": emulator.base_url,
    }


@pytest.fixture
def commands() -> Iterator[Commands]:
    started = Commands()
    try:
        yield started
    finally:
        started.close()
