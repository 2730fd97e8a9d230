"""The emulator, exercised over real loopback HTTP (httpx and twilio-python), no mocks.

These pin the contract that the library's own tests and recorded cassettes rely on.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
from signalwire_streams.testing import Emulator, EmulatorError, RecordedRequest, StreamRecord
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.http.response import Response  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

# Made once: building an SSL context per httpx client would dominate this file's run time.
TLS = ssl.create_default_context()
WSS = "wss://media.example.com/audio"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
Pairs = list[tuple[str, str]]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(verify=TLS, base_url=emu.base_url, auth=(emu.project_id, emu.api_token)) as c:
        yield c


def streams_path(emu: Emulator, parent: str, kind: str = "Calls") -> str:
    return f"/Accounts/{emu.project_id}/{kind}/{parent}/Streams"


def post(client: httpx.Client, path: str, pairs: Pairs | dict[str, str]) -> httpx.Response:
    """Send an ordered form body, duplicates included, as the service expects it."""
    items = list(pairs.items()) if isinstance(pairs, dict) else pairs
    return client.post(path, content=urlencode(items), headers=FORM)


def create(client: httpx.Client, emu: Emulator, parent: str, **fields: str) -> dict[str, Any]:
    response = post(client, streams_path(emu, parent), {"Url": WSS, **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_error(response: httpx.Response, status: int, code: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["more_info"].startswith("https://")
    assert fragment in body["message"]


# Creating and stopping


def test_create_answers_the_documented_json(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    before = datetime.now(UTC) - timedelta(seconds=2)
    response = post(client, streams_path(emu, call), {"Url": WSS, "Name": "n1"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    # Exactly the keys of SignalWire's published CallStreamResponse: no api_version, no
    # error_code (only the older docs page shows those).
    assert set(body) == {
        "sid",
        "account_sid",
        "call_sid",
        "name",
        "status",
        "date_updated",
        "uri",
    }
    assert str(uuid.UUID(body["sid"])) == body["sid"]
    assert body["account_sid"] == emu.project_id
    assert body["call_sid"] == call
    assert body["name"] == "n1"
    assert body["status"] == "in-progress"
    assert body["date_updated"].endswith(" +0000")
    updated = parsedate_to_datetime(body["date_updated"])
    assert updated.tzinfo is not None
    assert before <= updated <= datetime.now(UTC) + timedelta(seconds=2)
    assert body["uri"] == (
        f"/api/laml/2010-04-01/Accounts/{emu.project_id}/Calls/{call}/Streams/{body['sid']}.json"
    )


def test_create_without_name_uses_the_sid_as_name(emu: Emulator, client: httpx.Client) -> None:
    """A call stream's `name` is a required string in SignalWire's schema."""
    body = create(client, emu, emu.add_call())
    assert body["name"] == body["sid"]


def test_a_conference_stream_without_a_name_has_a_null_name(
    emu: Emulator, client: httpx.Client
) -> None:
    """As SignalWire's ConferenceStreamResponse documents: null when none was given."""
    conf = emu.add_conference()
    path = streams_path(emu, conf, "Conferences")
    body = post(client, path, {"Url": WSS}).json()
    assert set(body) == {
        "sid",
        "account_sid",
        "conference_sid",
        "name",
        "status",
        "date_updated",
        "uri",
    }
    assert body["name"] is None
    stopped = post(client, f"{path}/{body['sid']}", {"Status": "stopped"}).json()
    assert (stopped["name"], stopped["status"]) == (None, "stopped")
    assert post(client, path, {"Url": WSS, "Name": "mix"}).json()["name"] == "mix"


def test_create_records_every_field(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    body = create(
        client,
        emu,
        call,
        Name="rec",
        Track="inbound_track",
        StatusCallback="https://hooks.example.com/status",
        StatusCallbackMethod="GET",
        AuthorizationBearerToken="s3cret-bearer",
        **{
            "Parameter2.Name": "b",
            "Parameter2.Value": "",
            "Parameter1.Name": "a",
            "Parameter1.Value": "1",
            "Codec": "PCMU",
        },
    )
    [record] = emu.streams(call)
    assert record.sid == body["sid"]
    assert record.parent_sid == call
    assert record.kind == "call"
    assert record.name == "rec"
    assert record.status == "in-progress"
    assert record.url == WSS
    assert record.track == "inbound_track"
    assert record.status_callback == "https://hooks.example.com/status"
    assert record.status_callback_method == "GET"
    assert list(record.parameters.items()) == [("a", "1"), ("b", "")]
    assert record.codec is None
    assert record.real_time is None
    assert record.extra_fields == {"Codec": "PCMU"}
    assert record.authorization_bearer_token == "s3cret-bearer"
    assert record.date_updated == parsedate_to_datetime(body["date_updated"])
    assert "s3cret-bearer" not in repr(record)


def test_unsent_optional_fields_are_none(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    create(client, emu, call)
    [record] = emu.streams(call)
    assert (record.name, record.track, record.status_callback_method) == (None, None, None)
    assert record.parameters == {}
    assert record.authorization_bearer_token is None


def test_stop_by_sid(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    sid = create(client, emu, call, Name="x")["sid"]
    response = post(client, f"{streams_path(emu, call)}/{sid}", {"Status": "stopped"})
    assert response.status_code == 200
    body = response.json()
    assert (body["sid"], body["status"], body["name"], body["call_sid"]) == (
        sid,
        "stopped",
        "x",
        call,
    )
    assert emu.streams(call)[0].status == "stopped"


@pytest.mark.parametrize("name", ["my stream", "a/b", "x.json", "é?&=#%"])
def test_stop_by_url_encoded_name(emu: Emulator, client: httpx.Client, name: str) -> None:
    call = emu.add_call()
    sid = create(client, emu, call, Name=name)["sid"]
    path = f"{streams_path(emu, call)}/{quote(name, safe='')}.json"
    response = post(client, path, {"Status": "stopped"})
    assert response.status_code == 200, response.text
    assert response.json()["sid"] == sid
    assert response.json()["name"] == name


def test_json_suffix_is_accepted(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    response = post(client, streams_path(emu, call) + ".json", {"Url": WSS})
    assert response.status_code == 200
    sid = response.json()["sid"]
    response = post(client, f"{streams_path(emu, call)}/{sid}.json", {"Status": "stopped"})
    assert response.json()["status"] == "stopped"


def test_stop_is_idempotent(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    sid = create(client, emu, call)["sid"]
    path = f"{streams_path(emu, call)}/{sid}"
    first = post(client, path, {"Status": "stopped"}).json()
    second = post(client, path, {"Status": "stopped"})
    assert second.status_code == 200
    assert second.json() == first


def test_stop_by_name_prefers_the_live_stream(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    old = create(client, emu, call, Name="n")["sid"]
    path = f"{streams_path(emu, call)}/n"
    assert post(client, path, {"Status": "stopped"}).json()["sid"] == old
    new = create(client, emu, call, Name="n")["sid"]
    assert post(client, path, {"Status": "stopped"}).json()["sid"] == new
    # With none live, the most recent of that name answers.
    assert post(client, path, {"Status": "stopped"}).json()["sid"] == new


@pytest.mark.parametrize(
    ("form", "fragment"),
    [({}, "Status"), ({"Status": "completed"}, "Status"), ({"Status": "Stopped"}, "Status")],
)
def test_stop_needs_status_stopped(
    emu: Emulator, client: httpx.Client, form: dict[str, str], fragment: str
) -> None:
    call = emu.add_call()
    sid = create(client, emu, call)["sid"]
    assert_error(post(client, f"{streams_path(emu, call)}/{sid}", form), 400, 10000, fragment)
    assert emu.streams(call)[0].status == "in-progress"


def test_duplicate_name_is_refused_until_stopped(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    create(client, emu, call, Name="dup")
    response = post(client, streams_path(emu, call), {"Url": WSS, "Name": "dup"})
    assert_error(response, 400, 10000, "already in use")
    assert len(emu.streams(call)) == 1
    post(client, f"{streams_path(emu, call)}/dup", {"Status": "stopped"})
    create(client, emu, call, Name="dup")
    assert [r.status for r in emu.streams(call)] == ["stopped", "in-progress"]
    # Names are per call.
    create(client, emu, emu.add_call(), Name="dup")


def test_large_body_with_99_parameters(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    pairs: Pairs = [("Url", WSS)]
    for n in range(1, 100):
        pairs += [(f"Parameter{n}.Name", f"p{n}"), (f"Parameter{n}.Value", "v" * 10_000)]
    assert post(client, streams_path(emu, call), pairs).status_code == 200
    [record] = emu.streams(call)
    assert list(record.parameters) == [f"p{n}" for n in range(1, 100)]
    assert all(len(v) == 10_000 for v in record.parameters.values())


def test_body_over_one_mebibyte_is_refused(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    response = post(client, streams_path(emu, call), {"Url": WSS, "Big": "x" * (1 << 20)})
    assert_error(response, 413, 10000)
    assert emu.streams(call) == []
    assert emu.requests[-1].status == 413


# Conferences


def test_conference_create_and_stop_with_codec(emu: Emulator, client: httpx.Client) -> None:
    conf = emu.add_conference()
    path = streams_path(emu, conf, "Conferences")
    response = post(
        client,
        path,
        {"Url": WSS, "Name": "c", "StreamCodec": "L16@16000h", "StreamRealTime": "TRUE"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conference_sid"] == conf
    assert "call_sid" not in body
    assert body["uri"].endswith(f"/Conferences/{conf}/Streams/{body['sid']}.json")
    [record] = emu.streams(conf)
    assert (record.kind, record.codec, record.real_time, record.extra_fields) == (
        "conference",
        "L16@16000h",
        True,
        {},
    )
    stopped = post(client, f"{path}/c.json", {"Status": "stopped"})
    assert stopped.json()["status"] == "stopped"
    assert stopped.json()["conference_sid"] == conf


def test_codec_on_a_call_is_passed_through(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    create(client, emu, call, StreamCodec="anything", StreamRealTime="maybe")
    assert emu.streams(call)[0].extra_fields == {
        "StreamCodec": "anything",
        "StreamRealTime": "maybe",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("StreamCodec", "OPUS"), ("StreamCodec", "pcmu"), ("StreamRealTime", "yes")],
)
def test_conference_fields_are_validated(
    emu: Emulator, client: httpx.Client, field: str, value: str
) -> None:
    conf = emu.add_conference()
    response = post(client, streams_path(emu, conf, "Conferences"), {"Url": WSS, field: value})
    assert_error(response, 400, 10000, field)


def test_calls_and_conferences_do_not_mix(emu: Emulator, client: httpx.Client) -> None:
    conf = emu.add_conference()
    assert_error(post(client, streams_path(emu, conf), {"Url": WSS}), 404, 20404, "/Calls/")


def test_ended_conference_refuses_streams(emu: Emulator, client: httpx.Client) -> None:
    conf = emu.add_conference()
    path = streams_path(emu, conf, "Conferences")
    assert post(client, path, {"Url": WSS}).status_code == 200
    emu.end_conference(conf)
    assert emu.streams(conf)[0].status == "stopped"
    # A conference stream's 422 is SignalWire's `{"errors": [text]}`, not the flat error.
    response = post(client, path, {"Url": WSS})
    assert response.status_code == 422
    assert response.json() == {
        "errors": ["Stream cannot be started for a conference in its current state"]
    }


# Errors


@pytest.mark.parametrize(
    ("pairs", "code", "fragment"),
    [
        ([], 10000, "Url"),
        ([("Url", "")], 10000, "Url"),
        ([("Url", "ws://media.example.com/a")], 31922, "Invalid WebSocket URL"),
        ([("Url", "https://media.example.com/a")], 31922, "Invalid WebSocket URL"),
        ([("Url", "wss://")], 31922, "Invalid WebSocket URL"),
        ([("Url", "wss:///path")], 31922, "Invalid WebSocket URL"),
        ([("Url", "media.example.com/a")], 31922, "Invalid WebSocket URL"),
        ([("Url", "wss://media.example.com/a b")], 31922, "Invalid WebSocket URL"),
        ([("Url", " wss://media.example.com/a")], 31922, "Invalid WebSocket URL"),
        ([("Url", "wss://media.example.com/a?x=1")], 31922, "Invalid WebSocket URL"),
        ([("Url", "wss://media.example.com/a?")], 31922, "Invalid WebSocket URL"),
        ([("Url", "wss://media.example.com/a#frag")], 31922, "Invalid WebSocket URL"),
        ([("Url", "wss://media.example.com:port/a")], 31922, "Invalid WebSocket URL"),
        ([("Url", WSS), ("Track", "both")], 10000, "Track"),
        ([("Url", WSS), ("Track", "")], 10000, "Track"),
        ([("Url", WSS), ("StatusCallbackMethod", "PUT")], 10000, "StatusCallbackMethod"),
        ([("Url", WSS), ("StatusCallbackMethod", "post")], 10000, "StatusCallbackMethod"),
        ([("Url", WSS), ("StatusCallback", "/relative")], 10000, "StatusCallback"),
        ([("Url", WSS), ("StatusCallback", "ftp://h.example.com/x")], 10000, "StatusCallback"),
        ([("Url", WSS), ("StatusCallback", "https://")], 10000, "StatusCallback"),
        ([("Url", WSS), ("StatusCallback", "https://h.example.com/a b")], 10000, "StatusCallback"),
        ([("Url", WSS), ("Parameter1.Name", "a")], 10000, "Parameter1"),
        ([("Url", WSS), ("Parameter1.Value", "a")], 10000, "Parameter1"),
        ([("Url", WSS), ("Parameter1.Name", ""), ("Parameter1.Value", "v")], 10000, "empty"),
        ([("Url", WSS), ("Parameter0.Name", "a"), ("Parameter0.Value", "v")], 10000, "Parameter0"),
        ([("Url", WSS), ("Parameter100.Name", "a")], 10000, "Parameter100"),
        ([("Url", WSS), ("Parameter01.Name", "a")], 10000, "Parameter01"),
        ([("Url", WSS), ("Parameter1.Key", "a")], 10000, "Parameter1.Key"),
        ([("Url", WSS), ("Parameter1Name", "a")], 10000, "Parameter1Name"),
        ([("Url", WSS), ("Parameters", "a")], 10000, "Parameters"),
        ([("Url", WSS), ("parameter1.name", "a")], 10000, "parameter1.name"),
        (
            [
                ("Url", WSS),
                ("Parameter1.Name", "a"),
                ("Parameter1.Value", "1"),
                ("Parameter2.Name", "a"),
                ("Parameter2.Value", "2"),
            ],
            10000,
            "more than once",
        ),
        ([("Url", WSS), ("Url", WSS)], 10000, "more than once"),
        ([("Url", WSS), ("Name", "a"), ("Name", "b")], 10000, "Name"),
    ],
)
def test_create_validation(
    emu: Emulator, client: httpx.Client, pairs: Pairs, code: int, fragment: str
) -> None:
    call = emu.add_call()
    assert_error(post(client, streams_path(emu, call), pairs), 400, code, fragment)
    assert emu.streams(call) == []


@pytest.mark.parametrize(
    "content_type", [None, "application/json", "text/plain", "multipart/form-data"]
)
def test_body_must_be_form_encoded(
    emu: Emulator, client: httpx.Client, content_type: str | None
) -> None:
    call = emu.add_call()
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = client.post(streams_path(emu, call), content=f"Url={WSS}", headers=headers)
    assert_error(response, 400, 10000, "Content-Type")


def test_form_content_type_may_carry_a_charset(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    response = client.post(
        streams_path(emu, call), content=urlencode({"Url": WSS}), headers=headers
    )
    assert response.status_code == 200


def test_wrong_token_is_401(emu: Emulator) -> None:
    call = emu.add_call()
    with httpx.Client(verify=TLS, base_url=emu.base_url, auth=(emu.project_id, "wrong")) as c:
        response = post(c, streams_path(emu, call), {"Url": WSS})
    assert_error(response, 401, 20003, "Authentication failed")
    assert response.headers["www-authenticate"] == 'Basic realm="SignalWire"'
    assert emu.streams(call) == []


def test_missing_auth_is_401(emu: Emulator) -> None:
    call = emu.add_call()
    with httpx.Client(verify=TLS, base_url=emu.base_url) as c:
        assert_error(post(c, streams_path(emu, call), {"Url": WSS}), 401, 20003)
    assert emu.requests[-1].username is None


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic not-base64!", "Basic", "Basic bm9jb2xvbg=="]
)
def test_malformed_auth_is_401(emu: Emulator, header: str) -> None:
    call = emu.add_call()
    with httpx.Client(verify=TLS, base_url=emu.base_url) as c:
        response = c.post(
            streams_path(emu, call),
            content=urlencode({"Url": WSS}),
            headers={**FORM, "Authorization": header},
        )
    assert_error(response, 401, 20003)


def test_account_mismatch_is_401(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    response = post(client, f"/Accounts/{uuid.uuid4()}/Calls/{call}/Streams", {"Url": WSS})
    assert_error(response, 401, 20003, "Authentication failed")


def test_unknown_call_is_404(emu: Emulator, client: httpx.Client) -> None:
    unknown = str(uuid.uuid4())
    response = post(client, streams_path(emu, unknown), {"Url": WSS})
    assert_error(response, 404, 20404, f"/Calls/{unknown} was not found")


def test_unknown_stream_is_404(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    response = post(client, f"{streams_path(emu, call)}/{uuid.uuid4()}", {"Status": "stopped"})
    assert_error(response, 404, 20404, "was not found")


@pytest.mark.parametrize(
    "path",
    ["/Accounts", "/Accounts/{a}/Calls/{c}", "/Accounts/{a}/Calls/{c}/Streams/x/y", "/nope"],
)
def test_unknown_path_is_404(emu: Emulator, client: httpx.Client, path: str) -> None:
    call = emu.add_call()
    response = post(client, path.format(a=emu.project_id, c=call), {"Url": WSS})
    assert_error(response, 404, 20404)


def test_outside_the_api_prefix_is_404(emu: Emulator) -> None:
    root = emu.base_url.removesuffix("/api/laml/2010-04-01")
    with httpx.Client(verify=TLS, auth=(emu.project_id, emu.api_token)) as c:
        assert_error(c.get(root + "/"), 404, 20404)


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "PATCH"])
def test_other_methods_are_refused(emu: Emulator, client: httpx.Client, method: str) -> None:
    call = emu.add_call()
    sid = create(client, emu, call)["sid"]
    for path in (streams_path(emu, call), f"{streams_path(emu, call)}/{sid}"):
        response = client.request(method, path)
        assert response.status_code in (404, 405)
        assert response.json()["status"] == response.status_code
    assert emu.streams(call)[0].status == "in-progress"


def test_head_has_headers_only(emu: Emulator, client: httpx.Client) -> None:
    response = client.head(streams_path(emu, emu.add_call()))
    assert response.status_code == 405
    assert response.content == b""


def test_ended_call_stops_streams_and_refuses_new_ones(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    sid = create(client, emu, call)["sid"]
    emu.end_call(call)
    assert emu.streams(call)[0].status == "stopped"
    assert_error(post(client, streams_path(emu, call), {"Url": WSS}), 422, 21220, "current state")
    stopped = post(client, f"{streams_path(emu, call)}/{sid}", {"Status": "stopped"})
    assert stopped.json()["status"] == "stopped"


def test_validation_comes_before_the_ended_state(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    emu.end_call(call)
    assert_error(post(client, streams_path(emu, call), {"Url": "ws://x"}), 400, 31922)


# Fault injection


def test_fail_next_with_a_dict_body(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    emu.fail_next(503, {"errors": [{"code": "30010", "message": "busy"}]})
    response = post(client, streams_path(emu, call), {"Url": WSS})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"errors": [{"code": "30010", "message": "busy"}]}
    assert emu.streams(call) == []
    assert post(client, streams_path(emu, call), {"Url": WSS}).status_code == 200


def test_fail_next_with_html(emu: Emulator, client: httpx.Client) -> None:
    emu.fail_next(502, "<html><body>Bad Gateway</body></html>")
    response = post(client, streams_path(emu, emu.add_call()), {"Url": WSS})
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<html><body>Bad Gateway</body></html>"


def test_fail_next_with_text_and_explicit_type(emu: Emulator, client: httpx.Client) -> None:
    emu.fail_next(500, "oops")
    emu.fail_next(200, b"{not json", content_type="application/json")
    first = post(client, streams_path(emu, emu.add_call()), {"Url": WSS})
    assert (first.headers["content-type"], first.text) == ("text/plain; charset=utf-8", "oops")
    second = post(client, streams_path(emu, emu.add_call()), {"Url": WSS})
    assert (second.status_code, second.content) == (200, b"{not json")


@pytest.mark.parametrize(
    ("status", "code"), [(429, 20429), (503, 20504), (401, 20003), (404, 20404), (400, 10000)]
)
def test_fail_next_default_body(
    emu: Emulator, client: httpx.Client, status: int, code: int
) -> None:
    emu.fail_next(status, headers={"Retry-After": "7"})
    response = post(client, streams_path(emu, emu.add_call()), {"Url": WSS})
    assert response.headers["retry-after"] == "7"
    assert_error(response, status, code)
    assert response.json()["message"] == response.reason_phrase


def test_fail_next_is_fifo_with_counts(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    emu.fail_next(429, count=2, headers={"Retry-After": "1"})
    emu.fail_next(503)
    statuses = [post(client, streams_path(emu, call), {"Url": WSS}).status_code for _ in range(4)]
    assert statuses == [429, 429, 503, 200]
    assert [r.status for r in emu.requests] == [429, 429, 503, 200]
    assert len(emu.streams(call)) == 1


def test_fail_next_comes_before_auth(emu: Emulator) -> None:
    emu.fail_next(503)
    with httpx.Client(verify=TLS, base_url=emu.base_url) as c:
        assert c.get("/anything").status_code == 503
        assert c.get("/anything").status_code == 401


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": 99},
        {"status": 600},
        {"status": 500, "count": 0},
        {"status": 500, "headers": {"Content-Length": "1"}},
        {"status": 500, "headers": {"X-Bad": "a\r\nb"}},
        {"status": 500, "body": object()},
    ],
)
def test_fail_next_rejects_bad_arguments(emu: Emulator, kwargs: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        emu.fail_next(**kwargs)


# Request log and secrets


def test_request_log(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    create(client, emu, call, Name="n", AuthorizationBearerToken="bearer-secret")
    client.get(streams_path(emu, call), params={"a": "1"})
    with httpx.Client(verify=TLS, base_url=emu.base_url, auth=(emu.project_id, "nope")) as c:
        post(c, streams_path(emu, call), {"Url": WSS})

    created, got, denied = emu.requests
    assert isinstance(created, RecordedRequest)
    assert created.method == "POST"
    assert created.path == f"/api/laml/2010-04-01{streams_path(emu, call)}"
    assert created.query == ""
    assert created.form == (
        ("Url", WSS),
        ("Name", "n"),
        ("AuthorizationBearerToken", "bearer-secret"),
    )
    assert created.fields["AuthorizationBearerToken"] == "bearer-secret"
    assert created.status == 200
    assert created.username == emu.project_id
    assert (got.method, got.query, got.form, got.status) == ("GET", "a=1", (), 405)
    assert (denied.status, denied.username) == (401, emu.project_id)

    text = repr(emu.requests) + str(created)
    assert "bearer-secret" not in text
    assert "'[secure]'" in text
    assert emu.api_token not in text
    assert "nope" not in text

    emu.requests.clear()
    assert len(emu.requests) == 3
    emu.clear_requests()
    assert emu.requests == []


def test_fields_takes_the_last_value() -> None:
    recorded = RecordedRequest("POST", "/p", "", (("a", "1"), ("a", "2")), 400, None)
    assert recorded.fields == {"a": "2"}


def test_emulator_repr_hides_the_token() -> None:
    emulator = Emulator(api_token="token-that-must-not-leak")
    assert "token-that-must-not-leak" not in repr(emulator)
    with emulator:
        text = repr(emulator)
        assert emulator.base_url in text
        assert emulator.project_id in text
        assert "token-that-must-not-leak" not in text


def test_streams_are_snapshots(emu: Emulator, client: httpx.Client) -> None:
    call = emu.add_call()
    create(client, emu, call, **{"Parameter1.Name": "a", "Parameter1.Value": "1"})
    record: StreamRecord = emu.streams(call)[0]
    record.parameters["a"] = "changed"
    assert emu.streams(call)[0].parameters == {"a": "1"}
    with pytest.raises(EmulatorError):
        emu.streams(str(uuid.uuid4()))


# Lifecycle and transport


def test_lifecycle() -> None:
    emulator = Emulator("project", "token", port=0)
    with pytest.raises(EmulatorError):
        _ = emulator.base_url
    emulator.start()
    emulator.start()
    assert emulator.host == "127.0.0.1"
    assert emulator.port > 0
    assert emulator.base_url == f"http://127.0.0.1:{emulator.port}/api/laml/2010-04-01"
    assert (emulator.project_id, emulator.api_token) == ("project", "token")
    emulator.stop()
    emulator.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(emulator.base_url, verify=TLS, auth=("project", "token"))
    with pytest.raises(EmulatorError):
        emulator.start()


def test_defaults_are_fresh() -> None:
    a, b = Emulator(), Emulator()
    assert str(uuid.UUID(a.project_id)) == a.project_id
    assert a.project_id != b.project_id
    assert a.api_token != b.api_token
    assert len(a.api_token) >= 24


def test_given_sids_and_registry_errors(emu: Emulator) -> None:
    assert emu.add_call("CA-fixed") == "CA-fixed"
    with pytest.raises(ValueError):
        emu.add_conference("CA-fixed")
    with pytest.raises(EmulatorError):
        emu.end_conference("CA-fixed")
    with pytest.raises(EmulatorError):
        emu.end_call(str(uuid.uuid4()))


def test_keep_alive_serves_several_requests_per_connection(emu: Emulator) -> None:
    call = emu.add_call()
    url = urlsplit(emu.base_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    token = base64.b64encode(f"{emu.project_id}:{emu.api_token}".encode()).decode()
    headers = {**FORM, "Authorization": f"Basic {token}"}
    try:
        for _ in range(3):
            conn.request(
                "POST", f"{url.path}{streams_path(emu, call)}", urlencode({"Url": WSS}), headers
            )
            response = conn.getresponse()
            assert response.status == 200
            assert int(response.headers["Content-Length"]) == len(response.read())
        sock = conn.sock
        conn.request("GET", "/x", headers=headers)
        conn.getresponse().read()
        assert conn.sock is sock
    finally:
        conn.close()


def _handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def test_client_hanging_up_mid_request_is_quiet(
    emu: Emulator, client: httpx.Client, capfd: pytest.CaptureFixture[str]
) -> None:
    url = urlsplit(emu.base_url)
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=5) as sock:
        sock.sendall(
            f"POST {url.path}/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\nUrl=wss".encode()
        )
    deadline = time.monotonic() + 2
    while _handler_threads() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert not _handler_threads()
    assert emu.requests == []
    assert create(client, emu, emu.add_call())["status"] == "in-progress"
    assert capfd.readouterr().err == ""


def test_stop_drops_idle_keep_alive_connections() -> None:
    emulator = Emulator()
    emulator.start()
    try:
        with httpx.Client(
            verify=TLS, base_url=emulator.base_url, auth=(emulator.project_id, emulator.api_token)
        ) as c:
            assert c.get("/x").status_code == 404
            started = time.monotonic()
            emulator.stop()
            assert time.monotonic() - started < 2
            with pytest.raises(httpx.TransportError):
                c.get("/x")
    finally:
        emulator.stop()


async def test_async_client() -> None:
    async with Emulator() as emulator:
        call = emulator.add_call()
        async with httpx.AsyncClient(
            verify=TLS, base_url=emulator.base_url, auth=(emulator.project_id, emulator.api_token)
        ) as c:
            path = f"/Accounts/{emulator.project_id}/Calls/{call}/Streams"
            created = await c.post(path, data={"Url": WSS, "Name": "async"})
            assert created.status_code == 200
            stopped = await c.post(f"{path}/async.json", data={"Status": "stopped"})
            assert stopped.json()["status"] == "stopped"
    assert [r.status for r in emulator.requests] == [200, 200]


# twilio-python pointed at the emulator


class _RedirectingHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends twilio-python's requests to the emulator instead of api.twilio.com."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        prefix = "https://api.twilio.com/2010-04-01"
        if url.startswith(prefix):
            url = self.base_url + url[len(prefix) :]
        return super().request(method, url, *args, **kwargs)


def test_twilio_python_create_and_stop(emu: Emulator) -> None:
    call = emu.add_call()
    client = Client(emu.project_id, emu.api_token, http_client=_RedirectingHttpClient(emu.base_url))
    stream = client.calls(call).streams.create(
        url="wss://media.example.com/twilio",
        name="n",
        track="inbound_track",
        parameter1_name="a",
        parameter1_value="b",
    )
    assert stream.name == "n"
    assert stream.call_sid == call
    assert stream.status == "in-progress"
    assert stream.date_updated is not None

    stopped = client.calls(call).streams("n").update(status="stopped")
    assert (stopped.sid, stopped.status) == (stream.sid, "stopped")

    created, stop = emu.requests
    assert created.path.endswith(f"/Calls/{call}/Streams.json")
    assert created.fields == {
        "Url": "wss://media.example.com/twilio",
        "Name": "n",
        "Track": "inbound_track",
        "Parameter1.Name": "a",
        "Parameter1.Value": "b",
    }
    assert stop.path.endswith(f"/Calls/{call}/Streams/n.json")
    assert stop.form == (("Status", "stopped"),)
    assert (created.status, stop.status) == (200, 200)
    [record] = emu.streams(call)
    assert (record.parameters, record.status) == ({"a": "b"}, "stopped")
