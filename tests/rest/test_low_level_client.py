"""`signalwire_streams_api` used on its own, as the README shows: the generated client.

Every public entry point of the four operations (`sync_detailed`, `sync`,
`asyncio_detailed`, `asyncio`, and the `build_request` / `parse_response` pair they are made
of) runs against the emulator over real HTTP, with HTTP Basic auth, custom parameters and
documented errors read into their models.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from signalwire_streams.testing import Emulator
from signalwire_streams_api import Client
from signalwire_streams_api.api.default import (
    create_call_stream,
    create_conference_stream,
    stop_call_stream,
    stop_conference_stream,
)
from signalwire_streams_api.models import (
    CallStream,
    ConferenceStream,
    CreateCallStreamRequest,
    CreateConferenceStreamRequest,
    ErrorBody,
    StopStatus,
    StopStreamRequest,
    StreamCodec,
    StreamStatus,
    Track,
)
from signalwire_streams_api.types import RawResponse

from tests.helpers.clients import WSS_URL

STOP = StopStreamRequest(status=StopStatus.STOPPED)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(media=False) as emu:
        yield emu


def _client(emulator: Emulator, token: str | None = None) -> Client:
    return Client(emulator.base_url, auth=(emulator.project_id, token or emulator.api_token))


def test_sync_detailed_creates_and_stops_a_call_stream(emulator: Emulator) -> None:
    call = emulator.add_call()
    body = CreateCallStreamRequest(url=WSS_URL, name="asr", track=Track.INBOUND_TRACK)
    body.set_custom_parameters([("customer", "42"), ("lang", "en"), ("third", "3")])
    with _client(emulator) as client:
        created = create_call_stream.sync_detailed(
            emulator.project_id, call, client=client, body=body
        )
        assert created.status_code == 200
        assert isinstance(created.parsed, CallStream)
        assert created.parsed.status is StreamStatus.IN_PROGRESS
        stopped = stop_call_stream.sync(emulator.project_id, call, "asr", client=client, body=STOP)
    assert isinstance(stopped, CallStream) and stopped.status is StreamStatus.STOPPED
    (record,) = emulator.streams(call)
    assert record.parameters == {"customer": "42", "lang": "en", "third": "3"}
    assert record.track == "inbound_track"
    assert [request.username for request in emulator.requests] == [emulator.project_id] * 2


def test_asyncio_entry_points_run_a_conference_stream(emulator: Emulator) -> None:
    conference = emulator.add_conference()
    body = CreateConferenceStreamRequest(url=WSS_URL, stream_codec=StreamCodec.PCMA)

    async def run() -> tuple[object, object]:
        async with _client(emulator) as client:
            created = await create_conference_stream.asyncio_detailed(
                emulator.project_id, conference, client=client, body=body
            )
            assert isinstance(created.parsed, ConferenceStream)
            assert isinstance(created.parsed.sid, str)
            stopped = await stop_conference_stream.asyncio(
                emulator.project_id, conference, created.parsed.sid, client=client, body=STOP
            )
            return created.parsed, stopped

    _, stopped = asyncio.run(run())
    assert isinstance(stopped, ConferenceStream) and stopped.status is StreamStatus.STOPPED
    assert emulator.streams(conference)[0].codec == "PCMA"


def test_documented_errors_come_back_as_their_model(emulator: Emulator) -> None:
    call = emulator.add_call()
    with _client(emulator, token="wrong") as client:
        refused = stop_call_stream.sync_detailed(
            emulator.project_id, call, "asr", client=client, body=STOP
        )
    assert refused.status_code == 401
    assert isinstance(refused.parsed, ErrorBody) and refused.parsed.code == 20003
    with _client(emulator) as client:
        missing = stop_call_stream.sync_detailed(
            emulator.project_id, call, "nope", client=client, body=STOP
        )
    assert missing.status_code == 404 and isinstance(missing.parsed, ErrorBody)


def test_the_pure_halves_build_once_and_parse_anything(emulator: Emulator) -> None:
    call = emulator.add_call()
    request = create_call_stream.build_request(
        emulator.project_id, call, body=CreateCallStreamRequest(url=WSS_URL)
    )
    assert request.method == "POST" and request.path.endswith(f"/Calls/{call}/Streams")
    assert "content" not in repr(request)  # the body may carry a bearer token
    with _client(emulator) as client:
        first = create_call_stream.parse_response(client.send(request))
        second = create_call_stream.parse_response(client.send(request))
    assert isinstance(first.parsed, CallStream) and isinstance(second.parsed, CallStream)
    assert first.parsed.sid != second.parsed.sid  # the same request, sent twice
    html = RawResponse(502, httpx.Headers({"content-type": "text/html"}), b"<html>x</html>")
    unparsed = create_call_stream.parse_response(html)
    assert (unparsed.status_code, unparsed.parsed) == (502, None)


def test_the_client_hides_its_credentials_and_refuses_use_once_closed(
    emulator: Emulator,
) -> None:
    client = _client(emulator)
    assert emulator.api_token not in repr(client) and "[secure]" in repr(client)
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        create_call_stream.sync_detailed(
            emulator.project_id,
            emulator.add_call(),
            client=client,
            body=CreateCallStreamRequest(url=WSS_URL),
        )
