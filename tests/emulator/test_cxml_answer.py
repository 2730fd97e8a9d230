"""`Emulator.answer`: a call's cXML answer, written by `signalwire_streams.cxml`, runs as
SignalWire would run it, and a `Session` talks back on the stream `<Connect>` made.

Real TLS, the real emulator and `media.serve`: the package end to end, as an agent would
be tested offline.
"""

from __future__ import annotations

import asyncio

import pytest
from signalwire_streams import ValidationError, cxml, media
from signalwire_streams.testing import Emulator, EmulatorError, LocalTLS

from tests.helpers.receivers import SPEED, TOKEN, eventually


async def test_start_stream_runs_as_a_one_way_stream_with_every_attribute(tls: LocalTLS) -> None:
    sessions: list[media.Session] = []

    async def handle(session: media.Session) -> None:
        sessions.append(session)
        await session.collect()

    async with (
        media.serve(handle, ssl=tls.server_context(), bearer_token=TOKEN) as server,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
    ):
        call = emulator.add_call()
        document = cxml.start_stream(
            f"{server.url}/media",
            name="listen",
            track="both_tracks",
            codec="L16@16000h",
            authorization_bearer_token=TOKEN,
            parameters={"lang": "en", "who": "<caller & co>"},
            then='<Pause length="60"/>',
        )
        (record,) = emulator.answer(call, document)
        await eventually(lambda: bool(sessions) and sessions[0].frames >= 20)
        session = sessions[0]
        assert (record.name, record.track, record.codec) == ("listen", "both_tracks", "L16@16000h")
        assert emulator.requests == []  # cXML, not REST
        assert session.custom_parameters == {"lang": "en", "who": "<caller & co>"}
        assert set(session.tracks) == {"inbound", "outbound"}
        assert session.media_format.encoding == "audio/x-L16"
        assert session.media_format.sample_rate == 16000
        emulator.end_call(call)
        await eventually(lambda: session.ended)
        assert emulator.media(record.sid).bidirectional is False


async def test_connect_stream_lets_the_agent_talk_and_the_call_hears_it(tls: LocalTLS) -> None:
    prompt = bytes(range(256)) * 25  # 6,400 bytes of µ-law: 0.8 s
    heard_marks: list[str] = []

    async def agent(session: media.Session) -> None:
        await session.wait_for_start(timeout=10)
        await session.send_media(prompt)
        await session.send_mark("prompt")
        await session.wait_for_mark("prompt", timeout=10)
        heard_marks.extend(session.marks)
        await session.collect()

    async with (
        media.serve(agent, ssl=tls.server_context(), bearer_token=TOKEN) as server,
        Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator,
    ):
        call = emulator.add_call()
        document = cxml.connect_stream(
            f"{server.url}/media", name="agent", authorization_bearer_token=TOKEN
        )
        (record,) = emulator.answer(call, document)
        await eventually(lambda: heard_marks == ["prompt"])
        assert emulator.heard(record.sid) == prompt  # every byte, in order
        status = emulator.media(record.sid)
        assert status.bidirectional and status.marks_echoed == 1
        emulator.end_call(call)


def test_several_streams_run_in_document_order() -> None:
    with Emulator(media=False) as emulator:
        call = emulator.add_call()
        document = (
            '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello</Say>'
            '<Start><Stream name="a" url="wss://a.example.com/m"/></Start>'
            '<Start><Stream name="b" url="wss://b.example.com/m" track="outbound_track">'
            '<Parameter name="k" value="v"/></Stream></Start>'
            '<Pause length="5"/></Response>'
        )
        records = emulator.answer(call, document)
        assert [(r.name, r.track) for r in records] == [
            ("a", "inbound_track"),  # the cXML page's default, not REST's
            ("b", "outbound_track"),
        ]
        assert records[1].parameters == {"k": "v"}
        assert [r.sid for r in emulator.streams(call)] == [r.sid for r in records]


@pytest.mark.parametrize(
    ("document", "field", "rule"),
    [
        ("not xml", "cxml", "well-formed"),
        ("<Reply/>", "cxml", "<Response>"),
        ('<Response><Stream url="wss://x.example.com/"/></Response>', "cxml", "<Start>"),
        (
            '<Response><Dial><Stream url="wss://x.example.com/"/></Dial></Response>',
            "cxml",
            "not <Dial>",
        ),
        (
            '<Response><Start><Stream URL="wss://x.example.com/"/></Start></Response>',
            "cxml",
            "'URL'",
        ),
        ("<Response><Start><Stream/></Start></Response>", "cxml", "url"),
        (
            '<!DOCTYPE r [<!ENTITY a "b">]><Response/>',
            "cxml",
            "DOCTYPE",
        ),
        ('<Response><Start><Stream url="ws://x.example.com/"/></Start></Response>', "url", ""),
        (
            '<Response><Connect><Stream url="wss://x.example.com/" track="both_tracks"/>'
            "</Connect></Response>",
            "track",
            "inbound_track",
        ),
        (
            '<Response><Start><Stream url="wss://x.example.com/" codec="PCMU"/></Start></Response>',
            "codec",
            "PCMU@8000h",
        ),
        (
            '<Response><Start><Stream url="wss://x.example.com/" statusCallbackMethod="PUT"/>'
            "</Start></Response>",
            "status_callback_method",
            "",
        ),
    ],
)
def test_a_document_signalwire_could_not_run_says_why(document: str, field: str, rule: str) -> None:
    with Emulator(media=False) as emulator:
        call = emulator.add_call()
        with pytest.raises(ValidationError) as caught:
            emulator.answer(call, document)
        assert caught.value.field == field and rule in str(caught.value)
        assert emulator.streams(call) == []


def test_an_unknown_call_is_refused() -> None:
    with Emulator(media=False) as emulator, pytest.raises(EmulatorError, match="no call"):
        emulator.answer("CA-nope", cxml.start_stream("wss://x.example.com/m"))


async def test_the_document_is_read_off_the_event_loop_too() -> None:
    """`answer` is synchronous, like every other Emulator method: it works inside a loop."""
    async with Emulator(media=False) as emulator:
        call = emulator.add_call()
        await asyncio.sleep(0)
        assert len(emulator.answer(call, cxml.connect_stream("wss://x.example.com/m"))) == 1
