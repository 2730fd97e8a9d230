"""scripts/load_talkback: bidirectional streams echo their callers, and every check holds."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.paths import ROOT


def test_a_small_talk_back_load_loses_nothing_and_marks_come_back_in_order() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "load_talkback"),
            "--streams",
            "5",
            "--seconds",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    checks = [line for line in result.stdout.splitlines() if line.endswith("| ok |")]
    assert len(checks) == 7 and "FAILED" not in result.stdout
    assert "| bidirectional streams, echo time | 5, 1 s |" in result.stdout
