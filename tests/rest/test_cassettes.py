"""Recorded traffic, replayed offline with the network blocked: the exact wire format.

Replay is the default (pytest-recording's record mode `none`). scripts/record_cassettes
re-records against the emulator, or against a real Space; see tests/helpers/cassettes.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from signalwire_streams import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamStatus,
    UnprocessableEntityError,
)
from signalwire_streams.testing import Emulator

from tests.helpers.cassettes import (
    ACCOUNT,
    PARENT,
    REPLAY_SPACE,
    REPLAY_TOKEN,
    Scrubber,
    Target,
    space_credentials,
    vcr_options,
)
from tests.helpers.clients import WSS_URL, Api

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

emulator_only = pytest.mark.skipif(
    space_credentials() is not None, reason="needs the emulator's fault injection"
)


@pytest.fixture
def target(record_mode: str) -> Iterator[Target]:
    if record_mode == "none":
        settings = {"project_id": ACCOUNT, "api_token": REPLAY_TOKEN, "space": REPLAY_SPACE}
        yield Target("replay", settings, PARENT, PARENT)
        return
    credentials = space_credentials()
    if credentials is not None:
        settings = {
            "project_id": credentials["SWS_RECORD_PROJECT_ID"],
            "api_token": credentials["SWS_RECORD_API_TOKEN"],
            "space": credentials["SWS_RECORD_SPACE"],
        }
        yield Target(
            "space",
            settings,
            credentials["SWS_RECORD_CALL_SID"],
            credentials["SWS_RECORD_CONFERENCE_SID"],
        )
        return
    with Emulator() as emulator:
        settings = {
            "project_id": emulator.project_id,
            "api_token": emulator.api_token,
            "space": emulator.base_url,
        }
        yield Target("emulator", settings, emulator.add_call(), emulator.add_conference(), emulator)


@pytest.fixture
def vcr_config(target: Target) -> dict[str, Any]:
    return vcr_options(Scrubber(real_host=target.real_host))


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, target: Target) -> Iterator[Api]:
    with asyncio.Runner() as runner:
        api = Api(request.param, runner, target.settings, target.emulator)
        try:
            yield api
        finally:
            api.close()


def test_create_and_stop_by_name(api: Api, target: Target) -> None:
    call = target.call_sid
    created = api.run(
        lambda c: c.streams.create(
            call,
            WSS_URL,
            name="transcriber",
            track="inbound_track",
            status_callback="https://hooks.example.com/streams",
            parameters={"customer": "42", "lang": "en-US"},
            authorization_bearer_token="ws-token-filtered-from-cassettes",
        )
    )
    assert (created.call_sid, created.account_sid) == (call, api.client.project_id)
    assert created.name == "transcriber"
    assert created.status is StreamStatus.IN_PROGRESS
    assert created.date_updated is not None and created.date_updated.tzinfo is not None
    stopped = api.run(lambda c: c.streams.stop(call, "transcriber"))
    assert (stopped.sid, stopped.status) == (created.sid, StreamStatus.STOPPED)


def test_create_and_stop_by_sid(api: Api, target: Target) -> None:
    call = target.call_sid
    created = api.run(lambda c: c.streams.create(call, WSS_URL))
    assert uuid.UUID(created.sid)
    stopped = api.run(lambda c: c.streams.stop(call, created.sid))
    assert (stopped.sid, stopped.status) == (created.sid, "stopped")


@pytest.mark.parametrize("count", [1, 99])
def test_custom_parameters(api: Api, target: Target, count: int) -> None:
    call = target.call_sid
    parameters = {f"name{i}": f"value {i}: a&b=c %20" for i in range(1, count + 1)}
    created = api.run(lambda c: c.streams.create(call, WSS_URL, parameters=parameters))
    assert created.status == "in-progress"
    api.run(lambda c: c.streams.stop(call, created.sid))


def test_conference_create_and_stop(api: Api, target: Target) -> None:
    conference = target.conference_sid
    created = api.run(
        lambda c: c.conference_streams.create(
            conference, WSS_URL, name="mix", codec="PCMU", real_time=True
        )
    )
    assert created.conference_sid == conference
    stopped = api.run(lambda c: c.conference_streams.stop(conference, "mix"))
    assert (stopped.sid, stopped.status) == (created.sid, "stopped")


def test_401_wrong_token(api: Api, target: Target) -> None:
    client = api.make(api_token="wrong-token-for-this-test")
    with pytest.raises(AuthenticationError) as info:
        api.run(lambda c: c.streams.create(target.call_sid, WSS_URL), client)
    assert info.value.code == 20003


def test_404_unknown_call(api: Api, target: Target) -> None:
    unknown = PARENT if target.mode == "replay" else str(uuid.uuid4())
    with pytest.raises(NotFoundError) as info:
        api.run(lambda c: c.streams.create(unknown, WSS_URL))
    assert info.value.code == 20404


def test_404_unknown_stream(api: Api, target: Target) -> None:
    with pytest.raises(NotFoundError):
        api.run(lambda c: c.streams.stop(target.call_sid, "no-such-stream"))


@emulator_only
def test_400_duplicate_name(api: Api, target: Target) -> None:
    call = target.call_sid
    api.run(lambda c: c.streams.create(call, WSS_URL, name="twice"))
    with pytest.raises(BadRequestError) as info:
        api.run(lambda c: c.streams.create(call, WSS_URL, name="twice"))
    assert info.value.code == 10000
    api.run(lambda c: c.streams.stop(call, "twice"))


@emulator_only
def test_422_ended_call(api: Api, target: Target) -> None:
    target.end_call()
    with pytest.raises(UnprocessableEntityError) as info:
        api.run(lambda c: c.streams.create(target.call_sid, WSS_URL))
    assert info.value.code == 21220


@emulator_only
@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (403, PermissionDeniedError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_error_status(
    api: Api, target: Target, status: int, error_type: type[APIStatusError]
) -> None:
    target.fault(status, headers={"Retry-After": "0"})
    client = api.make(max_retries=0)
    with pytest.raises(error_type) as info:
        api.run(lambda c: c.streams.create(target.call_sid, WSS_URL), client)
    assert info.value.status_code == status
    assert info.value.message


@emulator_only
def test_503_is_retried_then_succeeds(api: Api, target: Target) -> None:
    target.fault(503, headers={"Retry-After": "0"})
    created = api.run(lambda c: c.streams.create(target.call_sid, WSS_URL))
    assert created.status == "in-progress"
