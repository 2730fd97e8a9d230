"""SignalWire's own `signalwire` 2.x Compatibility SDK runs its stream operations against the
emulator: over https (the SDK builds `https://` from any Space URL, hence `Emulator(tls=…)`),
below `/2010-04-01/…` with the `.json` suffix, where it sends every request.

The SDK pins twilio 6.54, so it runs in an environment of its own (tests/helpers/legacy_sdk.py,
made once per machine from the package registry), through tests/helpers/signalwire_sdk_driver.py.
It has no streams resource: the driver uses its twilio base's generic create and update, the
path every resource of the SDK takes. What it sent is read back from the emulator's log and
state; what it got back is what the driver printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from signalwire_streams.testing import Emulator, LocalTLS

from tests.helpers.legacy_sdk import run_driver

WSS = "wss://receiver.example.com/audio"


@pytest.fixture(scope="module")
def run() -> Iterator[tuple[Emulator, dict[str, Any], dict[str, Any]]]:
    """One run of the driver against one emulator: (emulator, ids given, driver's answer)."""
    with LocalTLS() as tls, Emulator(tls=tls, media=False) as emu:
        ended = emu.add_conference()
        emu.end_conference(ended)
        given = {
            "space": f"127.0.0.1:{emu.port}",
            "project": emu.project_id,
            "token": emu.api_token,
            "ca_file": str(tls.ca_file),
            "url": WSS,
            "call": emu.add_call(),
            "conference": emu.add_conference(),
            "ended_conference": ended,
            "unknown_call": "no-such-call",
        }
        yield emu, given, run_driver(given)


def test_the_sdk_talks_https_below_the_space_root(
    run: tuple[Emulator, dict[str, Any], dict[str, Any]],
) -> None:
    emu, _, answer = run
    assert answer["base_url"] == f"https://127.0.0.1:{emu.port}"
    assert len(emu.requests) == 8
    for request in emu.requests:
        assert request.path.startswith(f"/2010-04-01/Accounts/{emu.project_id}/")
        assert request.path.endswith(".json")
        assert request.username == emu.project_id
    assert [r.status for r in emu.requests] == [200, 200, 200, 200, 200, 200, 404, 422]


def test_a_create_with_every_field_and_a_stop_by_name(
    run: tuple[Emulator, dict[str, Any], dict[str, Any]],
) -> None:
    emu, given, answer = run
    created, stopped = answer["create"], answer["stop_by_name"]
    named, _ = emu.streams(given["call"])
    assert created["sid"] == stopped["sid"] == named.sid
    assert (created["name"], created["status"]) == ("transcriber", "in-progress")
    assert (stopped["name"], stopped["status"]) == ("transcriber", "stopped")
    assert set(created) == {
        "sid",
        "account_sid",
        "call_sid",
        "name",
        "status",
        "date_updated",
        "uri",
    }
    assert (named.track, named.status_callback_method) == ("inbound_track", "GET")
    assert named.status_callback == "https://hooks.example.com/stream?tenant=7"
    assert named.parameters == {"customer": "42", "lang": "en-US"}
    assert emu.requests[1].path.endswith("/Streams/transcriber.json")


def test_a_create_and_a_stop_by_sid(
    run: tuple[Emulator, dict[str, Any], dict[str, Any]],
) -> None:
    emu, given, answer = run
    created, stopped = answer["create_unnamed"], answer["stop_by_sid"]
    _, unnamed = emu.streams(given["call"])
    assert created["sid"] == stopped["sid"] == unnamed.sid
    assert stopped["status"] == unnamed.status == "stopped"
    assert emu.requests[3].path.endswith(f"/Streams/{unnamed.sid}.json")


def test_a_conference_stream_create_and_stop(
    run: tuple[Emulator, dict[str, Any], dict[str, Any]],
) -> None:
    emu, given, answer = run
    created, stopped = answer["conference_create"], answer["conference_stop"]
    (record,) = emu.streams(given["conference"])
    assert created["conference_sid"] == given["conference"]
    assert created["name"] is None and stopped["name"] is None  # none was given
    assert (created["status"], stopped["status"]) == ("in-progress", "stopped")
    assert (record.codec, record.real_time, record.status) == ("L16@16000h", True, "stopped")


def test_errors_reach_the_sdk_as_its_exceptions(
    run: tuple[Emulator, dict[str, Any], dict[str, Any]],
) -> None:
    _, _, answer = run
    not_found = answer["not_found"]
    assert (not_found["status"], not_found["code"]) == (404, 20404)
    assert not_found["msg"].startswith("Unable to create record: ")
    assert "not found" in not_found["msg"]
    # A conference stream's 422 is {"errors": [text]}: the SDK, which reads only the flat
    # shape, falls back to the status as the code and its own message.
    unprocessable = answer["unprocessable"]
    assert (unprocessable["status"], unprocessable["code"]) == (422, 422)
    assert unprocessable["msg"] == "Unable to create record"
