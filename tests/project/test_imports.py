"""`import signalwire_streams` is light: what loads, and when, in fresh interpreters.

The package loads its vocabulary (`Track`, `StreamStatus`) from the generated package's
small enum modules, nothing else of it. The clients (and with them httpx and the generated
client) load when first named, aiohttp with the first request of an `AsyncClient`, and the
media plane, callbacks, the emulator and the command line only when imported themselves.
These are behaviour checks on `sys.modules`; how long an import takes is measured by
scripts/bench, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import signalwire_streams

HEAVY = (
    "httpx",
    "httpcore",
    "attrs",
    "aiohttp",
    "websockets",
    "asyncio",
    "signalwire_streams_api.client",
    "signalwire_streams_api.api",
    "signalwire_streams_api.models.call_stream",
    "signalwire_streams.client",
    "signalwire_streams._core",
    "signalwire_streams.cli",
    "signalwire_streams.media",
    "signalwire_streams.callbacks",
    "signalwire_streams.testing",
)


def _loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_importing_the_package_loads_no_client_media_cli_or_generated_client() -> None:
    loaded = _loaded_after("import signalwire_streams")
    assert not {name for name in HEAVY if name in loaded}
    assert "signalwire_streams_api.models.track" in loaded  # the vocabulary is the spec's
    loaded = _loaded_after("from signalwire_streams import Stream, StreamStatus, SignalWireError")
    assert not {name for name in HEAVY if name in loaded}


def test_naming_a_client_loads_httpx_and_the_generated_client_but_no_asyncio() -> None:
    loaded = _loaded_after("from signalwire_streams import AsyncClient, Client")
    assert {"httpx", "signalwire_streams_api.client", "signalwire_streams._core"} <= loaded
    loaded = _loaded_after(
        "from signalwire_streams import Client\nClient('project', 'token', 'example').close()"
    )
    unexpected = {
        "aiohttp",
        "asyncio",
        "websockets",
        "signalwire_streams.media",
        "signalwire_streams.cli",
    }
    assert not unexpected & loaded


def test_aiohttp_loads_with_the_first_request_of_an_async_client() -> None:
    make = "from signalwire_streams import AsyncClient\nc = AsyncClient('p', 't', 'http://127.0.0.1:9')"
    assert "aiohttp" not in _loaded_after(make)
    loaded = _loaded_after(
        f"{make}\nimport asyncio\n"
        "async def main():\n"
        "    try:\n"
        "        await c.streams.create('CA1', 'wss://x.example.com', max_retries=0)\n"
        "    except Exception:\n"
        "        pass\n"
        "    await c.aclose()\n"
        "asyncio.run(main())"
    )
    assert "aiohttp" in loaded
    assert not {"websockets", "signalwire_streams.media"} & loaded


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in signalwire_streams.__all__:
        value = getattr(signalwire_streams, name)
        assert value is getattr(signalwire_streams, name)
    assert set(signalwire_streams.__all__) <= set(dir(signalwire_streams))
    assert signalwire_streams.DEFAULT_MAX_RETRIES == 2
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        signalwire_streams.Nope  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        exec("from signalwire_streams import Nope", {})


def test_star_import_gives_all() -> None:
    names = _loaded_after(
        "from signalwire_streams import *\n"
        "import signalwire_streams, sys\n"
        "missing = [n for n in signalwire_streams.__all__ if n not in globals()]\n"
        "assert not missing, missing"
    )
    assert "httpx" in names


def test_type_checkers_still_see_every_name_and_catch_a_misspelt_one(tmp_path: Path) -> None:
    """The lazy loading is hidden from mypy: it sees the real imports, so `Client` keeps its
    type and an unknown name is an error, not an `object`."""
    code = tmp_path / "names.py"
    code.write_text(
        "import signalwire_streams\n"
        "from signalwire_streams import DEFAULT_TIMEOUT, Client\n"
        "reveal_type(Client)\n"
        "reveal_type(DEFAULT_TIMEOUT)\n"
        "signalwire_streams.Cleint\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert 'names.py:3: note: Revealed type is "def (' in result.stdout, result.stdout
    assert 'names.py:4: note: Revealed type is "httpx._config.Timeout"' in result.stdout
    assert 'names.py:5: error: Module has no attribute "Cleint"' in result.stdout
