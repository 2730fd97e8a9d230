"""Create and stop, call and conference streams, through both clients against the emulator."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from signalwire_streams import (
    AsyncClient,
    BadRequestError,
    Client,
    NotFoundError,
    Stream,
    StreamStatus,
    UnprocessableEntityError,
)
from signalwire_streams.testing import Emulator

from tests.helpers.clients import WSS_URL, Api


def test_create_sends_every_field_and_returns_the_stream(api: Api) -> None:
    call = api.emulator.add_call()
    stream = api.run(
        lambda c: c.streams.create(
            call,
            WSS_URL,
            name="transcriber",
            track="inbound_track",
            status_callback="https://hooks.example.com/stream",
            status_callback_method="GET",
            parameters={"customer": "42", "lang": "en-US"},
            authorization_bearer_token="ws-secret",
        )
    )
    assert isinstance(stream, Stream)
    assert uuid.UUID(stream.sid)
    assert stream.call_sid == call
    assert stream.conference_sid is None
    assert stream.account_sid == api.emulator.project_id
    assert stream.name == "transcriber"
    assert stream.status is StreamStatus.IN_PROGRESS
    assert stream.status == "in-progress"
    # SignalWire's published schema has neither; the emulator answers exactly its keys.
    assert stream.api_version is None
    assert stream.error_code is None
    assert stream.uri is not None and stream.uri.endswith(f"/Streams/{stream.sid}.json")
    assert stream.date_updated is not None and stream.date_updated.tzinfo is not None
    assert abs(stream.date_updated - datetime.now(UTC)) < timedelta(minutes=1)

    (request,) = api.emulator.requests
    assert request.path.endswith(f"/Accounts/{api.emulator.project_id}/Calls/{call}/Streams")
    assert request.form == (
        ("Url", WSS_URL),
        ("Name", "transcriber"),
        ("Track", "inbound_track"),
        ("StatusCallback", "https://hooks.example.com/stream"),
        ("StatusCallbackMethod", "GET"),
        ("AuthorizationBearerToken", "ws-secret"),
        ("Parameter1.Name", "customer"),
        ("Parameter1.Value", "42"),
        ("Parameter2.Name", "lang"),
        ("Parameter2.Value", "en-US"),
    )
    (record,) = api.emulator.streams(call)
    assert record.parameters == {"customer": "42", "lang": "en-US"}
    assert record.authorization_bearer_token == "ws-secret"


def test_track_and_callback_method_are_always_sent(api: Api) -> None:
    call = api.emulator.add_call()
    api.run(lambda c: c.streams.create(call, WSS_URL))
    assert api.emulator.requests[0].form == (
        ("Url", WSS_URL),
        ("Track", "both_tracks"),
        ("StatusCallbackMethod", "POST"),
    )


def test_stop_by_sid(api: Api) -> None:
    call = api.emulator.add_call()
    created = api.run(lambda c: c.streams.create(call, WSS_URL))
    stopped = api.run(lambda c: c.streams.stop(call, created.sid))
    assert stopped.sid == created.sid
    assert stopped.status is StreamStatus.STOPPED
    assert api.emulator.requests[-1].fields == {"Status": "stopped"}
    assert api.emulator.streams(call)[0].status == "stopped"


@pytest.mark.parametrize("name", ["transcriber", "my stream", "naïve ünïcode", "a&b=c%20d?e#f"])
def test_stop_by_name_is_path_encoded(api: Api, name: str) -> None:
    call = api.emulator.add_call()
    created = api.run(lambda c: c.streams.create(call, WSS_URL, name=name))
    stopped = api.run(lambda c: c.streams.stop(call, name))
    assert (stopped.sid, stopped.name, stopped.status) == (created.sid, name, "stopped")
    assert api.emulator.requests[-1].path.endswith("/Streams/" + _quoted(name))


def _quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def test_99_parameters_are_expanded_in_order(api: Api) -> None:
    call = api.emulator.add_call()
    parameters = {f"key{i}": f"value {i} & more=%" for i in range(1, 100)}
    api.run(lambda c: c.streams.create(call, WSS_URL, parameters=parameters))
    fields = api.emulator.requests[0].fields
    for i in range(1, 100):
        assert fields[f"Parameter{i}.Name"] == f"key{i}"
        assert fields[f"Parameter{i}.Value"] == f"value {i} & more=%"
    assert api.emulator.streams(call)[0].parameters == parameters
    assert list(api.emulator.streams(call)[0].parameters) == list(parameters)


def test_extra_fields_pass_through(api: Api) -> None:
    call = api.emulator.add_call()
    api.run(lambda c: c.streams.create(call, WSS_URL, extra_fields={"Codec": "L16@16000h"}))
    assert api.emulator.requests[0].fields["Codec"] == "L16@16000h"
    assert api.emulator.streams(call)[0].extra_fields == {"Codec": "L16@16000h"}


def test_conference_stream_create_and_stop(api: Api) -> None:
    conference = api.emulator.add_conference()
    created = api.run(
        lambda c: c.conference_streams.create(
            conference, WSS_URL, name="mix", codec="L16@16000h", real_time=True
        )
    )
    assert created.conference_sid == conference
    assert created.call_sid is None
    assert "/Conferences/" in (created.uri or "")
    fields = api.emulator.requests[0].fields
    assert (fields["StreamCodec"], fields["StreamRealTime"]) == ("L16@16000h", "true")
    stopped = api.run(lambda c: c.conference_streams.stop(conference, "mix"))
    assert (stopped.sid, stopped.status) == (created.sid, "stopped")


def test_a_conference_stream_without_a_name_reads_as_none(api: Api) -> None:
    """SignalWire answers `"name": null` for a conference stream created without one."""
    conference = api.emulator.add_conference()
    created = api.run(lambda c: c.conference_streams.create(conference, WSS_URL))
    assert created.name is None and created.sid
    stopped = api.run(lambda c: c.conference_streams.stop(conference, created.sid))
    assert (stopped.name, stopped.status) == (None, "stopped")


def test_an_ended_conference_is_unprocessable_in_the_list_shape(api: Api) -> None:
    """A conference stream's 422 is `{"errors": [text]}`: no code, the text as the message."""
    conference = api.emulator.add_conference()
    api.emulator.end_conference(conference)
    with pytest.raises(UnprocessableEntityError) as info:
        api.run(lambda c: c.conference_streams.create(conference, WSS_URL))
    assert info.value.code is None
    assert info.value.message == "Stream cannot be started for a conference in its current state"


def test_names_are_unique_per_call(api: Api) -> None:
    call, other = api.emulator.add_call(), api.emulator.add_call()
    api.run(lambda c: c.streams.create(call, WSS_URL, name="asr"))
    with pytest.raises(BadRequestError):
        api.run(lambda c: c.streams.create(call, WSS_URL, name="asr"))
    api.run(lambda c: c.streams.create(other, WSS_URL, name="asr"))


def test_unknown_call_and_stream_are_not_found(api: Api) -> None:
    with pytest.raises(NotFoundError) as info:
        api.run(lambda c: c.streams.create(str(uuid.uuid4()), WSS_URL))
    assert info.value.status_code == 404 and info.value.code == 20404
    call = api.emulator.add_call()
    with pytest.raises(NotFoundError):
        api.run(lambda c: c.streams.stop(call, "no-such-stream"))


def test_ended_call_is_unprocessable(api: Api) -> None:
    call = api.emulator.add_call()
    api.emulator.end_call(call)
    with pytest.raises(UnprocessableEntityError) as info:
        api.run(lambda c: c.streams.create(call, WSS_URL))
    assert info.value.code == 21220


def test_unknown_status_and_extra_keys_are_kept_leniently(api: Api) -> None:
    api.emulator.fail_next(
        200,
        {"sid": "ST-not-a-uuid", "status": "paused", "date_updated": "not a date", "new": 1},
    )
    stream = api.run(lambda c: c.streams.create("CA-not-a-uuid", WSS_URL))
    assert stream.sid == "ST-not-a-uuid"
    assert stream.status == "paused" and not isinstance(stream.status, StreamStatus)
    assert stream.date_updated is None
    assert stream.name is None and stream.call_sid is None


def test_stream_is_immutable(api: Api) -> None:
    call = api.emulator.add_call()
    stream = api.run(lambda c: c.streams.create(call, WSS_URL))
    with pytest.raises(AttributeError):
        stream.sid = "other"


def test_user_http_client_is_used_and_left_open(emulator: Emulator) -> None:
    seen: list[str] = []
    http = httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]})
    with Client(
        emulator.project_id, emulator.api_token, emulator.base_url, http_client=http
    ) as client:
        client.streams.create(emulator.add_call(), WSS_URL)
    assert len(seen) == 1 and seen[0].endswith("/Streams")
    assert not http.is_closed
    assert emulator.requests[0].status == 200
    http.close()


async def test_async_client_runs_concurrent_creates_and_stops(emulator: Emulator) -> None:
    calls = [emulator.add_call() for _ in range(20)]
    async with AsyncClient(emulator.project_id, emulator.api_token, emulator.base_url) as client:
        streams = await asyncio.gather(*(client.streams.create(c, WSS_URL) for c in calls))
        assert {s.call_sid for s in streams} == set(calls)
        stopped = await asyncio.gather(
            *(client.streams.stop(s.call_sid or "", s.sid) for s in streams)
        )
    assert all(s.status == "stopped" for s in stopped)
    assert len(emulator.requests) == 40
