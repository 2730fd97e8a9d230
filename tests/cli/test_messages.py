"""What any command does with a failure nobody planned for, and with Ctrl-C: one line, the
details only at -vv and with secrets taken out, and the exit codes scripts branch on.

In-process (`main`), since a subprocess cannot be made to fail in an unplanned way."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from typing import TextIO

import pytest
from signalwire_streams.cli import _receive, _remote, main

from tests.helpers.secrets import API_TOKEN, BEARER, assert_clean


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    logging.getLogger("signalwire_streams").setLevel(logging.NOTSET)  # -vv sets it


def _boom(args: argparse.Namespace, out: TextIO) -> None:
    raise RuntimeError(f"boom: {API_TOKEN} and {BEARER} were in here\nsecond line")


@pytest.fixture
def failing_create(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(_remote, "_create", _boom)
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", API_TOKEN)
    monkeypatch.setenv("WS_TOKEN", BEARER)
    return ["create", "CA1", "--url", "wss://x.example.com", "--bearer-token-env", "WS_TOKEN"]


def test_an_unexpected_error_is_one_line_without_secrets(
    failing_create: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(failing_create) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "error: RuntimeError: boom: [secure] and [secure] were in here\n"
        "  run with -vv for details\n"
    )


def test_at_vv_the_traceback_goes_to_the_debug_log_redacted(
    failing_create: list[str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert main([*failing_create[:1], "-vv", *failing_create[1:]]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("error: RuntimeError: boom: [secure]")
    assert "run with -vv" not in err
    (record,) = [r for r in caplog.records if r.name == "signalwire_streams.cli"]
    assert record.levelno == logging.DEBUG
    assert "Traceback" in record.getMessage() and "_boom" in record.getMessage()
    assert_clean(caplog.text + err, "the log at -vv")


def test_ctrl_c_is_exit_130_quietly_except_where_it_is_the_way_to_stop(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(args: argparse.Namespace, out: TextIO) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_remote, "_create", interrupted)
    monkeypatch.setattr(_receive, "_run", interrupted)
    assert main(["create", "CA1", "--url", "wss://x.example.com"]) == 130
    assert main(["receive", "--behind-tls-proxy"]) == 0
    assert capsys.readouterr() == ("", "")


def test_no_command_is_argparse_usage() -> None:
    with pytest.raises(SystemExit) as exit:
        main([])
    assert exit.value.code == 2
