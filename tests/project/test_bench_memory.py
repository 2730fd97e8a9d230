"""scripts/bench_memory: the README's memory table comes from a program that runs."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers.paths import ROOT


def test_the_memory_table_has_a_row_per_setting_and_records_to_disk() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_memory"), "--hours", "0.02"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == 4
    figures = {row.split("|")[1].strip(): row.split("|")[2:5] for row in rows}
    kept = {name: float(re.sub("[^0-9.]", "", cells[1])) for name, cells in figures.items()}
    assert kept["`Session()` (the default: nothing kept)"] == 0
    assert 0.9 < kept["`keep_audio=True` (the last minute)"] < 1.0  # 2 x 60 s x 8000 B
    disk = figures["`session.record(path)` / `serve(record_dir=)`"][2]
    assert disk.strip().startswith("110 MiB")  # 2 channels x 16 bits x 8 kHz x 3600 s
