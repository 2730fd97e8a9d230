"""The benchmark and load programs start: every entry point answers --help, offline and fast.

scripts/bench, scripts/bench_media and scripts/load are thin entry points into bench/, and
the child processes they start are modules run as `python -m bench.…`. A broken import or
argument parser in any of them shows here, without running a benchmark
(test_load_script.py runs scripts/load --quick end to end).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

# Each script's flags, as the README uses them.
SCRIPTS = {
    "bench": ["--quick", "--out", "--calls", "--repeats"],
    "bench_media": [
        "--quick",
        "--streams",
        "--seconds",
        "--generators",
        "--transport",
        "--receivers",
        "--workers",
        "--repeats",
        "--json",
        "--check",
    ],
    "load": ["--quick", "--rest-only", "--media-only", "--calls", "--streams", "--seconds"],
}
# The programs' modules and the children they start.
MODULES = [
    "bench.rest",
    "bench.media",
    "bench.load",
    "bench._canned",
    "bench._generator",
    "bench._ours",
    "bench._floor",
    "bench._emulator_process",
]


def _help(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [*command, "--help"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(cwd.iterdir()), "--help wrote a file"
    return result.stdout


@pytest.mark.parametrize(("script", "flags"), SCRIPTS.items())
def test_script_help_from_any_folder(script: str, flags: list[str], tmp_path: Path) -> None:
    text = _help([sys.executable, str(ROOT / "scripts" / script)], tmp_path)
    assert text.startswith(f"usage: {script} ")
    for flag in flags:
        assert flag in text


@pytest.mark.parametrize("module", MODULES)
def test_module_help(module: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    assert _help([sys.executable, "-m", module], tmp_path, env).startswith("usage: ")
