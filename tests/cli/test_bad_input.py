"""Bad input to `demo`, `emulator`, `receive` and `cert`: a message that names the flag, the
file or the variable, exit code 2, and no traceback, before any work starts.

(`create` and `stop` have their own table in test_remote.py, next to the emulator they
talk to.)
"""

from __future__ import annotations

import importlib.util
import socket
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from signalwire_streams.cli import main
from signalwire_streams.testing import LocalTLS

from tests.helpers.cli import assert_never_printed, assert_one_clean_error, run_cli

TOKEN = "FAKE-stream-token-3c2b1a"


def _wav(path: Path, *, width: int = 2, channels: int = 1, frames: int = 160) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setsampwidth(width)
        wav.setnchannels(channels)
        wav.setframerate(8000)
        wav.writeframes(bytes(width * channels * frames))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Every kind of wrong file a user could pass, and a good certificate pair."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "not.wav").write_bytes(b"RIFF nonsense")
    (folder / "text.pem").write_text("not a certificate\n")
    (folder / "a-file").write_text("x")
    _wav(folder / "eight.wav", width=1)
    _wav(folder / "three.wav", channels=3)
    _wav(folder / "empty.wav", frames=0)
    with LocalTLS() as tls, LocalTLS() as other:
        key = serialization.load_pem_private_key(tls.key_file.read_bytes(), None)
        (folder / "encrypted.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"a passphrase"),
            )
        )
        (folder / "cert.pem").write_bytes(tls.cert_file.read_bytes())
        (folder / "key.pem").write_bytes(tls.key_file.read_bytes())
        (folder / "other-key.pem").write_bytes(other.key_file.read_bytes())
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (folder / "full" / name).parent.mkdir(exist_ok=True)
        (folder / "full" / name).write_text("keep me")
    yield {"dir": str(folder)}


RECEIVE = ["receive", "--port", "0", "--cert", "{dir}/cert.pem", "--key", "{dir}/key.pem"]

# (id, arguments with {dir} the folder of `files`, what stderr must say)
CASES = [
    # demo: --out is checked before the emulator starts
    ("demo-out-no-folder", ["demo", "--out", "/nonexistent/x.wav"], ["error: --out: cannot write /nonexistent/x.wav: the folder /nonexistent does not exist"]),
    ("demo-out-is-folder", ["demo", "--out", "{dir}"], ["error: --out: {dir} is a folder"]),
    ("demo-out-under-file", ["demo", "--out", "{dir}/a-file/x.wav"], ["error: --out:", "{dir}/a-file does not exist"]),
    ("demo-seconds-zero", ["demo", "--seconds", "0"], ["argument --seconds: must be a number more than 0 and at most 600 s, not '0'"]),
    ("demo-seconds-negative", ["demo", "--seconds", "-1"], ["argument --seconds:"]),
    ("demo-seconds-nan", ["demo", "--seconds", "nan"], ["argument --seconds:"]),
    ("demo-seconds-long", ["demo", "--seconds", "601"], ["argument --seconds:"]),
    ("demo-seconds-word", ["demo", "--seconds", "three"], ["argument --seconds:", "'three'"]),
    # emulator
    ("emulator-port-high", ["emulator", "--port", "99999"], ["argument --port: must be a port number from 0 to 65535 (0: a free one), not '99999'"]),
    ("emulator-port-negative", ["emulator", "--port", "-5"], ["argument --port:", "'-5'"]),
    ("emulator-port-word", ["emulator", "--port", "http"], ["argument --port:"]),
    ("emulator-speed-zero", ["emulator", "--speed", "0"], ["argument --speed: must be a number more than 0"]),
    ("emulator-speed-inf", ["emulator", "--speed", "inf"], ["argument --speed:"]),
    ("emulator-calls-negative", ["emulator", "--calls", "-1"], ["argument --calls: must be a whole number from 0 to 1000"]),
    ("emulator-calls-many", ["emulator", "--calls", "1001"], ["argument --calls:"]),
    ("audio-missing", ["emulator", "--audio", "{dir}/missing.wav"], ["error: --audio: no file at {dir}/missing.wav"]),
    ("audio-folder", ["emulator", "--audio", "{dir}"], ["error: --audio: {dir} is a folder, not a file"]),
    ("audio-not-wav", ["emulator", "--audio", "{dir}/not.wav"], ["error: --audio: {dir}/not.wav is not a WAV file", "16-bit PCM"]),
    ("audio-8-bit", ["emulator", "--audio", "{dir}/eight.wav"], ["error: --audio: {dir}/eight.wav is 8-bit audio; it must be 16-bit PCM"]),
    ("audio-3-channels", ["emulator", "--audio", "{dir}/three.wav"], ["error: --audio: {dir}/three.wav has 3 channels"]),
    ("audio-empty", ["emulator", "--audio", "{dir}/empty.wav"], ["error: --audio: {dir}/empty.wav holds no audio"]),
    ("ca-file-missing", ["emulator", "--ca-file", "{dir}/nope.pem"], ["error: --ca-file: no file at {dir}/nope.pem"]),
    ("ca-file-not-pem", ["emulator", "--ca-file", "{dir}/text.pem"], ["error: --ca-file: {dir}/text.pem holds no PEM certificate", "signalwire-streams cert"]),
    # receive: TLS, files, the token's variable, before it listens
    ("receive-no-tls", ["receive", "--port", "0"], ["error: receive needs TLS", "--cert FILE --key FILE", "signalwire-streams cert", "--behind-tls-proxy"]),
    ("receive-cert-only", ["receive", "--cert", "{dir}/cert.pem"], ["error: --cert needs --key too"]),
    ("receive-key-only", ["receive", "--key", "{dir}/key.pem"], ["error: --key needs --cert too"]),
    ("receive-both-modes", [*RECEIVE, "--behind-tls-proxy"], ["--behind-tls-proxy", "not both"]),
    ("receive-cert-missing", ["receive", "--cert", "{dir}/no-cert.pem", "--key", "{dir}/key.pem"], ["error: --cert: no file at {dir}/no-cert.pem"]),
    ("receive-cert-not-pem", ["receive", "--cert", "{dir}/text.pem", "--key", "{dir}/key.pem"], ["error: --cert: {dir}/text.pem holds no PEM certificate"]),
    ("receive-key-not-pem", ["receive", "--cert", "{dir}/cert.pem", "--key", "{dir}/text.pem"], ["error: --key: {dir}/text.pem holds no PEM private key"]),
    ("receive-key-encrypted", ["receive", "--cert", "{dir}/cert.pem", "--key", "{dir}/encrypted.pem"], ["error: --key: {dir}/encrypted.pem is encrypted"]),
    ("receive-key-mismatch", ["receive", "--cert", "{dir}/cert.pem", "--key", "{dir}/other-key.pem"], ["error: --cert/--key: {dir}/cert.pem and {dir}/other-key.pem do not load as a certificate and its key"]),
    ("receive-port-high", [*RECEIVE[:1], "--port", "99999"], ["argument --port:", "'99999'"]),
    ("receive-port-negative", [*RECEIVE[:1], "--port", "-5"], ["argument --port:", "'-5'"]),
    ("receive-out-dir-missing", [*RECEIVE, "--out-dir", "{dir}/nowhere"], ["error: --out-dir: the folder {dir}/nowhere does not exist"]),
    ("receive-out-dir-file", [*RECEIVE, "--out-dir", "{dir}/a-file"], ["error: --out-dir: {dir}/a-file is not a folder"]),
    ("receive-token-unset", [*RECEIVE, "--bearer-token-env", "NO_SUCH_TOKEN"], ["error: --bearer-token-env: the environment variable NO_SUCH_TOKEN is not set"]),
    ("receive-path", [*RECEIVE, "--path", "media?x=1"], ["error: --path must start with '/'"]),
    ("receive-host", [*RECEIVE, "--host", "192.0.2.1"], ["error: cannot listen on 192.0.2.1:0", "--host"]),
    # cert
    ("cert-dir-under-file", ["cert", "--dir", "{dir}/a-file/tls"], ["error: --dir: cannot make the folder {dir}/a-file/tls"]),
    ("cert-would-overwrite", ["cert", "--dir", "{dir}/full"], ["error: --dir: {dir}/full/ca.pem, {dir}/full/cert.pem, {dir}/full/key.pem already exist", "--force"]),
    ("cert-bad-name", ["cert", "--dir", "{dir}", "--name", "not a host!"], ["error: --name: 'not a host!' is not a host name"]),
]  # fmt: skip


@pytest.mark.parametrize(("args", "messages"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_message_naming_what_to_check(
    files: dict[str, str], args: list[str], messages: list[str]
) -> None:
    result = run_cli(*(arg.format(**files) for arg in args), env={"SIGNALWIRE_STREAM_TOKEN": TOKEN})
    err = assert_one_clean_error(result, code=2)
    for message in messages:
        assert message.format(**files) in err
    assert result.stdout == ""  # nothing started: no banner, no URL, no progress
    assert_never_printed(result, TOKEN)
    assert (Path(files["dir"]) / "full" / "ca.pem").read_text() == "keep me"


def test_a_bearer_token_that_cannot_be_one_names_its_variable_not_its_value(
    files: dict[str, str],
) -> None:
    result = run_cli(
        *(arg.format(**files) for arg in RECEIVE), env={"SIGNALWIRE_STREAM_TOKEN": "two words"}
    )
    err = assert_one_clean_error(result)
    assert "SIGNALWIRE_STREAM_TOKEN" in err and "whitespace" in err
    assert_never_printed(result, "two words")


def test_receive_on_a_busy_port_names_the_address(files: dict[str, str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = str(busy.getsockname()[1])
        args = [arg.format(**files) for arg in RECEIVE]
        result = run_cli(*args[:1], "--port", port, *args[3:])
    err = assert_one_clean_error(result)
    assert f"error: cannot listen on 127.0.0.1:{port}" in err
    assert "--port" in err


@pytest.mark.parametrize("command", ["cert", "demo"])
def test_without_trustme_cert_and_demo_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: str,
) -> None:
    """trustme is the `testing` extra: without it, the command names the extra."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "trustme" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    flag = "--dir" if command == "cert" else "--out"
    target = tmp_path if command == "cert" else tmp_path / "x.wav"
    assert main([command, flag, str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "trustme" in err
    assert "pip install 'signalwire-streams[testing]'" in err
    assert list(tmp_path.iterdir()) == []
