"""The emulator's service core, driven directly: a request value in, a response value out.

No server, no socket, no thread: what the service answers and what it keeps, by its own
rules. The same rules over real HTTP are in test_emulator.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from signalwire_streams import ValidationError
from signalwire_streams.testing import EmulatorError, Fault, StreamRecord
from signalwire_streams.testing._models import Refusal, Request, Response
from signalwire_streams.testing._service import Service

PROJECT, TOKEN = "project", "token"
WSS = "wss://media.example.com/audio"
PREFIX = "/api/laml/2010-04-01"


def basic(user: str = PROJECT, password: str = TOKEN) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def post(
    path: str, fields: dict[str, str] | list[tuple[str, str]], auth: str | None = None
) -> Request:
    headers = {
        "Authorization": auth or basic(),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return Request.of("POST", f"{PREFIX}{path}", headers, urlencode(fields).encode())


def streams(parent: str, kind: str = "Calls") -> str:
    return f"/Accounts/{PROJECT}/{kind}/{parent}/Streams"


def answered(response: Response | None) -> Response:
    assert response is not None, "the service hung up"
    return response


def body(response: Response | None) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(answered(response).body)
    return payload


class Recorder:
    """Stands in for the media engine: what the service announced, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.why: list[str] = []

    def start(self, record: StreamRecord) -> None:
        self.events.append(("start", record.sid))

    def stop(self, sid: str, why: str) -> None:
        self.events.append(("stop", sid))
        self.why.append(why)


@pytest.fixture
def media() -> Recorder:
    return Recorder()


@pytest.fixture
def service(media: Recorder) -> Service:
    return Service(PROJECT, TOKEN, on_start=media.start, on_stop=media.stop)


def test_create_then_stop_by_name(service: Service, media: Recorder) -> None:
    call = service.add_parent("call", "CA1")
    created = service.handle(post(streams(call), {"Url": WSS, "Name": "asr"}))
    assert answered(created).status == 200
    assert answered(created).content_type == "application/json"
    sid = body(created)["sid"]
    assert body(created)["status"] == "in-progress"
    assert body(created)["call_sid"] == call

    stopped = service.handle(post(f"{streams(call)}/asr.json", {"Status": "stopped"}))
    assert (body(stopped)["sid"], body(stopped)["status"]) == (sid, "stopped")
    assert media.events == [("start", sid), ("stop", sid)]
    [record] = service.streams(call)
    assert (record.name, record.status, record.track) == ("asr", "stopped", None)
    assert [(r.method, r.status, r.username) for r in service.requests] == [
        ("POST", 200, PROJECT),
        ("POST", 200, PROJECT),
    ]


def test_conference_fields_are_kept(service: Service) -> None:
    conference = service.add_parent("conference")
    fields = {"Url": WSS, "StreamCodec": "L16@16000h", "StreamRealTime": "true", "X": "1"}
    response = service.handle(post(streams(conference, "Conferences"), fields))
    assert body(response)["conference_sid"] == conference
    [record] = service.streams(conference)
    assert (record.codec, record.real_time, record.extra_fields) == ("L16@16000h", True, {"X": "1"})


@pytest.mark.parametrize(
    ("request_", "status", "code"),
    [
        (post(streams("CA1"), {"Url": WSS}, auth=basic(password="wrong")), 401, 20003),
        (post(streams("CA1"), {"Url": "ws://insecure.example.com"}), 400, 31922),
        (post(streams("CA1"), {"Url": WSS, "Track": "left"}), 400, 10000),
        (post(streams("CA1"), [("Url", WSS), ("Url", WSS)]), 400, 10000),
        (post(streams("CA1"), {"Url": WSS, "Parameter1.Name": "a"}), 400, 10000),
        (post(streams("CA-unknown"), {"Url": WSS}), 404, 20404),
        (post("/Accounts/project/Calls/CA1", {"Url": WSS}), 404, 20404),
        (Request.of("GET", f"{PREFIX}{streams('CA1')}", {"Authorization": basic()}), 405, 10000),
        (post(f"{streams('CA1')}/nonexistent", {"Status": "stopped"}), 404, 20404),
        (post(f"{streams('CA1')}/nonexistent", {"Status": "paused"}), 400, 10000),
    ],
)
def test_refusals_are_signalwire_errors_and_change_nothing(
    service: Service, media: Recorder, request_: Request, status: int, code: int
) -> None:
    service.add_parent("call", "CA1")
    payload = body(service.handle(request_))
    assert (payload["status"], payload["code"]) == (status, code)
    assert payload["more_info"].startswith("https://")
    assert service.streams("CA1") == [] and media.events == []
    assert [r.status for r in service.requests] == [status]


def test_an_ended_call_refuses_new_streams_with_422(service: Service, media: Recorder) -> None:
    call = service.add_parent("call")
    sid = body(service.handle(post(streams(call), {"Url": WSS})))["sid"]
    service.end_parent("call", call)
    assert media.events == [("start", sid), ("stop", sid)]
    assert body(service.handle(post(streams(call), {"Url": WSS})))["code"] == 21220


def test_a_body_the_shell_would_not_read_is_answered_and_logged(service: Service) -> None:
    request = Request.of("POST", f"{PREFIX}{streams('CA1')}", refusal=Refusal(413, "too big"))
    response = answered(service.handle(request))
    assert (response.status, response.close, body(response)["message"]) == (413, True, "too big")
    assert [r.status for r in service.requests] == [413]


def test_faults_meet_requests_in_order_and_say_how_to_deliver(
    service: Service, media: Recorder
) -> None:
    call = service.add_parent("call")
    service.inject(Fault.status(503), count=2)
    service.inject(Fault.drop_after_read())
    service.inject(Fault.delay(1.5))
    service.inject(Fault.truncated_body())
    create = post(streams(call), {"Url": WSS})

    assert [answered(service.handle(create)).status for _ in range(2)] == [503, 503]
    assert service.streams(call) == []  # a status fault does not act
    assert service.handle(create) is None  # dropped after acting: one stream
    assert len(service.streams(call)) == 1
    late = answered(service.handle(create))
    assert (late.status, late.delay, late.truncated) == (200, 1.5, False)
    cut = answered(service.handle(create))
    assert (cut.status, cut.truncated) == (200, True)
    normal = answered(service.handle(create))
    assert (normal.delay, normal.truncated) == (0.0, False)

    log = service.requests
    assert [r.status for r in log] == [503, 503, None, 200, 200, 200]
    assert [r.fault for r in log] == [
        "status 503",
        "status 503",
        "drop after read",
        "delay 1.5 s",
        "truncated body",
        None,
    ]
    assert len(media.events) == 4


def test_a_drop_before_read_is_logged_unanswered_and_does_not_act(service: Service) -> None:
    call = service.add_parent("call")
    service.inject(Fault.drop_before_read())
    fault = service.take_fault()
    assert service.answer(post(streams(call), {"Url": WSS}), fault) is None
    assert service.streams(call) == []
    [logged] = service.requests
    assert (logged.status, logged.fault) == (None, "drop before read")


def test_reshape_changes_the_answer_after_acting(service: Service) -> None:
    call = service.add_parent("call")
    service.inject(Fault.reshape({"status": "paused"}, remove=("sid",)))
    payload = body(service.handle(post(streams(call), {"Url": WSS})))
    assert payload["status"] == "paused" and "sid" not in payload
    assert len(service.streams(call)) == 1


def test_state_errors_and_bad_arguments(service: Service) -> None:
    service.add_parent("call", "CA1")
    with pytest.raises(ValidationError, match=r"^sid: 'CA1' is already registered$"):
        service.add_parent("conference", "CA1")
    with pytest.raises(ValidationError, match=r"^sid: "):
        service.add_parent("call", "")
    with pytest.raises(EmulatorError, match="no conference 'CA1'"):
        service.end_parent("conference", "CA1")
    with pytest.raises(EmulatorError, match="no call or conference"):
        service.streams("CA2")
    with pytest.raises(ValidationError, match=r"^count: "):
        service.inject(Fault.status(500), 0)
    with pytest.raises(ValidationError, match=r"^fault: must be a Fault"):
        service.inject("503", 1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^status: "):
        Fault.status(600)
    with pytest.raises(ValidationError, match=r"^body: "):
        Fault.status(500, object())


def test_the_request_value_hides_credentials_from_repr() -> None:
    request = post(streams("CA1"), {"AuthorizationBearerToken": "bearer-secret"})
    assert request.header("authorization") == basic()
    assert TOKEN not in repr(request) and "bearer-secret" not in repr(request)
    assert Request.of("GET", "http://host/p?q=1").path == "/p"
    assert Request.of("GET", "/p?q=1").query == "q=1"
