"""The emulator folder's fixtures: certificates made on the spot for a wss receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from signalwire_streams.testing import LocalTLS


@pytest.fixture(scope="module")
def tls() -> Iterator[LocalTLS]:
    """One certificate authority and server certificate per test module."""
    with LocalTLS() as local:
        yield local
