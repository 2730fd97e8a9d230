"""scripts/load --quick runs end to end: a smoke test of the script, not a timed test.

The full-size run (2,000 creates and 2,000 stops, 200 in flight; 200 media streams for
20 s) is `.venv/bin/python scripts/load`; here only outcomes are asserted, never speed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import ROOT


def test_load_quick_loses_nothing_and_leaves_nothing_open(tmp_path: Path) -> None:
    out = tmp_path / "load-results.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "load"), "--quick", "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout
    assert out.read_text() in table
    # One row of each in the REST table and one in the media table.
    assert table.count("| lost | 0 |") == 2, table
    assert table.count("| left open | 0 |") == 2, table
    assert "| failed | 0 (none) |" in table
    assert "| requests made | 80 |" in table and "| emulator's request count | 80 |" in table
    assert "| frames sent / received | 500 / 500 |" in table
    assert "| out of order | 0 |" in table and "| gaps | 0 |" in table
    assert "FAILED" not in table
    assert "api_token" not in table + result.stderr  # the emulator's settings stay in the pipe
