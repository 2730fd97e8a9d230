"""`signalwire-streams emulator` as a subprocess: the exports it prints work, it streams to a
receiver of the test's own, it stops on Ctrl-C, and no secret shows at -vv."""

from __future__ import annotations

import asyncio
import secrets
import signal
import socket
import subprocess
import sys

import pytest
from signalwire_streams import AsyncClient, Client, StreamStatus, media
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.cli import Commands, clean_env, run_cli
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


@pytest.mark.parametrize("token_given", [True, False], ids=["token-from-env", "fresh-token"])
def test_emulator_command_serves_until_interrupted(commands: Commands, token_given: bool) -> None:
    """`emulator` lets someone try their code from another shell with the printed exports;
    a token they set must not be echoed; Ctrl-C ends it cleanly with exit code 0."""
    token = "given-" + secrets.token_urlsafe(16)
    env = {"SIGNALWIRE_API_TOKEN": token} if token_given else {}
    started = commands.start("emulator", "--port", "0", "--calls", "2", env=env)
    process, lines = started.parts()
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

    assert started.interrupt() == 0
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
            env=clean_env(),
        )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ValidationError: emulator: cannot start")
    assert "Traceback" not in result.stderr


async def test_emulator_command_streams_to_a_local_receiver_with_the_given_ca(
    commands: Commands,
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
            process, lines = commands.start(
                "emulator",
                "--ca-file",
                str(tls.ca_file),
                "--speed",
                "20",
                env={"SIGNALWIRE_SIGNING_KEY": signing_key},
            ).parts()
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


def _cli(*args: str, env: dict[str, str]) -> str:
    result = run_cli("-vv", *args, env=env)
    assert "Traceback" not in result.stderr
    return result.stdout + result.stderr


def test_no_secret_in_cli_output_at_debug(commands: Commands) -> None:
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
    outputs.append(asyncio.run(_emulator_command_streaming(commands)))
    for output in outputs:
        assert_clean(output, "the command's output")


async def _emulator_command_streaming(commands: Commands) -> str:
    started: list[media.Session] = []
    finished: list[media.Session] = []

    async def handle(session: media.Session) -> None:
        started.append(session)
        finished.append(await session.collect())

    with LocalTLS() as local:
        async with media.serve(handle, ssl=local.server_context(), bearer_token=BEARER) as server:
            process, lines = commands.start(
                "-vv",
                "emulator",
                "--ca-file",
                str(local.ca_file),
                "--speed",
                "20",
                env={"SIGNALWIRE_API_TOKEN": API_TOKEN, "SIGNALWIRE_SIGNING_KEY": SIGNING_KEY},
            ).parts()
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


@pytest.mark.parametrize("quiet", [False, True], ids=["events", "quiet"])
def test_emulator_command_tells_what_happens_to_each_stream(
    commands: Commands, quiet: bool
) -> None:
    """A stream to a receiver that is not there: the user sees it created and refused, and
    why, and its REST status turns to stopped; --quiet prints none of it."""
    flags = ["--quiet"] if quiet else []
    process, lines = commands.start("emulator", "--port", "0", "--conferences", "2", *flags).parts()
    space = lines.until(r"^  export SIGNALWIRE_SPACE=(\S+)$")[1]
    project_id = lines.until(r"^  export SIGNALWIRE_PROJECT_ID=(\S+)$")[1]
    token = lines.until(r"^  export SIGNALWIRE_API_TOKEN=(\S+)$")[1]
    call = lines.until(r"^live call: (\S+)$")[1]
    conferences = [lines.until(r"^live conference: (\S+)$")[1] for _ in range(2)]
    lines.until(r"^Press Ctrl-C to stop\.$")
    with Client(project_id, token, space) as client:
        stream = client.streams.create(call, "wss://127.0.0.1:9/nowhere", name="asr")
        client.conference_streams.create(conferences[1], WSS, name="mix")
    if not quiet:
        created = lines.until(rf"^\d\d:\d\d:\d\d created   {stream.sid}  on {call} named 'asr'")
        refused = lines.until(rf"^\d\d:\d\d:\d\d refused   {stream.sid}  (.*)$")
        assert refused[1] == (
            "wss://127.0.0.1:9/nowhere: connection refused: is the receiver running, on that port?"
        )
        assert created is not None
    with Client(project_id, token, space) as client:
        deadline = 50
        while client.streams.stop(call, stream.sid).status != StreamStatus.STOPPED and deadline:
            deadline -= 1
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    rest = lines.rest()
    told = [kind for kind in (" created ", " refused ") if kind in rest]
    assert told == ([] if quiet else [" created ", " refused "])
