"""Project guarantees: generated/ is current, the facade type-checks, the public API is stable."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import signalwire_streams
import signalwire_streams.testing

from tests.helpers.paths import ROOT

STATUS_ERRORS = (
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "ServerError",
)


def _run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_generated_code_matches_the_spec() -> None:
    result = _run(sys.executable, "scripts/regenerate", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_passes_the_pinned_ruff() -> None:
    """Lint and format, as committed: scripts are named since they have no .py suffix."""
    scripts = [str(path) for path in (ROOT / "scripts").iterdir() if path.is_file()]
    lint = _run(sys.executable, "-m", "ruff", "check", ".", *scripts)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    form = _run(
        sys.executable,
        "-m",
        "ruff",
        "format",
        "--check",
        "facade",
        "tests",
        "bench",
        "examples",
        *scripts,
    )
    assert form.returncode == 0, form.stdout + form.stderr


def test_facade_passes_mypy_strict() -> None:
    result = _run(sys.executable, "-m", "mypy", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr


def test_user_code_type_checks_and_mistakes_are_caught(tmp_path: Path) -> None:
    result = _run(sys.executable, "-m", "mypy", "--strict", "tests/typing/usage.py")
    assert result.returncode == 0, result.stdout + result.stderr
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "from signalwire_streams import AsyncClient, Client, Stream\n"
        "Client().streams.create('CA1', 'wss://x.example', track='inbound')\n"
        "async def f() -> None:\n"
        "    s: Stream = AsyncClient().streams.create('CA1', 'wss://x.example')\n"
    )
    result = _run(sys.executable, "-m", "mypy", "--strict", str(wrong))
    assert result.returncode == 1
    assert "wrong.py:2: error" in result.stdout and "wrong.py:4: error" in result.stdout


def test_public_names_are_exactly_all() -> None:
    # dir(), not vars(): the clients and the defaults load on first use (PEP 562).
    public = {name for name in dir(signalwire_streams) if not name.startswith("_")}
    modules = {"callbacks", "cli", "cxml", "media", "testing"}
    assert public - modules == set(signalwire_streams.__all__) - {"__version__"}
    expected = {
        "Client",
        "AsyncClient",
        "Stream",
        "StreamStatus",
        "SignalWireError",
        "ValidationError",
        "APIConnectionError",
        "APITimeoutError",
        "APIResponseError",
        "APIStatusError",
        *STATUS_ERRORS,
    }
    assert expected <= set(signalwire_streams.__all__)
    for name in signalwire_streams.__all__:
        assert getattr(signalwire_streams, name) is not None
    assert set(signalwire_streams.testing.__all__) >= {"Emulator", "RecordedRequest"}


def test_error_tree() -> None:
    s = signalwire_streams
    assert issubclass(s.ValidationError, s.SignalWireError)
    assert issubclass(s.ValidationError, ValueError)
    assert issubclass(s.APITimeoutError, s.APIConnectionError)
    for name in STATUS_ERRORS:
        assert issubclass(getattr(s, name), s.APIStatusError)
    for name in ("APIConnectionError", "APIResponseError", "APIStatusError"):
        assert issubclass(getattr(s, name), s.SignalWireError)


def test_wheel_ships_both_packages_and_py_typed(tmp_path: Path) -> None:
    result = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(tmp_path),
        str(ROOT),
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("signalwire_streams-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "signalwire_streams/py.typed" in names
    assert "signalwire_streams/testing/_emulator.py" in names
    assert "signalwire_streams_api/api/default/create_call_stream.py" in names
    assert "signalwire_streams_api/py.typed" in names
    assert not any(name.startswith(("tests/", "scripts/", "openapi/")) for name in names)
    info = f"signalwire_streams-{signalwire_streams.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata


def test_sdist_ships_the_license_and_the_changelog(tmp_path: Path) -> None:
    result = _run(sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = tmp_path.glob("signalwire_streams-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.partition("/")[2] for name in archive.getnames()}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= names
    assert "facade/signalwire_streams/__init__.py" in names
    assert not any(name.startswith(("tests/", "scripts/", "bench/")) for name in names)
