"""Every cassette and every answer of the emulator, held by openapi-core to openapi/streams.yaml
and to SignalWire's own published schemas (openapi/vendor/signalwire-compatibility-streams.json).

The spec is the source of truth: a recorded exchange or an emulator answer that it does not
describe is a bug in one of them, to be fixed there, not here. Requests and responses are
handed to openapi-core's OpenAPI 3.1 validators as werkzeug objects (openapi-core's own
werkzeug adapters); nothing in this file checks a field by hand.

The base URL: the spec's server is `https://{space}.signalwire.com/api/laml/2010-04-01`.
Cassettes are recorded with the host rewritten to example.signalwire.com (tests/helpers/cassettes.py),
so their URIs match it as they are. The emulator serves the same path prefix on a loopback
host: only its scheme and host are swapped for the cassettes' Space, the path is kept as sent,
so the validator still matches (and checks) the `/api/laml/2010-04-01` prefix. The same routes
below the Space's root (`/2010-04-01/…`, with `.json`, as the `signalwire` 2.x SDK calls them)
are validated as the operation they are: the prefix and the `.json` format suffix are mapped to
the documented path first.

The vendor's schemas are SignalWire's word on the answers: exactly the documented keys, a
conference stream's `name` null when none was given, `{code, message, more_info, status}` for
its errors and `{"errors": [text]}` for a conference stream's 422. Every answer of the emulator
must fit the schema the vendor gives its status; an answer with a status the vendor does not
list for the operation (405, 411, 413, an injected 429 or 500…), or to a request outside the
four operations, must still carry the vendor's error body. Only the requests are not held to
the vendor: its request schemas name two of the 99 custom parameter pairs and forbid the rest
(`unevaluatedProperties`), and type every id as a UUID, which stop-by-name and the docs' own
example ids are not.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
from openapi_core import Config, OpenAPI, V31RequestValidator, V31ResponseValidator
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import (
    OperationNotFound,
    PathNotFound,
    ServerNotFound,
)
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingRequiredRequestBody,
    RequestBodyValidationError,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import DataValidationError, InvalidData
from openapi_core.validation.schemas import oas31_schema_validators_factory
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from signalwire_streams.testing import Emulator
from vcr.request import Request as VcrRequest
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

from tests.helpers.cassettes import CASSETTES, REPLAY_HOST
from tests.helpers.paths import SPEC, VENDOR_SPEC

SPACE = f"https://{REPLAY_HOST}"
FORM = "application/x-www-form-urlencoded"
WSS = "wss://receiver.example.com/audio"
_FORM_HEADER = {"Content-Type": FORM}
# Transport framing, which the spec does not describe: werkzeug sets the length from the body
# and the host from the URL given to it (a Host header would override the Space's host).
FRAMING_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
# Cassettes never hold the Authorization header: vcr_options filters it so that no secret is
# recorded. Every recorded request did send Basic credentials, as the client always does (the
# 401 cassettes a wrong token; the emulator answers nothing else without the right ones). The
# spec requires the header, and openapi-core checks only that it is there and says Basic, so
# a placeholder stands in for the removed one; recorded_request() asserts that it really was
# removed. The emulator's requests below carry their real header, or none where that is the
# point of the exchange.
PLACEHOLDER_AUTHORIZATION = "Basic " + base64.b64encode(b"placeholder:placeholder").decode()

API = OpenAPI.from_file_path(
    str(SPEC),
    config=Config(
        request_validator_cls=V31RequestValidator, response_validator_cls=V31ResponseValidator
    ),
)
ERROR_RESPONSE = API.spec / "components" / "responses" / "Error" / "content"


def vendor_document(extract: dict[str, Any]) -> dict[str, Any]:
    """The vendor's extract as the OpenAPI document it was cut from: its operations under
    `paths`, its schemas, parameters and security scheme under `components`, unchanged."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in extract["operations"].values():
        paths.setdefault(operation["path"], {})[operation["method"]] = operation["op"]
    return {
        "openapi": "3.1.0",
        "info": {"title": extract["source"], "version": "2010-04-01"},
        "servers": extract["servers"],
        "security": extract["security"],
        "paths": paths,
        "components": {
            "schemas": extract["schemas"],
            "parameters": extract["parameters"],
            "securitySchemes": extract["securitySchemes"],
        },
    }


VENDOR = OpenAPI.from_dict(
    vendor_document(json.loads(VENDOR_SPEC.read_text())),
    config=Config(
        request_validator_cls=V31RequestValidator, response_validator_cls=V31ResponseValidator
    ),
)
VENDOR_ERROR = oas31_schema_validators_factory.create(
    VENDOR.spec, VENDOR.spec / "components" / "schemas" / "CompatibilityErrorResponse"
)


def validate_against_vendor(request: Any, response: Any) -> bool:
    """Hold an answer to SignalWire's published schemas: True when the vendor documents its
    status for the operation (and it fits that status's schema), False when it does not
    (and the body is still the vendor's error)."""
    try:
        VENDOR.validate_response(request, response)
    except (PathNotFound, OperationNotFound, ResponseNotFound):
        assert response.content_type.partition(";")[0] == "application/json"
        VENDOR_ERROR.validate(json.loads(response.data))
        return False
    return True


class _Response(Response):
    """A werkzeug response that keeps a missing Content-Type missing (no text/plain default)."""

    default_mimetype = None


def openapi_request(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes
) -> WerkzeugOpenAPIRequest:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in headers if k.lower() not in FRAMING_HEADERS]
    request = EnvironBuilder(
        method=method,
        base_url=f"{parts.scheme}://{parts.netloc}",
        path=parts.path,
        query_string=parts.query,
        headers=kept,
        data=body,
    ).get_request()
    return WerkzeugOpenAPIRequest(request)


def openapi_response(
    status: int, headers: list[tuple[str, str]], body: bytes
) -> WerkzeugOpenAPIResponse:
    kept = [(k, v) for k, v in headers if k.lower() not in FRAMING_HEADERS]
    return WerkzeugOpenAPIResponse(_Response(body, status=status, headers=kept))


# Cassettes


@dataclass(frozen=True)
class Interaction:
    request: VcrRequest
    response: dict[str, Any]


def cassette_interactions() -> Iterator[Any]:
    """One pytest param per recorded interaction of every cassette, found by glob."""
    for path in sorted(CASSETTES.rglob("*.yaml")):
        requests, responses = deserialize(path.read_text(), yamlserializer)[:2]
        name = path.relative_to(CASSETTES).with_suffix("").as_posix()
        for index, (request, response) in enumerate(zip(requests, responses, strict=True)):
            yield pytest.param(Interaction(request, response), id=f"{name}#{index}")


INTERACTIONS = list(cassette_interactions())


def recorded_request(interaction: Interaction) -> WerkzeugOpenAPIRequest:
    request = interaction.request
    headers = [(k, v) for k, values in request.headers.items() for v in _listed(values)]
    assert not any(k.lower() == "authorization" for k, _ in headers), "a cassette kept a secret"
    headers.append(("Authorization", PLACEHOLDER_AUTHORIZATION))
    body = request.body or b""
    return openapi_request(request.method, request.uri, headers, body)


def recorded_response(interaction: Interaction) -> WerkzeugOpenAPIResponse:
    response = interaction.response
    headers = [(k, v) for k, values in response["headers"].items() for v in _listed(values)]
    return openapi_response(response["status"]["code"], headers, response["body"]["string"])


def _listed(values: str | list[str]) -> list[str]:
    return [values] if isinstance(values, str) else values


def test_cassettes_are_found() -> None:
    """The glob really finds the recorded traffic, so the parametrised test cannot be empty."""
    assert len(INTERACTIONS) >= 40
    assert {p.values[0].response["status"]["code"] for p in INTERACTIONS} >= {200, 400, 401, 404}


@pytest.mark.parametrize("interaction", INTERACTIONS)
def test_cassette_interaction_conforms(interaction: Interaction) -> None:
    request = recorded_request(interaction)
    API.validate_request(request)
    API.validate_response(request, recorded_response(interaction))
    validate_against_vendor(request, recorded_response(interaction))


# The emulator


@dataclass(frozen=True)
class Sent:
    """One exchange with the emulator: the httpx response and the exact body that was sent."""

    response: httpx.Response
    body: bytes


Send = Callable[[Emulator, httpx.Client], Sent]


@dataclass(frozen=True)
class Exchange:
    """A request to the emulator, the status it must get, and what the spec says of it.

    `rejected` is None when the spec describes the request as valid, else the openapi-core
    error the spec's validation must raise for it: the emulator then refuses what the spec
    forbids. For a request outside the spec (an unknown path or a method the spec has no
    operation for), the spec cannot say which response is right, so the body is checked
    against the spec's own Error response, the one every described operation answers with.
    """

    id: str
    send: Send
    status: int
    rejected: type[Exception] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    injected_body: bool = False
    """The body is the test's own, injected to stand for another shape (not the vendor's)."""


def _calls(emu: Emulator, parent: str, kind: str = "Calls") -> str:
    return f"/Accounts/{emu.project_id}/{kind}/{parent}/Streams"


# The same API below the Space's root, as the `signalwire` 2.x SDK calls it.
ROOT_PREFIX = "/2010-04-01"
DOCUMENTED_PREFIX = "/api/laml/2010-04-01"


def _root(emu: Emulator, path: str) -> str:
    """An absolute URL below /2010-04-01 (a relative one would go below base_url)."""
    return emu.base_url.removesuffix(DOCUMENTED_PREFIX) + ROOT_PREFIX + path


def _conferences(emu: Emulator, parent: str) -> str:
    return _calls(emu, parent, "Conferences")


def _post(client: httpx.Client, path: str, pairs: list[tuple[str, str]] | dict[str, str]) -> Sent:
    """POST an ordered form body, duplicates included, exactly as given."""
    items = list(pairs.items()) if isinstance(pairs, dict) else pairs
    body = urlencode(items).encode()
    return Sent(client.post(path, content=body, headers=_FORM_HEADER), body)


def _stream(client: httpx.Client, path: str, **fields: str) -> dict[str, Any]:
    """Create a stream as the arrange step of an exchange; not itself an exchange."""
    response = client.post(path, content=urlencode({"Url": WSS, **fields}), headers=_FORM_HEADER)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


_ALL_CALL_FIELDS = {
    "Url": WSS,
    "Name": "transcriber",
    "Track": "inbound_track",
    "StatusCallback": "https://hooks.example.com/streams?leg=a",
    "StatusCallbackMethod": "GET",
    "AuthorizationBearerToken": "ws-token-not-a-secret",
    "Parameter1.Name": "customer",
    "Parameter1.Value": "42",
    "Parameter2.Name": "lang",
    "Parameter2.Value": "en-US",
    "Parameter3.Name": "note",
    "Parameter3.Value": "a&b=c %20",
}
_ALL_CONFERENCE_FIELDS = {
    **_ALL_CALL_FIELDS,
    "Track": "outbound_track",
    "StatusCallbackMethod": "POST",
    "StreamCodec": "L16@16000h",
    "StreamRealTime": "true",
}
_NINETY_NINE = [("Url", WSS)] + [
    (f"Parameter{n}.{part}", f"{part.lower()}{n}")
    for n in range(1, 100)
    for part in ("Name", "Value")
]


def _create(kind: str, fields: list[tuple[str, str]] | dict[str, str]) -> Send:
    def send(emu: Emulator, client: httpx.Client) -> Sent:
        parent = emu.add_call() if kind == "Calls" else emu.add_conference()
        return _post(client, _calls(emu, parent, kind), fields)

    return send


def _stop(kind: str, by: str, form: dict[str, str] | None = None, *, end: bool = False) -> Send:
    """Create a named stream, then stop it by sid, by name or by an unknown name."""

    def send(emu: Emulator, client: httpx.Client) -> Sent:
        parent = emu.add_call() if kind == "Calls" else emu.add_conference()
        path = _calls(emu, parent, kind)
        created = _stream(client, path, Name="my stream")
        if end:
            (emu.end_call if kind == "Calls" else emu.end_conference)(parent)
        target = {"sid": created["sid"], "name": "my stream", "unknown": "no-such-stream"}[by]
        return _post(client, f"{path}/{quote(target, safe='')}", form or {"Status": "stopped"})

    return send


def _stop_twice(emu: Emulator, client: httpx.Client) -> Sent:
    path = _calls(emu, emu.add_call())
    sid = _stream(client, path)["sid"]
    assert client.post(f"{path}/{sid}", content="Status=stopped", headers=_FORM_HEADER).is_success
    return _post(client, f"{path}/{sid}", {"Status": "stopped"})


def _duplicate_name(emu: Emulator, client: httpx.Client) -> Sent:
    path = _calls(emu, emu.add_call())
    _stream(client, path, Name="twice")
    return _post(client, path, {"Url": WSS, "Name": "twice"})


def _ended(kind: str) -> Send:
    def send(emu: Emulator, client: httpx.Client) -> Sent:
        if kind == "Calls":
            parent = emu.add_call()
            emu.end_call(parent)
        else:
            parent = emu.add_conference()
            emu.end_conference(parent)
        return _post(client, _calls(emu, parent, kind), {"Url": WSS})

    return send


def _as(auth: httpx.Auth | None) -> Send:
    """A create sent with other credentials (None: with none at all)."""

    def send(emu: Emulator, client: httpx.Client) -> Sent:
        body = urlencode({"Url": WSS}).encode()
        with httpx.Client(base_url=emu.base_url, auth=auth) as other:
            path = _calls(emu, emu.add_call())
            return Sent(other.post(path, content=body, headers=_FORM_HEADER), body)

    return send


def _other_account(emu: Emulator, client: httpx.Client) -> Sent:
    path = _calls(emu, emu.add_call()).replace(emu.project_id, "another-account", 1)
    return _post(client, path, {"Url": WSS})


def _unknown_parent(kind: str, *, wrong_kind: bool = False) -> Send:
    def send(emu: Emulator, client: httpx.Client) -> Sent:
        parent = "no-such-parent"
        if wrong_kind:
            parent = emu.add_call() if kind == "Conferences" else emu.add_conference()
        return _post(client, _calls(emu, parent, kind), {"Url": WSS})

    return send


def _raw(method: str, path: Callable[[Emulator], str], body: bytes = b"", **options: Any) -> Send:
    """Any method, any path, any body: for the requests the spec does not describe."""

    def send(emu: Emulator, client: httpx.Client) -> Sent:
        return Sent(client.request(method, path(emu), content=body, **options), body)

    return send


def _chunked(emu: Emulator, client: httpx.Client) -> Sent:
    body = urlencode({"Url": WSS}).encode()
    response = client.post(_calls(emu, emu.add_call()), content=iter([body]), headers=_FORM_HEADER)
    assert response.request.headers["transfer-encoding"] == "chunked"
    return Sent(response, body)


def _at_root(kind: str, stop_by: str | None = None, *, known: bool = True) -> Send:
    """A create (or, with `stop_by`, a stop by "sid" or "name") below /2010-04-01, with the
    `.json` suffix, as the `signalwire` 2.x SDK sends it."""

    def send(emu: Emulator, client: httpx.Client) -> Sent:
        if known:
            parent = emu.add_call() if kind == "Calls" else emu.add_conference()
        else:
            parent = "no-such-parent"
        path = _calls(emu, parent, kind)
        fields = {"Url": WSS}
        if stop_by is not None:
            created = _stream(client, path, Name="my stream")
            path += "/" + quote(created["sid"] if stop_by == "sid" else "my stream", safe="")
            fields = {"Status": "stopped"}
        body = urlencode(fields).encode()
        url = _root(emu, path + ".json")
        return Sent(client.post(url, content=body, headers=_FORM_HEADER), body)

    return send


def _fault(status: int, payload: object = None, **options: Any) -> Send:
    def send(emu: Emulator, client: httpx.Client) -> Sent:
        emu.fail_next(status, payload, **options)
        return _post(client, _calls(emu, emu.add_call()), {"Url": WSS})

    return send


EXCHANGES = [
    # Successes: every route, every field.
    Exchange("call-create-minimal", _create("Calls", {"Url": WSS}), 200),
    Exchange("call-create-all-fields", _create("Calls", _ALL_CALL_FIELDS), 200),
    Exchange("call-create-99-parameters", _create("Calls", _NINETY_NINE), 200),
    Exchange("conference-create-minimal", _create("Conferences", {"Url": WSS}), 200),
    Exchange("conference-create-all-fields", _create("Conferences", _ALL_CONFERENCE_FIELDS), 200),
    Exchange("call-stop-by-sid", _stop("Calls", "sid"), 200),
    Exchange("call-stop-by-name", _stop("Calls", "name"), 200),
    Exchange("conference-stop-by-sid", _stop("Conferences", "sid"), 200),
    Exchange("conference-stop-by-name", _stop("Conferences", "name"), 200),
    Exchange("call-stop-already-stopped", _stop_twice, 200),
    Exchange("call-stop-after-call-ended", _stop("Calls", "sid", end=True), 200),
    # 400: fields the spec itself forbids; the emulator refuses them too.
    Exchange("400-missing-url", _create("Calls", {"Name": "x"}), 400, InvalidRequestBody),
    Exchange("400-empty-body", _create("Calls", {}), 400, MissingRequiredRequestBody),
    Exchange(
        "400-track-not-in-enum",
        _create("Calls", {"Url": WSS, "Track": "sideways"}),
        400,
        InvalidRequestBody,
    ),
    Exchange(
        "400-callback-method-not-in-enum",
        _create("Calls", {"Url": WSS, "StatusCallbackMethod": "PUT"}),
        400,
        InvalidRequestBody,
    ),
    Exchange(
        "400-codec-not-in-enum",
        _create("Conferences", {"Url": WSS, "StreamCodec": "MP3"}),
        400,
        InvalidRequestBody,
    ),
    Exchange(
        "400-real-time-not-a-boolean",
        _create("Conferences", {"Url": WSS, "StreamRealTime": "maybe"}),
        400,
        RequestBodyValidationError,
    ),
    Exchange(
        "400-json-body",
        _raw(
            "POST",
            lambda emu: _calls(emu, emu.add_call()),
            json.dumps({"Url": WSS}).encode(),
            headers={"Content-Type": "application/json"},
        ),
        400,
        RequestBodyValidationError,
    ),
    Exchange(
        "400-stop-without-status", _stop("Calls", "sid", {"Name": "x"}), 400, InvalidRequestBody
    ),
    Exchange(
        "400-stop-status-not-stopped",
        _stop("Calls", "sid", {"Status": "in-progress"}),
        400,
        InvalidRequestBody,
    ),
    # 400: rules the spec states in prose, or not at all; to it the requests conform.
    Exchange("400-ws-url", _create("Calls", {"Url": "ws://receiver.example.com/audio"}), 400),
    Exchange("400-url-with-query", _create("Calls", {"Url": WSS + "?a=1"}), 400),
    Exchange(
        "400-relative-status-callback",
        _create("Calls", {"Url": WSS, "StatusCallback": "/hooks"}),
        400,
    ),
    Exchange(
        "400-parameter-name-without-value",
        _create("Calls", {"Url": WSS, "Parameter5.Name": "lonely"}),
        400,
    ),
    Exchange(
        "400-parameter-100",
        _create("Calls", {"Url": WSS, "Parameter100.Name": "a", "Parameter100.Value": "b"}),
        400,
    ),
    Exchange(
        "400-duplicate-field", _create("Calls", [("Url", WSS), ("Name", "a"), ("Name", "b")]), 400
    ),
    Exchange("400-duplicate-name", _duplicate_name, 400),
    # 401
    Exchange("401-no-credentials", _as(None), 401, SecurityValidationError),
    Exchange("401-wrong-token", _as(httpx.BasicAuth("someone", "wrong-token")), 401),
    Exchange("401-other-account", _other_account, 401),
    # 404
    Exchange("404-unknown-call", _unknown_parent("Calls"), 404),
    Exchange("404-unknown-conference", _unknown_parent("Conferences"), 404),
    Exchange("404-conference-sid-as-call", _unknown_parent("Calls", wrong_kind=True), 404),
    Exchange("404-call-sid-as-conference", _unknown_parent("Conferences", wrong_kind=True), 404),
    Exchange("404-unknown-call-stream", _stop("Calls", "unknown"), 404),
    Exchange("404-unknown-conference-stream", _stop("Conferences", "unknown"), 404),
    Exchange(
        "404-unknown-path",
        _raw("POST", lambda emu: f"/Accounts/{emu.project_id}/Calls/c/Recordings", b"Url=x"),
        404,
        PathNotFound,
    ),
    Exchange(
        "404-outside-the-api",
        _raw("GET", lambda emu: f"/Accounts/{emu.project_id}/Calls", headers=_FORM_HEADER),
        404,
        PathNotFound,
    ),
    # 405: the spec has POST only, so any other method is outside it.
    Exchange(
        "405-get-streams",
        _raw("GET", lambda emu: _calls(emu, emu.add_call())),
        405,
        OperationNotFound,
        {"allow": "POST"},
    ),
    Exchange(
        "405-delete-stream",
        _raw("DELETE", lambda emu: _conferences(emu, emu.add_conference()) + "/some-sid"),
        405,
        OperationNotFound,
        {"allow": "POST"},
    ),
    # 411 and 413: the body's framing and size, which the spec does not limit.
    Exchange("411-chunked-body", _chunked, 411),
    Exchange(
        "413-body-over-one-mebibyte",
        _create("Calls", {"Url": WSS, "Padding": "x" * (1 << 20)}),
        413,
    ),
    # 422
    Exchange("422-ended-call", _ended("Calls"), 422),
    Exchange("422-ended-conference", _ended("Conferences"), 422),
    # Injected faults, each with the emulator's default SignalWire-shaped body.
    Exchange("fault-403", _fault(403), 403),
    Exchange("fault-409", _fault(409), 409),
    Exchange(
        "fault-429", _fault(429, headers={"Retry-After": "3"}), 429, headers={"retry-after": "3"}
    ),
    Exchange("fault-500", _fault(500), 500),
    Exchange("fault-502", _fault(502), 502),
    Exchange("fault-503", _fault(503), 503),
    Exchange("fault-504", _fault(504), 504),
    Exchange(
        "fault-503-errors-list",
        _fault(503, {"errors": [{"code": "30010", "message": "busy", "more_info": "x"}]}),
        503,
        injected_body=True,
    ),
    Exchange(
        "fault-500-errors-text",
        _fault(500, {"errors": ["Internal error"]}),
        500,
        injected_body=True,
    ),
    # The same routes below the Space's root, with `.json`, as the signalwire 2.x SDK calls.
    Exchange("root-call-create", _at_root("Calls"), 200),
    Exchange("root-call-stop-by-sid", _at_root("Calls", "sid"), 200),
    Exchange("root-call-stop-by-name", _at_root("Calls", "name"), 200),
    Exchange("root-conference-create", _at_root("Conferences"), 200),
    Exchange("root-conference-stop-by-name", _at_root("Conferences", "name"), 200),
    Exchange("root-404-unknown-call", _at_root("Calls", known=False), 404),
    Exchange("root-404-unknown-conference", _at_root("Conferences", known=False), 404),
]


@pytest.fixture(scope="module")
def rest_emulator() -> Iterator[Emulator]:
    with Emulator(media=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def client(rest_emulator: Emulator) -> Iterator[httpx.Client]:
    auth = (rest_emulator.project_id, rest_emulator.api_token)
    with httpx.Client(base_url=rest_emulator.base_url, auth=auth) as c:
        yield c


def exchange(emu: Emulator, client: httpx.Client, send: Send) -> tuple[Any, Any]:
    """Send, then turn the request and the answer into openapi-core's werkzeug objects."""
    sent = send(emu, client)
    request, response = sent.response.request, sent.response
    root = httpx.URL(emu.base_url)
    assert (request.url.scheme, request.url.netloc) == (root.scheme, root.netloc)
    path = request.url.raw_path.decode("ascii")
    if path.startswith(ROOT_PREFIX + "/"):
        # The route the root serves is the documented one, `.json` being the format.
        path = DOCUMENTED_PREFIX + path[len(ROOT_PREFIX) :].removesuffix(".json")
    url = SPACE + path
    return (
        openapi_request(request.method, url, request.headers.multi_items(), sent.body),
        openapi_response(response.status_code, response.headers.multi_items(), response.content),
    )


def test_exchanges_cover_every_route_and_status() -> None:
    ids = [e.id for e in EXCHANGES]
    assert len(ids) == len(set(ids))
    assert {e.status for e in EXCHANGES} >= {200, 400, 401, 404, 405, 411, 413, 422, 429, 500, 503}
    assert {i.split("-")[1] for i in ids if i.startswith("root-")} >= {"call", "conference", "404"}
    # Every status the vendor documents, on both kinds of stream.
    for kind in ("call", "conference"):
        assert {e.status for e in EXCHANGES if kind in e.id} >= {200, 404, 422}


@pytest.mark.parametrize("case", EXCHANGES, ids=lambda e: e.id)
def test_emulator_exchange_conforms(
    rest_emulator: Emulator, client: httpx.Client, case: Exchange
) -> None:
    request, response = exchange(rest_emulator, client, case.send)
    assert response.status_code == case.status, response.data
    for name, value in case.headers.items():
        assert response.headers.get(name) == value
    if case.rejected is None:
        API.validate_request(request)
    else:
        with pytest.raises(case.rejected) as rejection:
            API.validate_request(request)
        assert type(rejection.value) is case.rejected
    if case.rejected in (PathNotFound, OperationNotFound):
        # No operation to answer for: the body must still be the spec's Error.
        assert response.content_type in ERROR_RESPONSE
        schema = ERROR_RESPONSE / response.content_type / "schema"
        validator = oas31_schema_validators_factory.create(API.spec, schema)
        validator.validate(json.loads(response.data))
    else:
        API.validate_response(request, response)
    if case.injected_body:
        with pytest.raises((DataValidationError, InvalidSchemaValue)):
            validate_against_vendor(request, response)
    else:
        documented = validate_against_vendor(request, response)
        # Each of the four operations documents these: its own schema was the one applied.
        if case.rejected not in (PathNotFound, OperationNotFound):
            assert documented or case.status not in (200, 400, 401, 404, 422)


def test_an_html_error_page_is_outside_the_spec(
    rest_emulator: Emulator, client: httpx.Client
) -> None:
    """The emulator can stand in for a proxy's HTML error page; the spec rightly has no such
    answer (the facade copes with it, see test_errors.py), and openapi-core says so."""
    request, response = exchange(
        rest_emulator, client, _fault(502, "<html><body>Bad Gateway</body></html>")
    )
    API.validate_request(request)
    with pytest.raises(DataValidationError):
        API.validate_response(request, response)


# The validation can fail: tampered copies of conforming traffic are rejected.


def _cassette(name: str) -> Interaction:
    return next(p.values[0] for p in INTERACTIONS if p.id == name)


CREATED = "test_cassettes/test_create_and_stop_by_name[sync]#0"
CONFERENCE = "test_cassettes/test_conference_create_and_stop[sync]#0"
REFUSED = "test_cassettes/test_404_unknown_call[sync]#0"


def _with_body(interaction: Interaction, change: Callable[[dict[str, Any]], object]) -> bytes:
    body = json.loads(interaction.response["body"]["string"])
    change(body)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("name", "change"),
    [
        (CREATED, lambda b: b.update(status=5)),
        (CREATED, lambda b: b.update(sid=None)),
        (CREATED, lambda b: b.update(call_sid=["a", "b"])),
        (CONFERENCE, lambda b: b.update(conference_sid=7)),
        (REFUSED, lambda b: b.update(code=1.5)),
        (REFUSED, lambda b: b.update(errors=[{"code": None}])),
        (REFUSED, lambda b: b.update(errors="not a list")),
    ],
    ids=[
        "status-int",
        "sid-null",
        "call-sid-list",
        "conference-sid-int",
        "error-code-float",
        "error-detail-code-null",
        "errors-not-list",
    ],
)
def test_a_tampered_response_body_is_rejected(
    name: str, change: Callable[[dict[str, Any]], object]
) -> None:
    interaction = _cassette(name)
    request = recorded_request(interaction)
    API.validate_response(request, recorded_response(interaction))
    status = interaction.response["status"]["code"]
    tampered = openapi_response(
        status, [("Content-Type", "application/json")], _with_body(interaction, change)
    )
    with pytest.raises(InvalidData):
        API.validate_response(request, tampered)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        *[
            (CREATED, lambda b, key=key: b.pop(key))
            for key in ("sid", "account_sid", "call_sid", "name", "status", "date_updated", "uri")
        ],
        (CREATED, lambda b: b.update(api_version="2010-04-01", error_code=None)),
        (CREATED, lambda b: b.update(name=None)),
        (CREATED, lambda b: b.update(status="paused")),
        (CONFERENCE, lambda b: b.pop("name")),
        (CONFERENCE, lambda b: b.update(call_sid=b["conference_sid"])),
    ],
    ids=[
        *[f"without-{key}" for key in ("sid", "account", "call", "name", "status", "date", "uri")],
        "api-version-and-error-code",
        "call-stream-name-null",
        "unknown-status",
        "conference-without-name",
        "conference-with-call-sid",
    ],
)
def test_the_vendor_refuses_what_our_spec_tolerates(
    name: str, change: Callable[[dict[str, Any]], object]
) -> None:
    """Our spec is lenient on purpose (openapi/streams.yaml says why); SignalWire's schemas
    are not, and the check on the emulator's answers uses theirs: every key required, no
    other allowed, the status from its enum, a null name on a conference stream only."""
    interaction = _cassette(name)
    request = recorded_request(interaction)
    tampered = openapi_response(
        200, [("Content-Type", "application/json")], _with_body(interaction, change)
    )
    API.validate_response(request, tampered)
    with pytest.raises(InvalidData):
        VENDOR.validate_response(request, tampered)


def test_the_vendor_accepts_a_conference_stream_without_a_name() -> None:
    interaction = _cassette(CONFERENCE)
    request = recorded_request(interaction)
    body = _with_body(interaction, lambda b: b.update(name=None))
    VENDOR.validate_response(
        request, openapi_response(200, [("Content-Type", "application/json")], body)
    )


@pytest.mark.parametrize(
    ("name", "status", "body"),
    [
        (CREATED, 422, {"errors": ["Stream cannot be started"]}),
        (CONFERENCE, 422, {"code": 21220, "message": "m", "more_info": "u", "status": 422}),
        (REFUSED, 404, {"code": 20404, "message": "m", "more_info": "u", "status": 404, "x": 1}),
        (REFUSED, 404, {"code": 20404, "message": "m", "status": 404}),
        (REFUSED, 404, {"errors": [{"code": 20404, "message": "m", "more_info": "u"}]}),
    ],
    ids=["call-422-list", "conference-422-flat", "extra-key", "no-more-info", "errors-of-objects"],
)
def test_the_vendor_refuses_an_error_body_of_another_shape(
    name: str, status: int, body: dict[str, Any]
) -> None:
    """SignalWire documents the flat error for every status but a conference stream's 422,
    which is `{"errors": [text]}`; our spec reads any of the shapes."""
    request = recorded_request(_cassette(name))
    tampered = openapi_response(
        status, [("Content-Type", "application/json")], json.dumps(body).encode()
    )
    API.validate_response(request, tampered)
    with pytest.raises(InvalidData):
        VENDOR.validate_response(request, tampered)


@pytest.mark.parametrize(
    "headers",
    [[("Content-Type", "text/plain")], []],
    ids=["text-plain", "no-content-type"],
)
def test_a_response_that_is_not_json_is_rejected(headers: list[tuple[str, str]]) -> None:
    interaction = _cassette(CREATED)
    request = recorded_request(interaction)
    tampered = openapi_response(200, headers, interaction.response["body"]["string"])
    with pytest.raises(DataValidationError):
        API.validate_response(request, tampered)


@pytest.mark.parametrize(
    ("name", "change", "error"),
    [
        (CREATED, lambda f: f.update(Track="sideways"), InvalidRequestBody),
        (CREATED, lambda f: f.pop("Url"), InvalidRequestBody),
        (CREATED, lambda f: f.update(StatusCallbackMethod="get"), InvalidRequestBody),
        (CONFERENCE, lambda f: f.update(StreamCodec="OPUS"), InvalidRequestBody),
        # Not "yes": openapi-core casts form booleans leniently (yes, on, 1 pass; the
        # emulator takes only true and false), so only a non-boolean word is refused.
        (CONFERENCE, lambda f: f.update(StreamRealTime="maybe"), RequestBodyValidationError),
    ],
    ids=["track", "no-url", "method-lowercase", "codec", "real-time"],
)
def test_a_tampered_request_body_is_rejected(
    name: str, change: Callable[[dict[str, str]], object], error: type[Exception]
) -> None:
    interaction = _cassette(name)
    API.validate_request(recorded_request(interaction))
    fields = dict(httpx.QueryParams(interaction.request.body.decode()).multi_items())
    change(fields)
    tampered = openapi_request(
        "POST",
        interaction.request.uri,
        [("Content-Type", FORM), ("Authorization", PLACEHOLDER_AUTHORIZATION)],
        urlencode(fields).encode(),
    )
    with pytest.raises(error) as rejection:
        API.validate_request(tampered)
    assert type(rejection.value) is error


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (f"{SPACE}/Accounts/a/Calls/c/Streams", ServerNotFound),
        (f"{SPACE}/api/laml/2099-01-01/Accounts/a/Calls/c/Streams", ServerNotFound),
        ("http://127.0.0.1:8080/api/laml/2010-04-01/Accounts/a/Calls/c/Streams", ServerNotFound),
        (f"{SPACE}/api/laml/2010-04-01/Accounts/a/Calls/c/Streams/s/Extra", PathNotFound),
    ],
    ids=["no-prefix", "other-version", "not-a-space", "too-deep"],
)
def test_a_request_off_the_base_url_is_rejected(url: str, error: type[Exception]) -> None:
    headers = [("Content-Type", FORM), ("Authorization", PLACEHOLDER_AUTHORIZATION)]
    with pytest.raises(error):
        API.validate_request(openapi_request("POST", url, headers, b"Url=wss%3A%2F%2Fx"))


def test_the_error_schema_check_can_fail() -> None:
    """The check used for answers outside the spec rejects a body that is not an Error."""
    schema = ERROR_RESPONSE / "application/json" / "schema"
    validator = oas31_schema_validators_factory.create(API.spec, schema)
    validator.validate({"code": 20404, "message": "m", "status": 404})
    with pytest.raises(InvalidSchemaValue):
        validator.validate({"code": 20404, "status": "404"})
