"""Fake secrets pushed through every input of the REST side reach no log record, repr,
exception or cassette: the API token, the WebSocket bearer token and the signing key, with
every logger at DEBUG. The secrets and `assert_clean` are tests/helpers/secrets.py's; the
media side's end-to-end check is in tests/media/test_loop.py and the command line's in
tests/cli/ (test_emulator_command.py at -vv, test_receive.py, test_messages.py).

Here rather than in tests/project/: every scenario goes through the REST clients and the
cassettes they record; the media and command-line checks live with their own features."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
from signalwire_streams import AsyncClient, Client, SignalWireError
from signalwire_streams.testing import Emulator

from tests.helpers.cassettes import CASSETTES, PLACEHOLDER_PREFIX, UUID, Scrubber, vcr_options
from tests.helpers.clients import WSS_URL
from tests.helpers.secrets import API_TOKEN, BEARER, assert_clean, exception_text


@pytest.fixture
def secret_emulator() -> Iterator[Emulator]:
    with Emulator(api_token=API_TOKEN) as emulator:
        yield emulator


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG: ours, httpx's and httpcore's."""
    caplog.set_level(logging.DEBUG)
    for name in ("signalwire_streams", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _scenarios(emulator: Emulator, hanging_port: int) -> list[tuple[str, Callable[..., Any]]]:
    """(name, call taking a client): success, every failure path, retries."""
    return [
        (
            "create",
            lambda c: c.streams.create(
                emulator.add_call(),
                WSS_URL,
                name="n",
                parameters={"k": "v"},
                authorization_bearer_token=BEARER,
            ),
        ),
        ("stop by name", lambda c: c.streams.stop(emulator.add_call(), "missing")),
        (
            "conference",
            lambda c: c.conference_streams.create(
                emulator.add_conference(), WSS_URL, authorization_bearer_token=BEARER
            ),
        ),
        (
            "bad url",
            lambda c: c.streams.create(
                "CA1", f"ws://{BEARER}.example.com", authorization_bearer_token=BEARER
            ),
        ),
        (
            "bad parameter",
            lambda c: c.streams.create(
                "CA1", WSS_URL, parameters={"k": None}, authorization_bearer_token=BEARER
            ),
        ),
        (
            "401",
            lambda c: c.with_options(max_retries=0).streams.create(
                "CA1", WSS_URL, authorization_bearer_token=BEARER
            ),
        ),
        (
            "retried 503",
            lambda c: c.streams.create(
                emulator.add_call(), WSS_URL, authorization_bearer_token=BEARER
            ),
        ),
        (
            "500",
            lambda c: c.streams.create(
                emulator.add_call(), WSS_URL, authorization_bearer_token=BEARER
            ),
        ),
        (
            "timeout",
            lambda c: c.with_options(timeout=0.2).streams.create(
                "CA1", WSS_URL, authorization_bearer_token=BEARER
            ),
        ),
    ]


def _client_for(
    kind: type[Client] | type[AsyncClient], scenario: str, emulator: Emulator, hanging_port: int
) -> Client | AsyncClient:
    if scenario == "401":
        emulator.fail_next(401)
    elif scenario == "retried 503":
        emulator.fail_next(503, headers={"Retry-After": "0"})
    elif scenario == "500":
        emulator.fail_next(500, {"message": "boom"})
    space = f"http://127.0.0.1:{hanging_port}" if scenario == "timeout" else emulator.base_url
    return kind(emulator.project_id, API_TOKEN, space)


@pytest.mark.parametrize("kind", [Client, AsyncClient], ids=["sync", "async"])
def test_secrets_reach_no_log_repr_or_exception(
    kind: type[Client] | type[AsyncClient],
    secret_emulator: Emulator,
    all_logs: pytest.LogCaptureFixture,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as hanging:
        port = hanging.getsockname()[1]
        outcomes: list[str] = []
        for name, call in _scenarios(secret_emulator, port):
            client = _client_for(kind, name, secret_emulator, port)
            assert_clean(repr(client) + repr(vars(client)) + repr(client.streams), "a repr")
            try:
                result = call(client)
                if isinstance(client, AsyncClient):
                    result = asyncio.run(_finish(client, result))
                else:
                    client.close()
                assert_clean(repr(result), f"the result of {name}")
                outcomes.append(f"{name}: ok")
            except SignalWireError as error:
                assert_clean(exception_text(error), f"the exception of {name}")
                outcomes.append(f"{name}: {type(error).__name__}")
    assert outcomes == [
        "create: ok",
        "stop by name: NotFoundError",
        "conference: ok",
        "bad url: ValidationError",
        "bad parameter: ValidationError",
        "401: AuthenticationError",
        "retried 503: ok",
        "500: ServerError",
        "timeout: APITimeoutError",
    ]
    # The clients hand their requests to the transport directly: httpcore logs them (sync);
    # aiohttp, under the async client, logs nothing per request.
    if kind is Client:
        assert any(r.name.startswith("httpcore") for r in all_logs.records), "not captured"
    assert any(r.name == "signalwire_streams" for r in all_logs.records)
    for record in all_logs.records:
        assert_clean(record.getMessage() + repr(record.args) + repr(record.__dict__), "a log")
    requests = secret_emulator.requests
    assert any(r.fields.get("AuthorizationBearerToken") == BEARER for r in requests)
    assert_clean(repr(requests) + repr(secret_emulator), "the emulator's reprs")
    for record in secret_emulator.streams(requests[0].path.split("/")[-2]):
        assert_clean(repr(record), "a stream record")


async def _finish(client: AsyncClient, result: Any) -> Any:
    try:
        return await result
    finally:
        await client.aclose()


def test_recording_a_cassette_keeps_secrets_and_ids_out(tmp_path: Path) -> None:
    with Emulator(api_token=API_TOKEN) as emulator:
        call = emulator.add_call()
        options = vcr_options(Scrubber(real_host=f"127.0.0.1:{emulator.port}"))
        recorder = vcr.VCR(cassette_library_dir=str(tmp_path), record_mode="once", **options)
        with (
            recorder.use_cassette("leak.yaml"),
            Client(emulator.project_id, API_TOKEN, emulator.base_url) as client,
        ):
            created = client.streams.create(
                call,
                WSS_URL,
                name="n",
                authorization_bearer_token=BEARER,
                parameters={"customer": "42"},
            )
            client.streams.stop(call, created.sid)
        text = (tmp_path / "leak.yaml").read_text()
    assert_clean(text, "a fresh cassette")
    for real in (emulator.project_id, call, created.sid, str(emulator.port)):
        assert real not in text
    assert "Parameter1.Name=customer" in text


@pytest.mark.parametrize("path", sorted(CASSETTES.rglob("*.yaml")), ids=lambda p: p.name)
def test_committed_cassettes_hold_no_credentials_real_ids_or_hosts(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"(?im)^\s*authorization:", text)
    assert "AuthorizationBearerToken" not in text
    assert "Basic " not in text
    assert "127.0.0.1" not in text and "localhost" not in text
    for found in UUID.findall(text):
        assert found.startswith(PLACEHOLDER_PREFIX), f"a real id in {path.name}"
    hosts = set(re.findall(r"uri: https://([^/]+)/", text))
    assert hosts == {"example.signalwire.com"}
