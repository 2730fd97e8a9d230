"""Checks on what is typed after a command, run before any work starts.

Numbers are checked by argparse `type=` functions, so a bad one is argparse's own message
naming the flag (`argument --port: …`) and exit code 2. Files and folders are checked by
the commands before they stream or listen, each error naming the flag and the path: a demo
that runs for five seconds and then cannot write its WAV is worse than one that says so at
once.
"""

from __future__ import annotations

import argparse
import os
import ssl
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

from ._messages import CommandError, keep_secret

__all__ = [
    "ca_file",
    "number",
    "output_dir",
    "output_file",
    "port",
    "server_tls",
    "token_from_env",
    "wav_file",
    "whole",
]


def port(text: str) -> int:
    """A TCP port: 0 (a free one) to 65535."""
    value = _integer(text)
    if value is None or not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"must be a port number from 0 to 65535 (0: a free one), not {text[:20]!r}"
        )
    return value


def whole(low: int, high: int) -> Callable[[str], int]:
    """An integer from `low` to `high`."""

    def check(text: str) -> int:
        value = _integer(text)
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}, not {text[:20]!r}"
            )
        return value

    return check


def number(above: float, most: float, unit: str = "") -> Callable[[str], float]:
    """A number more than `above` and at most `most` (nan and inf refused)."""

    def check(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not above < value <= most:
            raise argparse.ArgumentTypeError(
                f"must be a number more than {above:g} and at most {most:g}{unit}, "
                f"not {text[:20]!r}"
            )
        return value

    return check


def _integer(text: str) -> int | None:
    stripped = text.strip()
    digits = stripped[1:] if stripped[:1] in "+-" else stripped
    if not digits.isascii() or not digits.isdecimal():
        return None
    return int(stripped)


def _where(path: Path) -> str:
    return str(path)[:200]


def output_file(path: Path, flag: str) -> Path:
    """A file to write: its folder must exist and take a file, and it is not a folder."""
    folder = path.parent
    if path.is_dir():
        raise CommandError(f"{flag}: {_where(path)} is a folder; give a file name")
    if not folder.is_dir():
        raise CommandError(
            f"{flag}: cannot write {_where(path)}: the folder {_where(folder)} does not exist"
        )
    _probe(folder, flag)
    return path


def output_dir(path: Path, flag: str) -> Path:
    """A folder to write files in: it must exist and take a file."""
    if not path.exists():
        raise CommandError(f"{flag}: the folder {_where(path)} does not exist")
    if not path.is_dir():
        raise CommandError(f"{flag}: {_where(path)} is not a folder")
    _probe(path, flag)
    return path


def _probe(folder: Path, flag: str) -> None:
    """Write and delete a file there: permissions, a read-only mount and a full disk all
    show up, whoever runs this (os.access says yes to root)."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".signalwire-streams-"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CommandError(f"{flag}: cannot write in {_where(folder)}: {reason}") from None


def _readable(path: Path, flag: str) -> None:
    if not path.exists():
        raise CommandError(f"{flag}: no file at {_where(path)}")
    if path.is_dir():
        raise CommandError(f"{flag}: {_where(path)} is a folder, not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CommandError(f"{flag}: cannot read {_where(path)}: {reason}") from None


def wav_file(path: Path, flag: str) -> Path:
    """A WAV file the emulator can stream: 16-bit PCM, mono or stereo, not empty."""
    _readable(path, flag)
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, frames = wav.getsampwidth(), wav.getnchannels(), wav.getnframes()
    except (wave.Error, EOFError) as error:
        raise CommandError(
            f"{flag}: {_where(path)} is not a WAV file this can read ({error or 'cut short'})",
            "give a 16-bit PCM WAV, mono or stereo (left inbound, right outbound)",
        ) from None
    if width != 2:
        raise CommandError(
            f"{flag}: {_where(path)} is {8 * width}-bit audio; it must be 16-bit PCM"
        )
    if channels not in (1, 2):
        raise CommandError(
            f"{flag}: {_where(path)} has {channels} channels; it must be mono or stereo"
        )
    if frames == 0:
        raise CommandError(f"{flag}: {_where(path)} holds no audio")
    return path


def ca_file(path: Path, flag: str) -> Path:
    """PEM certificates to trust."""
    _readable(path, flag)
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, ValueError) as error:
        raise CommandError(
            f"{flag}: {_where(path)} holds no PEM certificate ({_ssl_reason(error)})",
            "make one with: signalwire-streams cert",
        ) from None
    return path


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    """The TLS context of a `wss://` server from a PEM certificate (chain) and its key."""
    _readable(cert, "--cert")
    _readable(key, "--key")
    if b"-----BEGIN CERTIFICATE-----" not in cert.read_bytes()[:1_000_000]:
        raise CommandError(f"--cert: {_where(cert)} holds no PEM certificate")
    if b"PRIVATE KEY-----" not in key.read_bytes()[:1_000_000]:
        raise CommandError(f"--key: {_where(key)} holds no PEM private key")

    def no_password() -> str:
        raise CommandError(
            f"--key: {_where(key)} is encrypted; give a key without a passphrase",
        )

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(str(cert), str(key), password=no_password)
    except ssl.SSLError as error:
        raise CommandError(
            f"--cert/--key: {_where(cert)} and {_where(key)} do not load as a certificate "
            f"and its key ({_ssl_reason(error)})",
        ) from None
    return context


def _ssl_reason(error: Exception) -> str:
    reason = getattr(error, "reason", None)
    return str(reason or error)[:120]


def token_from_env(variable: str, flag: str) -> str:
    """A bearer token from an environment variable (never from the command line, which
    would keep it in shell history), remembered so that nothing prints it."""
    value = os.environ.get(variable)
    if not value:
        raise CommandError(f"{flag}: the environment variable {variable} is not set")
    keep_secret(value)
    return value
