"""`demo`, the first thing a user runs: offline, over TLS, ending in a playable WAV."""

from __future__ import annotations

import logging
import re
import secrets
import uuid
import wave
from pathlib import Path

import pytest
from signalwire_streams.cli import main

from tests.helpers.cli import run_cli

WSS = "wss://receiver.example.com/audio"


def test_demo_runs_the_whole_loop_and_writes_a_wav_of_the_asked_length(tmp_path: Path) -> None:
    """`demo` is the first thing a user runs: offline, over TLS, ending in a playable WAV."""
    wav_path = tmp_path / "out" / "demo.wav"
    wav_path.parent.mkdir()
    result = run_cli("demo", "--seconds", "1", "--out", str(wav_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"receiver\s+wss://127\.0\.0\.1:\d+/media", out)
    assert re.search(r"^   \S+ in-progress$", out, re.MULTILINE)
    assert re.search(r"^   \S+ stopped$", out, re.MULTILINE)
    summary = dict(
        re.findall(
            r"^   (frames|audio|gaps|parameters|callbacks|ended by)\s+(.*)$", out, re.MULTILINE
        )
    )
    assert summary["gaps"] == "0"
    assert summary["parameters"] == "customer=42, lang=en-US"
    assert summary["callbacks"] == "stream-started, stream-stopped (all signatures valid)"
    assert summary["ended by"] == "stop"
    with wave.open(str(wav_path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
        seconds = wav.getnframes() / 8000
    # The demo stops once 1 s has arrived; a frame or two may land before the stop does.
    assert 1.0 <= seconds <= 1.1
    assert "inbound" in summary["audio"] and f"{seconds:.2f} s" in summary["audio"]
    # The voice agent: three utterances and a key answered, heard by the call as sent.
    agent_path = wav_path.with_name("demo-agent.wav")
    agent = dict(re.findall(r"^   (replies|call heard|marks back)\s+(.*)$", out, re.MULTILINE))
    assert agent["replies"] == "utterance 1, utterance 2, utterance 3, key 7"
    assert agent["call heard"] == "1.60 s of the agent's audio (every byte, in order)"
    assert agent["marks back"] == "4"
    caller, heard = loud_spans(agent_path)
    assert len(caller) == 3 and len(heard) == 4
    for (_, said), (answer, _) in zip(caller, heard, strict=False):
        assert said < answer < said + 0.5  # each answer after its utterance, at once
    # The bearer token and the signing key are random url-safe strings of 32 characters.
    without_sids = re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "",
        out.replace(str(wav_path), "").replace(str(agent_path), ""),
    )
    assert re.search(r"[A-Za-z0-9_-]{24}", without_sids) is None
    assert result.stderr == ""


def loud_spans(path: Path) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """When each channel of a stereo 8 kHz WAV is loud: (start, end) seconds, per 20 ms."""
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)
        frames = wav.readframes(wav.getnframes())
    samples = memoryview(frames).cast("h")
    spans: list[list[tuple[float, float]]] = [[], []]
    for channel in (0, 1):
        values = samples[channel::2]
        start = None
        for at in range(0, len(values), 160):
            loud = max(abs(v) for v in values[at : at + 160]) > 600
            if loud and start is None:
                start = at
            elif not loud and start is not None:
                spans[channel].append((start / 8000, at / 8000))
                start = None
    return spans[0], spans[1]


def test_demo_refuses_a_silly_duration_before_starting_anything(tmp_path: Path) -> None:
    result = run_cli("demo", "--seconds", "0", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2
    assert "--seconds" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.wav").exists()


def test_no_secret_in_the_demo_at_debug(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """The demo makes its own API token, bearer token and signing key: made known here."""
    made: list[str] = []

    def known_secret(nbytes: int | None = None) -> str:
        made.append(f"FAKE-demo-secret-{len(made)}-{uuid.uuid4().hex}")
        return made[-1]

    monkeypatch.setattr(secrets, "token_urlsafe", known_secret)
    caplog.set_level(logging.DEBUG)
    try:
        assert main(["-vv", "demo", "--seconds", "0.5", "--out", str(tmp_path / "d.wav")]) == 0
    finally:
        logging.getLogger("signalwire_streams").setLevel(logging.NOTSET)  # -vv set it
    out, err = capsys.readouterr()
    assert len(made) >= 3 and "gaps" in out
    texts = [out, err, caplog.text] + [repr(r.__dict__) for r in caplog.records]
    for secret in made:
        assert not [text for text in texts if secret in text]
