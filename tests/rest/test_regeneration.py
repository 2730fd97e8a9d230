"""A spec change reaches users through `scripts/regenerate` alone.

The test edits a copy of the spec the way SignalWire might change its API (a new Track value
and a new StreamCodec value), generates from it into a temporary folder with the project's
own script, and puts that generated package in front of the repository's. The facade,
unedited, must then send both new values on the wire, list them among the command line's
choices, and accept them under `mypy --strict`, since its vocabulary is the generated one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.helpers.paths import ROOT
from tests.helpers.peers import CALL, PROJECT, Peer

NEW_TRACK = "mixed_track"
NEW_CODEC = "L16@48000h"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `signalwire_streams_api` generated from the edited spec."""
    folder = tmp_path_factory.mktemp("regenerated")
    spec = yaml.safe_load((ROOT / "openapi" / "streams.yaml").read_text())
    schemas = spec["components"]["schemas"]
    schemas["Track"]["enum"].append(NEW_TRACK)
    schemas["StreamCodec"]["enum"].append(NEW_CODEC)
    edited = folder / "streams.yaml"
    edited.write_text(yaml.safe_dump(spec, sort_keys=False))
    regenerate = [sys.executable, str(ROOT / "scripts" / "regenerate"), "--spec", str(edited)]
    result = subprocess.run(
        [*regenerate, "--output", str(folder / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "out"


def _environment(generated: Path) -> dict[str, str]:
    """Python with the regenerated package ahead of the repository's (the facade is the
    repository's own, unedited)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(generated), str(ROOT)])
    return env


@pytest.fixture
def peer() -> Iterator[Peer]:
    server = Peer("ok")
    yield server
    server.close()


def test_the_regenerated_package_is_the_one_imported(generated: Path) -> None:
    code = "import signalwire_streams_api; print(signalwire_streams_api.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_environment(generated), capture_output=True, text=True
    )
    assert result.stdout.strip().startswith(str(generated)), result.stdout + result.stderr


def test_the_unedited_facade_sends_the_new_values(generated: Path, peer: Peer) -> None:
    program = textwrap.dedent(
        f"""
        from signalwire_streams import Client
        with Client({PROJECT!r}, "token", {peer.url!r}) as client:
            client.streams.create({CALL!r}, "wss://x.example.com/a", track={NEW_TRACK!r})
            client.conference_streams.create(
                {CALL!r}, "wss://x.example.com/b", track={NEW_TRACK!r}, codec={NEW_CODEC!r}
            )
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=_environment(generated),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    bodies = [raw.partition(b"\r\n\r\n")[2].decode() for raw in peer.requests]
    assert f"Track={NEW_TRACK}" in bodies[0].split("&")
    assert f"Track={NEW_TRACK}" in bodies[1].split("&")
    assert "StreamCodec=L16%4048000h" in bodies[1].split("&")


def test_the_command_line_offers_the_new_values(generated: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "signalwire_streams", "create", "--help"],
        env=_environment(generated),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert NEW_TRACK in result.stdout and NEW_CODEC in result.stdout


def test_mypy_accepts_the_new_values_and_the_facade_still_passes(
    generated: Path, tmp_path: Path
) -> None:
    program = tmp_path / "uses_new_values.py"
    program.write_text(
        textwrap.dedent(
            f"""
            from signalwire_streams import Client, Codec, Track

            track: Track = {NEW_TRACK!r}
            codec: Codec = {NEW_CODEC!r}

            def start(client: Client, call_sid: str) -> None:
                client.streams.create(call_sid, "wss://x.example.com", track=track)
                client.conference_streams.create(call_sid, "wss://x.example.com", codec=codec)
            """
        )
    )
    env = _environment(generated)
    env["MYPYPATH"] = os.pathsep.join([str(generated), str(ROOT / "facade")])
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    command += ["--config-file", os.devnull, "--cache-dir", str(tmp_path / "cache")]
    command += [str(program), str(ROOT / "facade" / "signalwire_streams")]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The same program against the repository's own generated code must fail: the new
    # values are not in today's spec, so the test above proves something.
    env["MYPYPATH"] = os.pathsep.join([str(ROOT / "generated"), str(ROOT / "facade")])
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert result.returncode == 1, result.stdout
    assert json.dumps(NEW_TRACK) in result.stdout.replace("'", '"')
