"""The `signalwire-streams` command, run as a real subprocess against a live emulator.

The emulator serves from a thread of the test process, so the command reaches it over
loopback exactly as it would reach a Space. Each run gets a clean environment: only the
SIGNALWIRE_* variables a test sets, never a developer's own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
import wave
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO

import pytest
from signalwire_streams import AsyncClient, Client, StreamStatus, media
from signalwire_streams.cli import main
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.receivers import eventually
from tests.helpers.secrets import (
    API_TOKEN,
    BEARER,
    SIGNING_KEY,
    WRONG_API_TOKEN,
    WRONG_BEARER,
    assert_clean,
)

WSS = "wss://receiver.example.com/audio"
COMMAND = [sys.executable, "-m", "signalwire_streams"]


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    env.update(extra or {})
    return env


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, command: list[str] = COMMAND
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        env=_env(env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def assert_never_printed(result: subprocess.CompletedProcess[str], *secret: str) -> None:
    for text in secret:
        assert text not in result.stdout
        assert text not in result.stderr


@pytest.fixture
def creds(emulator: Emulator) -> dict[str, str]:
    """The environment `create` and `stop` read, pointing at the emulator."""
    return {
        "SIGNALWIRE_PROJECT_ID": emulator.project_id,
        "SIGNALWIRE_API_TOKEN": emulator.api_token,
        "SIGNALWIRE_SPACE": emulator.base_url,
    }


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
    # The bearer token and the signing key are random url-safe strings of 32 characters.
    without_sids = re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "",
        out.replace(str(wav_path), ""),
    )
    assert re.search(r"[A-Za-z0-9_-]{24}", without_sids) is None
    assert result.stderr == ""


def test_demo_refuses_a_silly_duration_before_starting_anything(tmp_path: Path) -> None:
    result = run_cli("demo", "--seconds", "0", "--out", str(tmp_path / "x.wav"))
    assert result.returncode == 2
    assert "--seconds" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.wav").exists()


def test_installed_console_script_runs() -> None:
    """`pip install` puts `signalwire-streams` on PATH; it must be the same command."""
    script = shutil.which("signalwire-streams", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the console script is not installed next to this interpreter")
    result = run_cli("--version", command=[script])
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"signalwire-streams \d+\.\d+\.\S+\n", result.stdout)


def test_create_sends_every_option_as_form_fields(
    emulator: Emulator, creds: dict[str, str]
) -> None:
    """Each flag must land in its documented field; `b=x=y` splits at the first `=`."""
    call = emulator.add_call()
    result = run_cli(
        "create", call, "--url", WSS, "--name", "n", "--track", "inbound_track",
        "--status-callback", "https://hooks.example.com/events", "--status-callback-method", "GET",
        "--param", "a=1", "--param", "b=x=y", "--param", "empty=",
        env=creds,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (record,) = emulator.streams(call)
    assert re.search(rf"^sid\s+{record.sid}$", result.stdout, re.MULTILINE)
    assert re.search(r"^status\s+in-progress$", result.stdout, re.MULTILINE)
    (request,) = emulator.requests
    assert request.status == 200
    assert request.path.endswith(f"/Accounts/{emulator.project_id}/Calls/{call}/Streams")
    assert request.fields == {
        "Url": WSS,
        "Name": "n",
        "Track": "inbound_track",
        "StatusCallback": "https://hooks.example.com/events",
        "StatusCallbackMethod": "GET",
        "Parameter1.Name": "a",
        "Parameter1.Value": "1",
        "Parameter2.Name": "b",
        "Parameter2.Value": "x=y",
        "Parameter3.Name": "empty",
        "Parameter3.Value": "",
    }
    assert len(request.form) == len(request.fields)
    # The receiving server sees the parameters in the order they were given.
    assert list(record.parameters.items()) == [("a", "1"), ("b", "x=y"), ("empty", "")]
    assert_never_printed(result, emulator.api_token)


def test_create_defaults_track_and_callback_method_explicitly(
    emulator: Emulator, creds: dict[str, str]
) -> None:
    """The APIs disagree on Track's default, so the command must always send one."""
    call = emulator.add_call()
    result = run_cli("create", call, "--url", WSS, env=creds)
    assert result.returncode == 0, result.stderr
    assert emulator.requests[0].fields == {
        "Url": WSS,
        "Track": "both_tracks",
        "StatusCallbackMethod": "POST",
    }


def test_create_json_is_machine_readable(emulator: Emulator, creds: dict[str, str]) -> None:
    """Scripts parse `--json`: it must be pure JSON with the stream's sid, status and date."""
    call = emulator.add_call()
    result = run_cli("create", call, "--url", WSS, "--name", "j", "--json", env=creds)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (record,) = emulator.streams(call)
    assert data["sid"] == record.sid
    assert data["status"] == "in-progress"
    assert data["call_sid"] == call
    assert data["conference_sid"] is None
    assert data["name"] == "j"
    updated = datetime.fromisoformat(data["date_updated"])
    assert updated == record.date_updated
    assert updated.tzinfo is not None
    assert_never_printed(result, emulator.api_token)


@pytest.mark.parametrize("output", ["text", "json"])
def test_bearer_token_comes_from_the_named_variable_and_is_never_printed(
    emulator: Emulator, creds: dict[str, str], output: str
) -> None:
    """A token on the command line would end up in shell history; so it is read from env."""
    call = emulator.add_call()
    token = "ws-" + secrets.token_urlsafe(16)
    extra = ["--json"] if output == "json" else []
    result = run_cli(
        "create", call, "--url", WSS, "--bearer-token-env", "MY_WS_TOKEN", *extra,
        env={**creds, "MY_WS_TOKEN": token},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (record,) = emulator.streams(call)
    assert record.authorization_bearer_token == token
    assert_never_printed(result, token, emulator.api_token)


def test_stop_by_name(emulator: Emulator, creds: dict[str, str]) -> None:
    """`stop CALL NAME` stops the named stream and says so."""
    call = emulator.add_call()
    with Client(emulator.project_id, emulator.api_token, emulator.base_url) as client:
        created = client.streams.create(call, WSS, name="asr")
    emulator.clear_requests()
    result = run_cli("stop", call, "asr", env=creds)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"^sid\s+{created.sid}$", result.stdout, re.MULTILINE)
    assert re.search(r"^status\s+stopped$", result.stdout, re.MULTILINE)
    (request,) = emulator.requests
    assert request.path.endswith(f"/Calls/{call}/Streams/asr")
    assert request.fields == {"Status": "stopped"}
    assert emulator.streams(call)[0].status == "stopped"
    assert_never_printed(result, emulator.api_token)


def test_conference_create_and_stop(emulator: Emulator, creds: dict[str, str]) -> None:
    """`--conference` switches both commands to the conference endpoints and fields."""
    conference = emulator.add_conference()
    created = run_cli(
        "create", conference, "--conference", "--url", WSS, "--name", "mix",
        "--codec", "PCMU", "--real-time", "--json",
        env=creds,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    data = json.loads(created.stdout)
    assert (data["conference_sid"], data["call_sid"], data["status"]) == (
        conference,
        None,
        "in-progress",
    )
    fields = emulator.requests[0].fields
    assert (fields["StreamCodec"], fields["StreamRealTime"]) == ("PCMU", "true")
    assert "/Conferences/" in emulator.requests[0].path
    (record,) = emulator.streams(conference)
    assert (record.codec, record.real_time) == ("PCMU", True)

    stopped = run_cli("stop", conference, "mix", "--conference", env=creds)
    assert stopped.returncode == 0, stopped.stderr
    assert re.search(rf"^sid\s+{record.sid}$", stopped.stdout, re.MULTILINE)
    assert re.search(r"^status\s+stopped$", stopped.stdout, re.MULTILINE)
    assert emulator.requests[-1].path.endswith(f"/Conferences/{conference}/Streams/mix")
    assert emulator.streams(conference)[0].status == "stopped"


UNKNOWN = str(uuid.uuid4())

# (id, arguments after the command name with {call} filled in, env changes, exit code,
#  what stderr must say, whether a request reaches the emulator)
ERRORS = [
    ("unknown-call", ["create", UNKNOWN, "--url", WSS], {}, 1, ["error: NotFoundError:", f"/Calls/{UNKNOWN} was not found"], True),
    ("unknown-stream", ["stop", "{call}", "nope"], {}, 1, ["error: NotFoundError:", "/Streams/nope was not found"], True),
    ("wrong-token", ["create", "{call}", "--url", WSS], {"SIGNALWIRE_API_TOKEN": "wrong-token-123"}, 1, ["error: AuthenticationError:", "Authentication failed"], True),
    ("ws-url", ["create", "{call}", "--url", "ws://receiver.example.com/audio"], {}, 2, ["error: ValidationError:", "url", "wss://"], False),
    ("no-api-token", ["create", "{call}", "--url", WSS], {"SIGNALWIRE_API_TOKEN": ""}, 2, ["error: ValidationError:", "SIGNALWIRE_API_TOKEN"], False),
    ("param-no-equals", ["create", "{call}", "--url", WSS, "--param", "hidden-value"], {}, 2, ["error: ValidationError:", "--param", "KEY=VALUE", "#1 has no '='"], False),
    ("param-no-key", ["create", "{call}", "--url", WSS, "--param", "=hidden-value"], {}, 2, ["error: ValidationError:", "--param", "empty key"], False),
    ("param-twice", ["create", "{call}", "--url", WSS, "--param", "a=1", "--param", "a=2"], {}, 2, ["error: ValidationError:", "'a' is given twice"], False),
    ("bearer-var-unset", ["create", "{call}", "--url", WSS, "--bearer-token-env", "NO_SUCH_VAR"], {}, 2, ["error: ValidationError:", "NO_SUCH_VAR"], False),
    ("codec-on-call", ["create", "{call}", "--url", WSS, "--codec", "PCMU"], {}, 2, ["error: ValidationError:", "--conference"], False),
    ("bad-track", ["create", "{call}", "--url", WSS, "--track", "sideways"], {}, 2, ["invalid choice", "sideways"], False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env_changes", "code", "messages", "sent"),
    [case[1:] for case in ERRORS],
    ids=[case[0] for case in ERRORS],
)
def test_errors_exit_non_zero_with_a_short_message_and_no_secret(
    emulator: Emulator,
    creds: dict[str, str],
    args: list[str],
    env_changes: dict[str, str],
    code: int,
    messages: list[str],
    sent: bool,
) -> None:
    """Scripts branch on the exit code (1: the service said no, 2: bad input); people read
    one line, not a traceback; and no error ever shows a credential or a parameter value."""
    call = emulator.add_call()
    env = {**creds, **env_changes}
    result = run_cli(*(arg.format(call=call) for arg in args), env=env)
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    for message in messages:
        assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert_never_printed(result, emulator.api_token, "wrong-token-123", "hidden-value")
    assert bool(emulator.requests) == sent
    assert emulator.streams(call) == []


class _Lines:
    """A child's stdout read line by line in a thread, so a stuck child cannot hang a test."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put("")

    def until(self, pattern: str) -> re.Match[str]:
        while True:
            line = self._queue.get(timeout=30)
            assert line, f"the emulator exited before printing {pattern!r}: {self.seen}"
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def rest(self) -> str:
        while (line := self._queue.get(timeout=30)) != "":
            self.seen.append(line)
        return "".join(self.seen)


Started = tuple[subprocess.Popen[str], "_Lines"]


@pytest.fixture
def emulator_command() -> Iterator[Callable[..., Started]]:
    """Start `signalwire-streams emulator ARGS`; every one started is killed at the end."""
    started: list[subprocess.Popen[str]] = []

    def start(
        *args: str, env: Mapping[str, str] | None = None, options: tuple[str, ...] = ()
    ) -> Started:
        process = subprocess.Popen(
            [*COMMAND, *options, "emulator", *args],
            env=_env({"PYTHONUNBUFFERED": "1", **(env or {})}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        started.append(process)
        assert process.stdout is not None
        return process, _Lines(process.stdout)

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


@pytest.mark.parametrize("token_given", [True, False], ids=["token-from-env", "fresh-token"])
def test_emulator_command_serves_until_interrupted(
    emulator_command: Callable[..., Started], token_given: bool
) -> None:
    """`emulator` lets someone try their code from another shell with the printed exports;
    a token they set must not be echoed; Ctrl-C ends it cleanly with exit code 0."""
    token = "given-" + secrets.token_urlsafe(16)
    env = {"SIGNALWIRE_API_TOKEN": token} if token_given else {}
    process, lines = emulator_command("--port", "0", "--calls", "2", env=env)
    base_url = lines.until(r"^SignalWire streams emulator on (http://127\.0\.0\.1:\d+/\S+)$")[1]
    space = lines.until(r"^  export SIGNALWIRE_SPACE=(\S+)$")[1]
    project_id = lines.until(r"^  export SIGNALWIRE_PROJECT_ID=(\S+)$")[1]
    if token_given:
        lines.until(r"the API token is the one in SIGNALWIRE_API_TOKEN")
    else:
        token = lines.until(r"^  export SIGNALWIRE_API_TOKEN=(\S+)$")[1]
    calls = [lines.until(r"^live call: (\S+)$")[1], lines.until(r"^live call: (\S+)$")[1]]
    lines.until(r"^Press Ctrl-C to stop\.$")
    assert space == base_url
    assert len(set(calls)) == 2

    with Client(project_id, token, space) as client:
        for call in calls:
            stream = client.streams.create(call, WSS, name="try")
            assert (stream.call_sid, stream.status) == (call, StreamStatus.IN_PROGRESS)
        assert client.streams.stop(calls[0], "try").status == StreamStatus.STOPPED

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    out = lines.rest()
    assert out.splitlines()[-1] == "stopped"
    assert process.stderr is not None
    err = process.stderr.read()
    assert "Traceback" not in err
    if token_given:
        assert token not in out
        assert token not in err


def test_emulator_on_a_busy_port_fails_cleanly() -> None:
    """A port in use is an error message and exit 2, not a traceback."""
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "signalwire_streams", "emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            env=_env(),
        )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ValidationError: emulator: cannot start")
    assert "Traceback" not in result.stderr


async def test_emulator_command_streams_to_a_local_receiver_with_the_given_ca(
    emulator_command: Callable[..., Started],
) -> None:
    """From a shell, the emulator streams to the user's own receiver and signs callbacks
    with the signing key from the environment, which it never echoes."""
    signing_key = "sk-" + secrets.token_urlsafe(16)
    started: list[media.Session] = []
    finished: list[media.Session] = []

    async def handle(session: media.Session) -> None:
        started.append(session)
        finished.append(await session.collect())

    async def until(condition: list[media.Session]) -> None:
        for _ in range(500):
            if condition and condition[0].frames > 0:
                return
            await asyncio.sleep(0.01)

    with LocalTLS() as tls:
        async with media.serve(handle, ssl=tls.server_context(), bearer_token="tkn") as receiver:
            process, lines = emulator_command(
                "--ca-file",
                str(tls.ca_file),
                "--speed",
                "20",
                env={"SIGNALWIRE_SIGNING_KEY": signing_key},
            )
            space = lines.until(r"^  export SIGNALWIRE_SPACE=(\S+)$")[1]
            project_id = lines.until(r"^  export SIGNALWIRE_PROJECT_ID=(\S+)$")[1]
            token = lines.until(r"^  export SIGNALWIRE_API_TOKEN=(\S+)$")[1]
            lines.until(r"^Status callbacks are signed with SIGNALWIRE_SIGNING_KEY$")
            call = lines.until(r"^live call: (\S+)$")[1]
            async with AsyncClient(project_id, token, space) as client:
                await client.streams.create(
                    call, f"{receiver.url}/x", name="cli", authorization_bearer_token="tkn"
                )
                await until(started)
                await client.streams.stop(call, "cli")
            await until(finished)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
    assert finished and finished[0].end == "stop" and finished[0].frames > 0
    assert signing_key not in lines.rest()


def test_emulator_command_refuses_an_audio_file_that_is_not_a_wav(tmp_path: Path) -> None:
    bogus = tmp_path / "not.wav"
    bogus.write_bytes(b"RIFF nonsense")
    result = run_cli("emulator", "--audio", str(bogus))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ValidationError: emulator: cannot start")
    assert "not a WAV file" in result.stderr and "Traceback" not in result.stderr


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


def _cli(*args: str, env: dict[str, str]) -> str:
    result = run_cli("-vv", *args, env=env)
    assert "Traceback" not in result.stderr
    return result.stdout + result.stderr


def test_no_secret_in_cli_output_at_debug(emulator_command: Callable[..., Started]) -> None:
    """`create`, `stop` and their failures, then `emulator` streaming to a receiver."""
    outputs: list[str] = []
    with Emulator(api_token=API_TOKEN, media=False) as emulator:
        call = emulator.add_call()
        env = {
            "SIGNALWIRE_PROJECT_ID": emulator.project_id,
            "SIGNALWIRE_API_TOKEN": API_TOKEN,
            "SIGNALWIRE_SPACE": emulator.base_url,
            "WS_TOKEN": BEARER,
        }
        create = ["create", call, "--url", WSS, "--bearer-token-env", "WS_TOKEN"]
        outputs.append(_cli(*create, "--name", "n", "--param", "k=v", env=env))
        outputs.append(_cli(*create, "--json", env=env))
        outputs.append(_cli("stop", call, "n", env=env))
        outputs.append(_cli(*create, env={**env, "SIGNALWIRE_API_TOKEN": WRONG_API_TOKEN}))
        outputs.append(_cli(*create, "--url", f"ws://{BEARER}.example.com", env=env))
        assert emulator.streams(call)[0].authorization_bearer_token == BEARER
    assert "AuthenticationError" in outputs[3] and "ValidationError" in outputs[4]
    assert any("DEBUG" in output for output in outputs)
    outputs.append(asyncio.run(_emulator_command_streaming(emulator_command)))
    for output in outputs:
        assert_clean(output, "the command's output")


async def _emulator_command_streaming(emulator_command: Callable[..., Started]) -> str:
    started: list[media.Session] = []
    finished: list[media.Session] = []

    async def handle(session: media.Session) -> None:
        started.append(session)
        finished.append(await session.collect())

    with LocalTLS() as local:
        async with media.serve(handle, ssl=local.server_context(), bearer_token=BEARER) as server:
            process, lines = emulator_command(
                "--ca-file",
                str(local.ca_file),
                "--speed",
                "20",
                env={"SIGNALWIRE_API_TOKEN": API_TOKEN, "SIGNALWIRE_SIGNING_KEY": SIGNING_KEY},
                options=("-vv",),
            )
            space = lines.until(r"^  export SIGNALWIRE_SPACE=(\S+)$")[1]
            project_id = lines.until(r"^  export SIGNALWIRE_PROJECT_ID=(\S+)$")[1]
            call = lines.until(r"^live call: (\S+)$")[1]
            async with AsyncClient(project_id, API_TOKEN, space) as client:
                await client.streams.create(
                    call, f"{server.url}/x", name="cli", authorization_bearer_token=BEARER
                )
                with_wrong = await client.streams.create(
                    call, f"{server.url}/x", authorization_bearer_token=WRONG_BEARER
                )
                await eventually(lambda: bool(started) and started[0].frames > 0)
                await client.streams.stop(call, "cli")
                await client.streams.stop(call, with_wrong.sid)
            await eventually(lambda: bool(finished))
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
            assert process.stderr is not None
            err = process.stderr.read()
    assert finished[0].frames > 0
    assert "DEBUG" in err and "Authorization" in err  # headers were logged, redacted
    return lines.rest() + err
