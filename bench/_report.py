"""What the programs' reports share: the command as run, check verdicts, and the files.

Each program prints a Markdown report and writes it to --out; bench.media also writes its
figures as JSON (--json), which is how bench.load reads the media run it started.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

__all__ = ["Check", "all_passed", "command_line", "verdicts", "write_json", "write_text"]

Check = tuple[str, bool]
"""What was checked, in words, and whether it held."""


def command_line(script: str, argv: Sequence[str]) -> str:
    """The run as the reader would type it again, e.g. `scripts/load --quick`."""
    return " ".join([script, *argv])


def verdicts(checks: Iterable[Check]) -> list[str]:
    """One Markdown row per check: `| what | ok |` or `| what | FAILED |`."""
    return [f"| {what} | {'ok' if passed else 'FAILED'} |" for what, passed in checks]


def all_passed(checks: Iterable[Check]) -> bool:
    return all(passed for _, passed in checks)


def write_text(path: Path, text: str) -> None:
    """Write a report, making its folder if need be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def write_json(path: Path, data: Mapping[str, object]) -> None:
    """Write figures as indented JSON, one trailing newline."""
    path.write_text(json.dumps(data, indent=2) + "\n")
