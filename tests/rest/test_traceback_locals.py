"""No credential in the locals of a frame of ours that a traceback can show.

Error trackers (Sentry, `traceback.TracebackException(capture_locals=True)`) record the repr
of every local of every frame an exception passes through, its causes included. Each case
below fails with an API token, a bearer token or both in play (as arguments, or in the
environment), and every frame of this package's code (the facade and the generated client)
in the rendered chain must be free of them, in plain text and in base64 (Basic auth).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import signalwire_streams
from signalwire_streams import AsyncClient, Client
from signalwire_streams.testing import Emulator

from tests.helpers.scripted_server import ScriptedServer
from tests.helpers.tracebacks import OURS, assert_locals_clean, raised

TOKEN = "api-token-b3c9f1d7e2a4"
BEARER = "bearer-token-7e1c05aa9d"
WSS = "wss://receiver.example.com/audio"
CALL = "9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(media=False, api_token=TOKEN) as emu:
        yield emu


def _sync_create(space: str, **options: Any) -> Callable[[], Any]:
    def call() -> Any:
        with Client("6f2a4c1e-1b2d-4e5f-8a9b-0c1d2e3f4a5b", TOKEN, space, timeout=1) as client:
            return client.streams.create(CALL, WSS, authorization_bearer_token=BEARER, **options)

    return call


def _async_create(space: str, **options: Any) -> Callable[[], Any]:
    async def run() -> Any:
        project = "6f2a4c1e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
        async with AsyncClient(project, TOKEN, space, timeout=1) as client:
            return await client.streams.create(
                CALL, WSS, authorization_bearer_token=BEARER, **options
            )

    return lambda: asyncio.run(run())


@pytest.mark.parametrize(
    "arguments",
    [
        {"space": "not a space!"},
        {"space": "example", "timeout": -1},
        {"space": "example", "max_response_size": 0},
        {"space": "http://example.signalwire.com"},
    ],
    ids=["space", "timeout", "max_response_size", "plain-http"],
)
@pytest.mark.parametrize("client_type", [Client, AsyncClient])
def test_a_bad_setting_shows_no_token(client_type: type, arguments: dict[str, Any]) -> None:
    error = raised(lambda: client_type("project", TOKEN, **arguments))
    assert_locals_clean(error, TOKEN)


def test_a_token_from_the_environment_is_not_shown_through_os_environ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", TOKEN)
    assert_locals_clean(raised(lambda: Client("project", None, "not a space!")), TOKEN)
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", TOKEN + " with spaces")
    assert_locals_clean(raised(lambda: Client("project", None, "example")), TOKEN)


@pytest.mark.parametrize("create", [_sync_create, _async_create], ids=["sync", "async"])
@pytest.mark.parametrize(
    "options",
    [
        {"parameters": {"customer": 42}},
        {"track": "sideways"},
        {"extra_fields": {"Url": "wss://elsewhere.example.com"}},
    ],
    ids=["parameters", "track", "extra_fields"],
)
def test_a_bad_argument_beside_a_bearer_token_shows_neither_token(
    create: Callable[..., Callable[[], Any]], options: dict[str, Any], emulator: Emulator
) -> None:
    assert_locals_clean(raised(create(emulator.base_url, **options)), TOKEN, BEARER)


def test_a_bad_bearer_token_is_refused_without_being_shown(emulator: Emulator) -> None:
    def call() -> Any:
        with Client("project", TOKEN, emulator.base_url) as client:
            return client.streams.create(CALL, WSS, authorization_bearer_token=BEARER + "\ud800")

    error = raised(call)
    assert "authorization_bearer_token" in str(error)
    assert_locals_clean(error, TOKEN, BEARER)


@pytest.mark.parametrize("create", [_sync_create, _async_create], ids=["sync", "async"])
def test_a_refused_answer_shows_no_token(
    create: Callable[..., Callable[[], Any]], emulator: Emulator
) -> None:
    error = raised(create(emulator.base_url))  # 401: the project id is not the emulator's
    assert getattr(error, "status_code", None) == 401
    assert_locals_clean(error, TOKEN, BEARER)


@pytest.mark.parametrize("create", [_sync_create, _async_create], ids=["sync", "async"])
@pytest.mark.parametrize("script", ["drip-headers", "reset-mid-body", "gzip-bomb"])
def test_a_failed_exchange_shows_no_token(
    create: Callable[..., Callable[[], Any]], script: str
) -> None:
    with ScriptedServer(script) as server:
        error = raised(create(server.url))
    assert_locals_clean(error, TOKEN, BEARER)


def test_through_an_httpx_client_of_the_caller_s_too() -> None:
    with ScriptedServer("drip-headers") as server, httpx.Client() as http:

        def call() -> Any:
            project = "6f2a4c1e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
            with Client(project, TOKEN, server.url, timeout=1, http_client=http) as client:
                return client.streams.create(CALL, WSS, authorization_bearer_token=BEARER)

        error = raised(call)
    assert_locals_clean(error, TOKEN, BEARER)


def test_the_check_can_fail() -> None:
    """A frame holding the token in plain text is caught: the test sees what it must."""

    def careless(token: str) -> None:
        raise signalwire_streams.ValidationError("x", "y")

    careless.__code__ = careless.__code__.replace(co_filename=f"{OURS[0]}/careless.py")
    error = raised(lambda: careless(TOKEN))
    with pytest.raises(AssertionError, match="shows a secret"):
        assert_locals_clean(error, TOKEN)
