"""`create` and `stop`, run as real subprocesses against the test's emulator.

The emulator serves from a thread of the test process, so the command reaches it over
loopback exactly as it would reach a Space.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import socket
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from signalwire_streams import Client
from signalwire_streams.testing import Emulator

from tests.helpers.cli import assert_never_printed, assert_one_clean_error, run_cli
from tests.helpers.secrets import API_TOKEN

WSS = "wss://receiver.example.com/audio"


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
CREATE = ["create", "{call}", "--url", WSS]

# (id, arguments after the command name with {call} filled in, env changes, exit code,
#  what stderr must say ({host}: the emulator's), whether a request reaches the emulator).
# Each message names what to check: the flag, the variable, the host.
ERRORS = [
    ("unknown-call", ["create", UNKNOWN, "--url", WSS], {}, 1, ["error: NotFoundError:", f"/Calls/{UNKNOWN} was not found", "check the call sid", "{host}"], True),
    ("unknown-stream", ["stop", "{call}", "nope"], {}, 1, ["error: NotFoundError:", "/Streams/nope was not found", "the stream's sid or name"], True),
    ("wrong-token", CREATE, {"SIGNALWIRE_API_TOKEN": "wrong-token-123"}, 1, ["error: AuthenticationError:", "Authentication failed", "{host} refused", "check SIGNALWIRE_API_TOKEN"], True),
    ("ws-url", ["create", "{call}", "--url", "ws://receiver.example.com/audio"], {}, 2, ["error: ValidationError: --url:", "wss://"], False),
    ("no-project-id", CREATE, {"SIGNALWIRE_PROJECT_ID": ""}, 2, ["error: SIGNALWIRE_PROJECT_ID is not set\n", "export SIGNALWIRE_PROJECT_ID="], False),
    ("no-api-token", CREATE, {"SIGNALWIRE_API_TOKEN": ""}, 2, ["error: SIGNALWIRE_API_TOKEN is not set\n"], False),
    ("no-space", CREATE, {"SIGNALWIRE_SPACE": ""}, 2, ["error: SIGNALWIRE_SPACE is not set\n"], False),
    ("space-not-https", CREATE, {"SIGNALWIRE_SPACE": "ftp://example.com"}, 2, ["error: SIGNALWIRE_SPACE must be an https:// URL\n"], False),
    ("project-id-colon", CREATE, {"SIGNALWIRE_PROJECT_ID": "a:b"}, 2, ["error: SIGNALWIRE_PROJECT_ID must not contain ':'"], False),
    ("api-token-space", CREATE, {"SIGNALWIRE_API_TOKEN": "hidden-value x"}, 2, ["error: SIGNALWIRE_API_TOKEN must be"], False),
    ("timeout-variable", CREATE, {"SIGNALWIRE_TIMEOUT": "soon"}, 2, ["error: SIGNALWIRE_TIMEOUT must be seconds"], False),
    ("retries-variable", CREATE, {"SIGNALWIRE_MAX_RETRIES": "-1"}, 2, ["error: SIGNALWIRE_MAX_RETRIES must be a whole number"], False),
    ("timeout-zero", [*CREATE, "--timeout", "0"], {}, 2, ["argument --timeout: must be a number more than 0 and at most 3600 s"], False),
    ("timeout-nan", [*CREATE, "--timeout", "nan"], {}, 2, ["argument --timeout:"], False),
    ("timeout-huge", ["stop", "{call}", "x", "--timeout", "99999"], {}, 2, ["argument --timeout:", "'99999'"], False),
    ("retries-negative", [*CREATE, "--max-retries", "-1"], {}, 2, ["argument --max-retries: must be a whole number from 0 to 100"], False),
    ("retries-many", ["stop", "{call}", "x", "--max-retries", "101"], {}, 2, ["argument --max-retries:"], False),
    ("retries-word", [*CREATE, "--max-retries", "two"], {}, 2, ["argument --max-retries:", "'two'"], False),
    ("param-no-equals", [*CREATE, "--param", "hidden-value"], {}, 2, ["error: --param expects KEY=VALUE; parameter #1 has no '='"], False),
    ("param-no-key", [*CREATE, "--param", "=hidden-value"], {}, 2, ["error: --param expects KEY=VALUE", "empty key"], False),
    ("param-twice", [*CREATE, "--param", "a=1", "--param", "a=2"], {}, 2, ["error: --param: 'a' is given twice"], False),
    ("bearer-var-unset", [*CREATE, "--bearer-token-env", "NO_SUCH_VAR"], {}, 2, ["error: --bearer-token-env: the environment variable NO_SUCH_VAR is not set"], False),
    ("codec-on-call", [*CREATE, "--codec", "PCMU"], {}, 2, ["error: --codec and --real-time need --conference"], False),
    ("bad-track", [*CREATE, "--track", "sideways"], {}, 2, ["invalid choice", "sideways"], False),
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
    what to check, not a traceback; and no error ever shows a credential or a parameter
    value."""
    call = emulator.add_call()
    env = {**creds, **env_changes}
    host = f"127.0.0.1:{emulator.port}"
    result = run_cli(*(arg.format(call=call) for arg in args), env=env)
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    for message in messages:
        assert message.format(host=host) in result.stderr
    assert "Traceback" not in result.stderr
    assert "project_id=" not in result.stderr and "api_token=" not in result.stderr
    assert_never_printed(result, emulator.api_token, "wrong-token-123", "hidden-value")
    assert bool(emulator.requests) == sent
    assert emulator.streams(call) == []


def test_a_space_that_does_not_answer_names_its_host() -> None:
    """A connection refused says which host was tried and which variable points there."""
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    env = {
        "SIGNALWIRE_PROJECT_ID": str(uuid.uuid4()),
        "SIGNALWIRE_API_TOKEN": API_TOKEN,
        "SIGNALWIRE_SPACE": f"http://127.0.0.1:{port}",
    }
    result = run_cli("create", UNKNOWN, "--url", WSS, "--max-retries", "0", env=env)
    err = assert_one_clean_error(result, code=1)
    assert f"error: APIConnectionError: Could not connect to 127.0.0.1:{port}" in err
    assert f"check SIGNALWIRE_SPACE (it points at 127.0.0.1:{port})" in err
    assert_never_printed(result, API_TOKEN)


def test_timeout_and_retries_flags_reach_the_client(
    emulator: Emulator, creds: dict[str, str]
) -> None:
    """--max-retries 0 gives up at the first 503; the variable is the fallback."""
    call = emulator.add_call()
    emulator.fail_next(503, count=3)
    result = run_cli(
        *[a.format(call=call) for a in CREATE], "--max-retries", "0", "--timeout", "5", env=creds
    )
    assert_one_clean_error(result, code=1)
    assert len(emulator.requests) == 1
    emulator.clear_requests()
    result = run_cli(
        *[a.format(call=call) for a in CREATE], env={**creds, "SIGNALWIRE_MAX_RETRIES": "1"}
    )
    assert_one_clean_error(result, code=1)
    assert len(emulator.requests) == 2


@pytest.mark.parametrize(
    "verbosity", [["-vv", "create"], ["create", "-vv"], ["-v", "create", "-v"]]
)
def test_verbose_is_taken_before_or_after_the_command(
    emulator: Emulator, creds: dict[str, str], verbosity: list[str]
) -> None:
    call = emulator.add_call()
    result = run_cli(*verbosity, call, "--url", WSS, env=creds)
    assert result.returncode == 0, result.stderr
    assert " DEBUG " in result.stderr
    assert_never_printed(result, emulator.api_token)
