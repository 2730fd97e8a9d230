"""Every ```python block of README.md runs as written: each is run here, in a subprocess.

A block is a whole program; one whose code defines `test_*` functions is a pytest module,
and is run by pytest. A block that needs something from the environment says so in its
first line, `# needs: …`, naming each variable it reads. The variables this suite can give
are pointed at an emulator: a Space's `SIGNALWIRE_*`, `CALL_SID` (a live call),
`CONFERENCE_SID` (a live conference) and `WS_TOKEN`. Every block runs in an empty folder
with no `SIGNALWIRE_*` variable but those it names, and must exit 0 with no traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from signalwire_streams.testing import Emulator

from tests.helpers.paths import README

NEEDS = "# needs:"
# What a block may name in its `# needs:` line: a Space's variables, which are the
# emulator's own (`emulator.environment()`), and these, made for the block.
SPACE = (
    "SIGNALWIRE_PROJECT_ID",
    "SIGNALWIRE_API_TOKEN",
    "SIGNALWIRE_SPACE",
    "SIGNALWIRE_SIGNING_KEY",
)
MADE: dict[str, Callable[[Emulator], str]] = {
    "CALL_SID": lambda emulator: emulator.add_call(),
    "CONFERENCE_SID": lambda emulator: emulator.add_conference(),
    "WS_TOKEN": lambda emulator: "ws-token-for-the-readme",
}
GIVEN = {*SPACE, *MADE}
_TESTS = re.compile(r"^(?:async )?def test_", re.MULTILINE)
_READS = re.compile(r"""os\.(?:environ\[|environ\.get\(|getenv\()\s*["']([A-Z0-9_]+)["']""")


@dataclass(frozen=True)
class Block:
    line: int  # where its code begins in README.md
    code: str

    @property
    def needs(self) -> list[str]:
        """The variables its `# needs:` line names (none without one)."""
        first = self.code.splitlines()[0]
        if not first.startswith(NEEDS):
            return []
        return re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", first)

    @property
    def is_pytest_module(self) -> bool:
        return _TESTS.search(self.code) is not None

    def head(self) -> str:
        return "\n".join(self.code.splitlines()[:4])


def python_blocks(text: str) -> list[Block]:
    """Each ```python block, indented ones (in a list item) dedented."""
    blocks = []
    for match in re.finditer(r"^( *)```python\n(.*?)^\1```$", text, re.DOTALL | re.MULTILINE):
        line = text.count("\n", 0, match.start()) + 2
        blocks.append(Block(line, textwrap.dedent(match.group(2))))
    return blocks


BLOCKS = python_blocks(README.read_text())


def test_the_readme_has_the_blocks_this_suite_runs() -> None:
    """A change to the fence syntax must not leave this suite running nothing."""
    fences = README.read_text().count("```python\n")
    assert len(BLOCKS) == fences and fences >= 10
    assert any(block.needs for block in BLOCKS)
    assert any(block.is_pytest_module for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{block.line}" for block in BLOCKS])
def test_a_block_says_what_it_reads(block: Block) -> None:
    """Every variable a block reads is named in its `# needs:` line, and the suite can give
    each one; the line, when there is one, comes first."""
    assert NEEDS not in block.code.partition("\n")[2], f"`{NEEDS}` is not the first line"
    read = set(_READS.findall(block.code))
    assert read <= set(block.needs), f"{sorted(read - set(block.needs))} not named"
    assert set(block.needs) <= GIVEN, f"the suite cannot give {block.needs}"


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{block.line}" for block in BLOCKS])
def test_a_block_runs_as_written(block: Block, tmp_path: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SIGNALWIRE_") and name not in GIVEN
    }
    # media=False: a Space-needing block streams to wss://ai.example.com, never reached here.
    with Emulator(media=False) as emulator:
        space = emulator.environment()
        env |= {
            name: space[name] if name in SPACE else MADE[name](emulator) for name in block.needs
        }
        result = _run(block, tmp_path, env)
        requests = emulator.requests
    shown = f"README.md line {block.line}:\n{block.head()}\n---\n{result.stdout}{result.stderr}"
    assert result.returncode == 0, shown
    assert "Traceback" not in result.stdout + result.stderr, shown
    if block.is_pytest_module:
        tests = len(_TESTS.findall(block.code))
        assert f"{tests} passed" in result.stdout and "skipped" not in result.stdout, shown
    if any(name.startswith("SIGNALWIRE_") for name in block.needs):
        # It reached the Space the variables point at, and everything it asked succeeded.
        assert requests and all(r.status is not None and r.status < 300 for r in requests), shown


def _run(block: Block, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if block.is_pytest_module:
        path = folder / "test_readme_block.py"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path.name]
    else:
        path = folder / "readme_block.py"
        command = [sys.executable, path.name]
    path.write_text(block.code)
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
