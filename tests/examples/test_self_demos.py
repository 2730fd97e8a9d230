"""Each example runs as its docstring says, `python examples/NAME.py`: a self-demo against
the emulator, offline, that ends well and shows what it did. Each has its own tests beside
this module, on the parts a real deployment uses."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

EXAMPLES = ROOT / "examples"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# What each self-demo prints, a pattern per line that must be there.
SHOWN = {
    "asgi_receiver": [rf"stream {UUID} of call {UUID}: [1-9]\d* frames, .*ended by stop"],
    "cxml_webhook": [rf"call {UUID} from \+15551230000: [1-9]\d* frames"],
    "recorder": [rf"call {UUID}: [1-9]\d* frames in recordings/{UUID}\.wav"] * 2,
    "status_callbacks": [
        rf"stream-started: stream {UUID} of call {UUID}$",
        rf"stream-stopped: stream {UUID} of call {UUID}$",
        rf"stream-error: stream {UUID} of call {UUID} \(connection_refused\w*\)$",
    ],
    "voice_agent": [
        "the caller heard the answer to utterance 1",
        "the caller heard the answer to utterance 2",
        "the caller heard the answer to key 5",
        r"the call heard [1-9][\d.]* s of prompts",
    ],
}


def test_every_example_is_run_here() -> None:
    found = {path.stem for path in EXAMPLES.glob("*.py")} - {"__init__"}
    assert found == set(SHOWN)


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_the_docstring_says_what_it_shows_and_how_to_run_it(name: str) -> None:
    docstring = ast.get_docstring(ast.parse((EXAMPLES / f"{name}.py").read_text()))
    assert docstring is not None and len(docstring.splitlines()) >= 3
    assert f"python examples/{name}.py" in docstring


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_the_self_demo_runs(name: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    command = [sys.executable, str(EXAMPLES / f"{name}.py")]
    if name == "recorder":
        command.append("recordings")
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    shown = result.stdout + result.stderr
    assert result.returncode == 0 and "Traceback" not in shown, shown
    lines = result.stdout.splitlines()
    for pattern in SHOWN[name]:  # each on a line of its own
        line = next((line for line in lines if re.search(pattern, line)), None)
        assert line is not None, f"{pattern!r} not in\n{shown}"
        lines.remove(line)
    if name == "recorder":
        wavs = sorted((tmp_path / "recordings").glob("*.wav"))
        assert len(wavs) == 2 and all(str(wav.relative_to(tmp_path)) in shown for wav in wavs)
        for path in wavs:
            with wave.open(str(path)) as wav:  # both tracks: a channel each
                assert wav.getnchannels() == 2 and wav.getnframes() > 0
