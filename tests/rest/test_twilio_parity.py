"""The form body the facade sends equals, field for field, what twilio-python sends.

SignalWire's Compatibility API copies Twilio's, and twilio-python is the client most people
port from: for the same create or stop, both clients must put the same (field, value) pairs
on the wire, in the same order: the documented fields first, then Parameter1 … N in order.
Both talk to the same emulator over real HTTP; the emulator records what it parsed from
each body, in the order it came.

twilio-python 9 has no `authorization_bearer_token` argument (it is a SignalWire addition),
so that field is left out of the comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from signalwire_streams import Client
from signalwire_streams.testing import Emulator, LocalTLS, RecordedRequest
from twilio.base.exceptions import TwilioRestException  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.http.response import Response  # type: ignore[import-untyped]
from twilio.rest import Client as TwilioClient  # type: ignore[import-untyped]

WSS = "wss://media.example.com/parity"
TWILIO_BASE = "https://api.twilio.com/2010-04-01"


class _ToEmulator(TwilioHttpClient):  # type: ignore[misc]
    """twilio-python's own HTTP client, with api.twilio.com swapped for the emulator."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        assert url.startswith(TWILIO_BASE), url
        return super().request(method, self.base_url + url[len(TWILIO_BASE) :], *args, **kwargs)


@pytest.fixture
def ours(emulator: Emulator) -> Iterator[Client]:
    with Client(emulator.project_id, emulator.api_token, emulator.base_url) as client:
        yield client


@pytest.fixture
def twilio(emulator: Emulator) -> TwilioClient:
    return TwilioClient(
        emulator.project_id, emulator.api_token, http_client=_ToEmulator(emulator.base_url)
    )


NASTY = [
    "a&b=c",
    "100% sure",
    "x=1&y=2",
    "  spaced  out ",
    "naïve ünïcode ✓ 日本",
    "line\nbreak\r\nand\ttab",
    "%41%zz+plus",
    "",
]


def _parameters(count: int) -> dict[str, str]:
    return {
        f"key {i} & {NASTY[i % 4]}": f"{NASTY[i % len(NASTY)]} #{i}" for i in range(1, count + 1)
    }


# Arguments to our `streams.create`, beyond the call and the url.
CREATES: dict[str, dict[str, Any]] = {
    "no-options": {},
    "name-track-callback": {
        "name": "transcriber",
        "track": "inbound_track",
        "status_callback": "https://hooks.example.com/stream?tenant=7&x=a%20b",
        "status_callback_method": "GET",
    },
    "one-parameter": {"parameters": {"customer": "42"}},
    "two-parameters": {"name": "asr", "parameters": {"customer": "42", "lang": "en-US"}},
    "99-nasty-parameters": {"track": "outbound_track", "parameters": _parameters(99)},
}  # fmt: skip


def _twilio_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """The same create in twilio-python's terms. Track and StatusCallbackMethod are given
    explicitly because our client always sends them (the APIs disagree on defaults)."""
    kwargs: dict[str, Any] = {
        "track": options.get("track", "both_tracks"),
        "status_callback_method": options.get("status_callback_method", "POST"),
    }
    for key in ("name", "status_callback"):
        if key in options:
            kwargs[key] = options[key]
    for i, (name, value) in enumerate(options.get("parameters", {}).items(), start=1):
        kwargs[f"parameter{i}_name"] = name
        kwargs[f"parameter{i}_value"] = value
    return kwargs


def _assert_same_request(
    mine: RecordedRequest, theirs: RecordedRequest, calls: tuple[str, str]
) -> None:
    assert (mine.status, theirs.status) == (200, 200)
    assert (mine.method, mine.query) == (theirs.method, theirs.query) == ("POST", "")
    assert mine.username == theirs.username
    assert mine.form == theirs.form
    assert theirs.path.endswith(".json")
    # Segments are compared decoded: `&` may or may not be percent-encoded in a path.
    their_path = theirs.path.removesuffix(".json").replace(calls[1], calls[0])
    assert _segments(mine.path) == _segments(their_path)


def _segments(path: str) -> list[str]:
    return [unquote(segment, errors="strict") for segment in path.split("/")]


@pytest.mark.parametrize("options", CREATES.values(), ids=CREATES.keys())
def test_create_sends_what_twilio_python_sends(
    emulator: Emulator, ours: Client, twilio: TwilioClient, options: dict[str, Any]
) -> None:
    """Someone porting from twilio-python must get the same stream for the same arguments."""
    mine_call, their_call = emulator.add_call(), emulator.add_call()
    mine = ours.streams.create(mine_call, WSS, **options)
    theirs = twilio.calls(their_call).streams.create(url=WSS, **_twilio_kwargs(options))
    assert mine.status == theirs.status == "in-progress"
    if "name" in options:
        assert mine.name == theirs.name == options["name"]

    mine_request, their_request = emulator.requests
    _assert_same_request(mine_request, their_request, (mine_call, their_call))
    # Guard against both clients silently dropping the same thing.
    expected_fields = (
        3
        + len(options.keys() & {"name", "status_callback"})
        + 2 * len(options.get("parameters", {}))
    )
    assert len(mine_request.form) == expected_fields
    (mine_record,), (their_record,) = emulator.streams(mine_call), emulator.streams(their_call)
    assert mine_record.parameters == their_record.parameters == options.get("parameters", {})
    assert list(mine_record.parameters) == list(their_record.parameters)


def test_stop_by_name_sends_what_twilio_python_sends(
    emulator: Emulator, ours: Client, twilio: TwilioClient
) -> None:
    """Stopping by name (with a name that needs path encoding) matches twilio-python's update."""
    name = "my stream & co"
    mine_call, their_call = emulator.add_call(), emulator.add_call()
    ours.streams.create(mine_call, WSS, name=name)
    ours.streams.create(their_call, WSS, name=name)
    emulator.clear_requests()

    mine = ours.streams.stop(mine_call, name)
    theirs = twilio.calls(their_call).streams(name).update(status="stopped")
    assert (mine.status, theirs.status) == ("stopped", "stopped")

    mine_request, their_request = emulator.requests
    _assert_same_request(mine_request, their_request, (mine_call, their_call))
    assert mine_request.form == (("Status", "stopped"),)
    assert [r.status for r in emulator.streams(mine_call) + emulator.streams(their_call)] == [
        "stopped",
        "stopped",
    ]


def test_twilio_python_runs_its_stream_operations_below_the_space_root_over_https() -> None:
    """twilio-python's own paths (`/2010-04-01/….json`), only the host swapped: the emulator
    answers them below the Space's root, over https, as a Space does."""
    with LocalTLS() as tls, Emulator(tls=tls, media=False) as emulator:
        root = emulator.base_url.removesuffix("/api/laml/2010-04-01") + "/2010-04-01"
        http = _ToEmulator(root)
        http.session.verify = str(tls.ca_file)
        http.session.trust_env = False  # else REQUESTS_CA_BUNDLE would win over verify
        twilio = TwilioClient(emulator.project_id, emulator.api_token, http_client=http)
        call = emulator.add_call()
        created = twilio.calls(call).streams.create(
            url=WSS, name="asr", parameter1_name="customer", parameter1_value="42"
        )
        assert (created.name, created.status) == ("asr", "in-progress")
        assert twilio.calls(call).streams("asr").update(status="stopped").status == "stopped"
        other = twilio.calls(call).streams.create(url=WSS)
        assert twilio.calls(call).streams(other.sid).update(status="stopped").sid == other.sid
        with pytest.raises(TwilioRestException) as caught:
            twilio.calls("no-such-call").streams.create(url=WSS)
        assert (caught.value.status, caught.value.code) == (404, 20404)
        assert [r.status for r in emulator.requests] == [200, 200, 200, 200, 404]
        assert all(r.path.startswith("/2010-04-01/") for r in emulator.requests)
        assert all(r.path.endswith(".json") for r in emulator.requests)
        assert emulator.streams(call)[0].parameters == {"customer": "42"}
