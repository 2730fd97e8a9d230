"""Every error status and every unusable body becomes the right typed error."""

from __future__ import annotations

from typing import Any

import pytest
from signalwire_streams import (
    APIResponseError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SignalWireError,
    UnprocessableEntityError,
)

from tests.helpers.clients import WSS_URL, Api

FLAT = {
    "code": 10000,
    "message": "Invalid argument",
    "more_info": "https://developer.signalwire.com/errors/10000",
    "status": 400,
}
NESTED = {"errors": [{"code": "30010", "message": "Not allowed here", "more_info": "https://m"}]}
PLAIN = {"errors": ["Url is not reachable", "second"]}
DEFAULT_MORE_INFO = "https://developer.signalwire.com/compatibility-api/reference/error-codes"
HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"

# (status, body, headers, error type, code, message, more_info)
CASES: list[tuple[int, Any, dict[str, str], type[APIStatusError], Any, str, str | None]] = [
    (400, FLAT, {}, BadRequestError, 10000, "Invalid argument", FLAT["more_info"]),
    (401, None, {}, AuthenticationError, 20003, "Unauthorized", DEFAULT_MORE_INFO),
    (403, NESTED, {}, PermissionDeniedError, "30010", "Not allowed here", "https://m"),
    (404, PLAIN, {}, NotFoundError, None, "Url is not reachable", None),
    (409, {"code": 21220, "message": "Busy"}, {}, ConflictError, 21220, "Busy", None),
    (422, None, {}, UnprocessableEntityError, 10000, "Unprocessable Entity", DEFAULT_MORE_INFO),
    (
        429,
        None,
        {"Retry-After": "7"},
        RateLimitError,
        20429,
        "Too Many Requests",
        DEFAULT_MORE_INFO,
    ),
    (500, None, {}, ServerError, 20504, "Internal Server Error", DEFAULT_MORE_INFO),
    (502, HTML, {}, ServerError, None, "Bad Gateway: 502 Bad Gateway", None),
    (503, "", {}, ServerError, None, "Service Unavailable", None),
    (
        504,
        "upstream timed out\n\n",
        {},
        ServerError,
        None,
        "Gateway Timeout: upstream timed out",
        None,
    ),
    (418, [1, 2], {}, APIStatusError, None, "I'm a Teapot", None),
    (400, {"code": True, "message": 5, "errors": "x"}, {}, BadRequestError, None, "x", None),
    (400, {"code": True, "message": 5}, {}, BadRequestError, None, "Bad Request", None),
]


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_type", "code", "message", "more_info"), CASES
)
def test_status_becomes_typed_error(
    api: Api,
    status: int,
    body: Any,
    headers: dict[str, str],
    error_type: type[APIStatusError],
    code: Any,
    message: str,
    more_info: str | None,
) -> None:
    client = api.make(max_retries=0)
    api.emulator.fail_next(status, body, headers={"X-Request-Id": "req-123", **headers})
    with pytest.raises(APIStatusError) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL), client)
    error = info.value
    assert type(error) is error_type
    assert error.status_code == status
    assert error.code == code
    assert error.message.lower().startswith(message.lower())
    assert error.more_info == more_info
    assert error.request_id == "req-123"
    assert error.attempts == 1
    assert isinstance(error.body, bytes)
    assert str(status) in str(error) and len(str(error)) < 200
    if "Retry-After" in headers:
        assert error.retry_after == 7.0
    else:
        assert error.retry_after is None


def test_long_body_stays_on_the_attribute_not_in_the_message(api: Api) -> None:
    client = api.make(max_retries=0)
    body = "x" * 100_000
    api.emulator.fail_next(500, body)
    with pytest.raises(ServerError) as info:
        api.run(lambda c: c.streams.stop("CA1", "ST1"), client)
    assert len(str(info.value)) < 200
    assert info.value.body == body.encode()


def test_every_api_error_is_a_signalwire_error() -> None:
    for error_type in (APIResponseError, APIStatusError, RateLimitError, ServerError):
        assert issubclass(error_type, SignalWireError)


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (200, "not json", "is not JSON"),
        (200, "<html><body>ok</body></html>", "is not JSON"),
        (200, b"\xff\xfe\x00", "is not JSON"),
        (200, [], "is not a JSON object"),
        (200, "null", "is not a JSON object"),
        (200, {}, "no stream sid"),
        (200, {"sid": ""}, "no stream sid"),
        (200, {"sid": 5, "status": "in-progress"}, "no stream sid"),
        (201, {"account_sid": "AC1"}, "no stream sid"),
        (204, "", "is not JSON"),
    ],
)
def test_unusable_success_body_is_a_response_error(
    api: Api, status: int, body: Any, problem: str
) -> None:
    api.emulator.fail_next(status, body, content_type="application/json")
    with pytest.raises(APIResponseError, match=problem) as info:
        api.run(lambda c: c.streams.create("CA1", WSS_URL))
    assert info.value.status_code == status
    assert len(api.emulator.requests) == 1


def test_wrong_types_in_a_success_body_are_dropped_not_raised(api: Api) -> None:
    api.emulator.fail_next(
        200,
        {
            "sid": "ST1",
            "status": 3,
            "name": ["x"],
            "date_updated": 12,
            "call_sid": None,
            "error_code": 31922,
            "uri": {"a": 1},
        },
    )
    stream = api.run(lambda c: c.streams.create("CA1", WSS_URL))
    assert (stream.sid, stream.status, stream.name, stream.date_updated) == (
        "ST1",
        None,
        None,
        None,
    )
    assert (stream.call_sid, stream.uri, stream.error_code) == (None, None, "31922")


@pytest.mark.parametrize(
    ("date", "iso"),
    [
        ("Wed, 19 Sep 2018 21:00:00 +0000", "2018-09-19T21:00:00+00:00"),
        ("Wed, 19 Sep 2018 21:00:00 GMT", "2018-09-19T21:00:00+00:00"),
        ("Wed, 19 Sep 2018 23:00:00 +0200", "2018-09-19T23:00:00+02:00"),
        ("Wed, 19 Sep 2018 21:00:00 -0000", "2018-09-19T21:00:00+00:00"),
        ("2018-09-19T21:00:00Z", "2018-09-19T21:00:00+00:00"),
        # The example date of SignalWire's own ConferenceStreamResponse schema: a four-letter
        # month, which the standard library's RFC 2822 reader refuses.
        ("Tue, 25 Sept 2018 20:00:00 +0000", "2018-09-25T20:00:00+00:00"),
        ("Tue, 25 Sept. 2018 20:00:00 GMT", "2018-09-25T20:00:00+00:00"),
        ("Mon, 25 June 2018 20:00:00 +0100", "2018-06-25T20:00:00+01:00"),
        ("2018-09-19T21:00:00", "2018-09-19T21:00:00+00:00"),
        ("yesterday", None),
        ("Tue, 25 Septembre-ish 2018", None),
    ],
)
def test_date_updated_is_parsed_timezone_aware(api: Api, date: str, iso: str | None) -> None:
    api.emulator.fail_next(200, {"sid": "ST1", "date_updated": date})
    stream = api.run(lambda c: c.streams.create("CA1", WSS_URL))
    if iso is None:
        assert stream.date_updated is None
    else:
        assert stream.date_updated.isoformat() == iso
        assert stream.date_updated.tzinfo is not None
