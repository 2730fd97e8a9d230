"""Client construction: environment, Space forms, the http:// rule, timeouts, repr, closing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from signalwire_streams import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncClient,
    Client,
    ValidationError,
)
from signalwire_streams.testing import Emulator

from tests.helpers.clients import WSS_URL

PROJECT = "aaaaaaaa-1111-4222-8333-444444444444"
TOKEN = "PTfake-token-for-tests"
CLIENTS = [Client, AsyncClient]


@pytest.fixture(params=CLIENTS, ids=["sync", "async"])
def client_type(request: pytest.FixtureRequest) -> Any:
    return request.param


def test_credentials_come_from_the_environment(
    client_type: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNALWIRE_PROJECT_ID", PROJECT)
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", TOKEN)
    monkeypatch.setenv("SIGNALWIRE_SPACE", "example")
    client = client_type()
    assert client.project_id == PROJECT
    assert client.base_url == "https://example.signalwire.com/api/laml/2010-04-01"


def test_arguments_win_over_the_environment(
    client_type: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNALWIRE_PROJECT_ID", "from-env")
    monkeypatch.setenv("SIGNALWIRE_SPACE", "envspace")
    client = client_type(PROJECT, TOKEN, "argspace")
    assert client.project_id == PROJECT
    assert client.base_url.startswith("https://argspace.signalwire.com/")


@pytest.mark.parametrize(
    ("missing", "variable"),
    [
        ("project_id", "SIGNALWIRE_PROJECT_ID"),
        ("api_token", "SIGNALWIRE_API_TOKEN"),
        ("space", "SIGNALWIRE_SPACE"),
    ],
)
def test_missing_setting_names_its_variable(client_type: Any, missing: str, variable: str) -> None:
    arguments = {"project_id": PROJECT, "api_token": TOKEN, "space": "example"}
    arguments.pop(missing)
    with pytest.raises(ValidationError) as info:
        client_type(**arguments)
    assert info.value.field == missing
    assert variable in str(info.value)


def test_empty_environment_variable_counts_as_missing(
    client_type: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", "")
    with pytest.raises(ValidationError, match="SIGNALWIRE_API_TOKEN"):
        client_type(PROJECT, space="example")


@pytest.mark.parametrize(
    ("space", "base_url"),
    [
        ("example", "https://example.signalwire.com/api/laml/2010-04-01"),
        ("example.signalwire.com", "https://example.signalwire.com/api/laml/2010-04-01"),
        ("Example.SignalWire.com", "https://example.signalwire.com/api/laml/2010-04-01"),
        ("https://example.signalwire.com", "https://example.signalwire.com/api/laml/2010-04-01"),
        ("https://example.signalwire.com/", "https://example.signalwire.com/api/laml/2010-04-01"),
        (
            "https://example.signalwire.com/api/laml/2010-04-01/",
            "https://example.signalwire.com/api/laml/2010-04-01",
        ),
        ("https://proxy.internal:8443", "https://proxy.internal:8443/api/laml/2010-04-01"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/laml/2010-04-01"),
        ("http://localhost:9", "http://localhost:9/api/laml/2010-04-01"),
        ("http://[::1]:9", "http://[::1]:9/api/laml/2010-04-01"),
        ("http://127.8.9.10", "http://127.8.9.10/api/laml/2010-04-01"),
    ],
)
def test_space_forms(client_type: Any, space: str, base_url: str) -> None:
    assert client_type(PROJECT, TOKEN, space).base_url == base_url


@pytest.mark.parametrize(
    ("space", "rule"),
    [
        ("http://example.signalwire.com", "loopback"),
        ("http://10.0.0.5:8080", "loopback"),
        ("http://localhost.example.com", "loopback"),
        ("ftp://example.signalwire.com", "https://"),
        ("https://user:pass@example.signalwire.com", "credentials"),
        ("https://example.signalwire.com?x=1", "query"),
        ("https://", "no host"),
        ("exa mple", "Space name"),
        ("", "Space name"),
        ("-bad-", "Space name"),
        ("bad_name!", "Space name"),
        ("https://example.signalwire.com:port", "valid URL"),
        ("https://a..b", "empty label"),
        ("https://example.com.", "empty label"),
        ("https://xn--a.example", "cannot be sent to"),
        ("https://a\u200db.example", "cannot be sent to"),
    ],
)
def test_bad_space_is_refused(client_type: Any, space: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as info:
        client_type(PROJECT, TOKEN, space)
    assert info.value.field == "space"


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("timeout", 0, "timeout"),
        ("timeout", -1.0, "timeout"),
        ("timeout", None, "timeout"),
        ("timeout", "30", "timeout"),
        ("timeout", httpx.Timeout(None), "timeout"),
        ("timeout", float("inf"), "timeout"),
        ("timeout", float("nan"), "timeout"),
        ("timeout", 3600.5, "timeout"),
        ("timeout", 10**400, "timeout"),
        ("timeout", httpx.Timeout(1.0, read=float("inf")), "timeout"),
        ("timeout", httpx.Timeout(-1.0), "timeout"),
        ("retry_ambiguous", "yes", "retry_ambiguous"),
        ("sleep", 1.0, "sleep"),
        ("max_retries", -1, "max_retries"),
        ("max_retries", 1.5, "max_retries"),
        ("max_retries", True, "max_retries"),
    ],
)
def test_bad_options_are_refused(client_type: Any, option: str, value: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        client_type(PROJECT, TOKEN, "example", **{option: value})
    assert info.value.field == field


def test_bad_credentials_are_refused(client_type: Any) -> None:
    with pytest.raises(ValidationError) as info:
        client_type("a/b", TOKEN, "example")
    assert info.value.field == "project_id"
    with pytest.raises(ValidationError) as info:
        client_type(PROJECT, "token with spaces", "example")
    assert info.value.field == "api_token"
    assert "token with spaces" not in str(info.value)
    for token in ("t\x00ken", "tökén", "\ud800"):
        with pytest.raises(ValidationError) as info:
            client_type(PROJECT, token, "example")
        assert info.value.field == "api_token"


def test_http_client_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"httpx\.Client"):
        Client(PROJECT, TOKEN, "example", http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"httpx\.AsyncClient"):
        AsyncClient(PROJECT, TOKEN, "example", http_client=httpx.Client())  # type: ignore[arg-type]


def test_defaults_always_include_a_timeout(client_type: Any) -> None:
    client = client_type(PROJECT, TOKEN, "example")
    assert client.timeout == DEFAULT_TIMEOUT
    assert all(
        part is not None and part > 0
        for part in (client.timeout.connect, client.timeout.read, client.timeout.write)
    )
    assert client.max_retries == DEFAULT_MAX_RETRIES == 2
    assert client_type(PROJECT, TOKEN, "example", timeout=2.5).timeout == httpx.Timeout(2.5)


def test_timeout_and_retries_not_given_come_from_the_environment(
    client_type: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployment tunes them without a code change; an argument still wins."""
    monkeypatch.setenv("SIGNALWIRE_TIMEOUT", "7.5")
    monkeypatch.setenv("SIGNALWIRE_MAX_RETRIES", "0")
    client = client_type(PROJECT, TOKEN, "example")
    assert (client.timeout, client.max_retries) == (httpx.Timeout(7.5), 0)
    given = client_type(PROJECT, TOKEN, "example", timeout=3, max_retries=5)
    assert (given.timeout, given.max_retries) == (httpx.Timeout(3), 5)
    assert client.with_options(max_retries=1).timeout == httpx.Timeout(7.5)


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("SIGNALWIRE_TIMEOUT", "30s", "timeout"),
        ("SIGNALWIRE_TIMEOUT", "0", "timeout"),
        ("SIGNALWIRE_TIMEOUT", "nan", "timeout"),
        ("SIGNALWIRE_TIMEOUT", "inf", "timeout"),
        ("SIGNALWIRE_TIMEOUT", "3601", "timeout"),
        ("SIGNALWIRE_MAX_RETRIES", "-1", "max_retries"),
        ("SIGNALWIRE_MAX_RETRIES", "1.5", "max_retries"),
        ("SIGNALWIRE_MAX_RETRIES", "two", "max_retries"),
        ("SIGNALWIRE_MAX_RETRIES", "\u0663", "max_retries"),  # an Arabic-Indic three
    ],
)
def test_a_bad_timeout_or_retries_variable_names_the_variable(
    client_type: Any, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as info:
        client_type(PROJECT, TOKEN, "example")
    assert info.value.field == field
    assert variable in str(info.value)
    # Given as an argument, the variable is not read at all.
    client_type(PROJECT, TOKEN, "example", **{field: 1})


def test_repr_shows_the_project_but_not_the_token(client_type: Any) -> None:
    client = client_type(PROJECT, TOKEN, "example")
    assert PROJECT in repr(client)
    assert TOKEN not in repr(client)
    assert TOKEN not in repr(vars(client))


def test_with_options_copies_every_setting_but_what_it_changes(client_type: Any) -> None:
    client = client_type(PROJECT, TOKEN, "example", timeout=9.0, max_retries=4)
    copy = client.with_options(max_retries=0)
    assert (copy.project_id, copy.base_url, copy.timeout) == (
        client.project_id,
        client.base_url,
        client.timeout,
    )
    assert (copy.max_retries, client.max_retries) == (0, 4)
    assert client.with_options(timeout=1.0).timeout == httpx.Timeout(1.0)
    with pytest.raises(ValidationError):
        client.with_options(max_retries=-1)


def test_sync_client_closes_and_with_options_copy_does_not(emulator: Emulator) -> None:
    client = Client(emulator.project_id, emulator.api_token, emulator.base_url)
    copy = client.with_options(max_retries=0)
    copy.close()
    copy.streams.create(emulator.add_call(), WSS_URL)
    with client:
        pass
    with pytest.raises(RuntimeError):
        client.streams.create(emulator.add_call(), WSS_URL)


async def test_async_client_closes(emulator: Emulator) -> None:
    async with AsyncClient(emulator.project_id, emulator.api_token, emulator.base_url) as client:
        await client.streams.create(emulator.add_call(), WSS_URL)
    with pytest.raises(RuntimeError):
        await client.streams.create(emulator.add_call(), WSS_URL)


def test_bad_space_from_the_environment_names_the_variable(
    client_type: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNALWIRE_SPACE", "http://example.signalwire.com")
    with pytest.raises(ValidationError, match=r"loopback .*\(from SIGNALWIRE_SPACE\)"):
        client_type(PROJECT, TOKEN)
