"""The whole loop on loopback over real TLS: Client -> emulator -> wss -> media.serve -> Session.

Every test runs the real emulator (which streams like SignalWire), the real websockets server
behind `media.serve`, certificates made on the spot, and the real client.
"""

from __future__ import annotations

import itertools
import logging
import struct
import threading
import wave
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import websockets
from signalwire_streams import AsyncClient, AuthenticationError, ValidationError
from signalwire_streams.callbacks import (
    SIGNATURE_HEADER,
    StreamEvent,
    parse_status_callback,
    validate_signature,
)
from signalwire_streams.media import (
    L16,
    Connected,
    Gap,
    Media,
    Session,
    Start,
    Stop,
    bearer_token_matches,
    decode_mulaw,
    encode_mulaw,
    serve,
)
from signalwire_streams.testing import Emulator, EmulatorError, LocalTLS
from twilio.request_validator import RequestValidator

from tests.helpers.receivers import SPEED, TOKEN, chirp_wav, client_for, eventually, receiver
from tests.helpers.secrets import (
    API_TOKEN,
    BEARER,
    SIGNING_KEY,
    WRONG_API_TOKEN,
    WRONG_BEARER,
    assert_clean,
    exception_text,
)


@dataclass
class CallbackSink:
    """An https endpoint that keeps every request it gets, as sent."""

    url: str
    requests: list[tuple[str, str, dict[str, str], list[tuple[str, str]]]]


@pytest.fixture
def sink(tls: LocalTLS) -> Iterator[CallbackSink]:
    requests: list[tuple[str, str, dict[str, str], list[tuple[str, str]]]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _keep(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                requests.append(
                    (self.command, self.path, dict(self.headers), parse_qsl(body.decode()))
                )
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _keep

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = tls.server_context().wrap_socket(server.socket, server_side=True)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    yield CallbackSink(f"https://127.0.0.1:{server.server_address[1]}/status/cb", requests)
    server.shutdown()
    server.server_close()


async def test_the_right_token_gets_a_full_stream_with_parameters_intact_and_no_gap(
    tls: LocalTLS, tmp_path: Path
) -> None:
    pcm = chirp_wav(tmp_path / "chirp.wav")
    parameters = {"customer": "42", "note": "a&b=c%d\nü 10%", "empty": ""}
    async with (
        receiver(tls) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED, audio=tmp_path / "chirp.wav") as emulator,
    ):
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(
                call,
                rx.url,
                name="asr",
                track="inbound_track",
                parameters=parameters,
                authorization_bearer_token=TOKEN,
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 40)
            await sw.streams.stop(call, "asr")
            await eventually(lambda: bool(rx.finished))
        status = emulator.media(stream.sid)
    session = rx.finished[0]
    assert session.end == "stop"
    assert session.path == "/media"
    assert session.connected == Connected("Call", "0.2.0")
    assert (session.stream_sid, session.call_sid, session.account_sid) == (
        stream.sid,
        call,
        emulator.project_id,
    )
    assert session.custom_parameters == parameters
    assert session.tracks == ("inbound",)
    assert session.gaps == [] and session.malformed_frames == 0
    assert session.frames == status.frames_sent and status.end == "stop" and status.connected
    # The audio is the WAV, looped, through µ-law: byte for byte what G.711 makes of it.
    expected = decode_mulaw(encode_mulaw(pcm))
    received = session.audio("inbound")
    assert len(received) == session.frames * 320
    looped = expected * (len(received) // len(expected) + 1)
    assert received == looped[: len(received)]


async def test_both_tracks_dtmf_and_a_call_that_ends(tls: LocalTLS) -> None:
    async with receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            await sw.streams.create(call, rx.url, authorization_bearer_token=TOKEN)
            # More than 10 frames on each track before the call ends: asserted below.
            await eventually(
                lambda: (
                    bool(rx.sessions)
                    and min(rx.sessions[0].frames_on(t) for t in ("inbound", "outbound")) > 10
                )
            )
            emulator.send_dtmf(call, "12#")
            await eventually(lambda: rx.sessions[0].dtmf == "12#")
            emulator.end_call(call)
            await eventually(lambda: bool(rx.finished))
    session = rx.finished[0]
    assert session.end == "stop"
    assert session.tracks == ("inbound", "outbound")
    assert session.frames_on("inbound") == session.frames_on("outbound") > 10
    assert session.gaps == []
    # The default source is a 440 Hz tone inbound: about 2 * 440 zero crossings a second.
    samples = struct.unpack(f"<{len(session.audio()) // 2}h", session.audio())
    crossings = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b or b < 0 <= a)
    assert abs(crossings / session.duration() - 880) < 20


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x", TOKEN[:-1]])
async def test_a_missing_or_wrong_bearer_token_is_refused_before_any_message(
    tls: LocalTLS, sink: CallbackSink, token: str | None
) -> None:
    async with receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(
                call, rx.url, status_callback=sink.url, authorization_bearer_token=token
            )
        await eventually(lambda: len(sink.requests) == 1)
        status = emulator.media(stream.sid)
        signing_key = emulator.signing_key
    assert rx.sessions == []
    assert (status.connected, status.end, status.error) == (False, "error", "connection_refused")
    _, _, headers, fields = sink.requests[0]
    callback = parse_status_callback(fields)
    assert callback.event is StreamEvent.ERROR and callback.error == "connection_refused"
    assert validate_signature(signing_key, sink.url, fields, headers["X-SignalWire-Signature"])


async def test_the_upgrade_itself_is_answered_401_without_the_token(tls: LocalTLS) -> None:
    """And `on_refusal` hears of each refusal, in words that name no header value."""
    refusals: list[tuple[int, str]] = []
    async with receiver(tls, on_refusal=lambda *refusal: refusals.append(refusal)) as rx:
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {TOKEN}"}):
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(
                    rx.url, ssl=tls.client_context(), additional_headers=headers
                ):
                    pass
            assert refused.value.response.status_code == 401
        async with websockets.connect(
            rx.url,
            ssl=tls.client_context(),
            additional_headers={"Authorization": f"bearer {TOKEN}"},
        ) as connection:
            await connection.send('{"event": "stop"}')
        await eventually(lambda: len(rx.finished) == 1)
    assert rx.finished[0].end == "stop"
    assert refusals == [
        (401, "no bearer token"),
        (401, "a wrong bearer token"),
        (401, "a wrong bearer token"),
    ]


def test_bearer_token_matches() -> None:
    assert bearer_token_matches(f"Bearer {TOKEN}", TOKEN)
    assert bearer_token_matches(f"  bearer   {TOKEN} ", TOKEN)
    assert not bearer_token_matches(None, TOKEN)
    assert not bearer_token_matches(TOKEN, TOKEN)
    assert not bearer_token_matches(f"Basic {TOKEN}", TOKEN)
    assert not bearer_token_matches("Bearer ", TOKEN)


async def test_an_abrupt_close_ends_the_session_cleanly(tls: LocalTLS) -> None:
    async with receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(call, rx.url, authorization_bearer_token=TOKEN)
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 10)
            emulator.drop_media(stream.sid)
            await eventually(lambda: bool(rx.finished))
        assert emulator.media(stream.sid).end == "dropped"
    session = rx.finished[0]
    assert session.end == "close" and session.ended
    assert session.gaps == [] and session.frames >= 10


async def test_certificates_are_checked_unless_told_not_to(tls: LocalTLS) -> None:
    # Neither emulator trusts the local CA; only the second skips the check, as SignalWire may.
    async with (
        receiver(tls) as rx,
        Emulator(speed=SPEED) as strict,
        Emulator(speed=SPEED, verify_tls=False) as lax,
    ):
        sids = {}
        for emulator in (strict, lax):
            async with client_for(emulator) as sw:
                created = await sw.streams.create(
                    emulator.add_call(), rx.url, authorization_bearer_token=TOKEN
                )
            sids[emulator] = created.sid
        await eventually(lambda: strict.media(sids[strict]).end == "error")
        await eventually(lambda: len(rx.sessions) == 1 and rx.sessions[0].frames > 0)
        strict_status, lax_status = strict.media(sids[strict]), lax.media(sids[lax])
    assert strict_status.error == "connection_refused_timeout_or_ssl_error"
    assert not strict_status.connected and lax_status.connected
    assert rx.sessions[0].stream_sid == sids[lax]


def _unused_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_url_gets_a_signed_stream_error_callback(
    tls: LocalTLS, sink: CallbackSink
) -> None:
    async with Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(
                call,
                f"wss://127.0.0.1:{_unused_port()}/media",
                name="nobody",
                status_callback=sink.url,
            )
        await eventually(lambda: len(sink.requests) == 1)
        signing_key = emulator.signing_key
        assert emulator.media(stream.sid).error == "connection_refused"
    method, path, headers, fields = sink.requests[0]
    assert (method, path) == ("POST", "/status/cb")
    callback = parse_status_callback(fields)
    assert callback.event is StreamEvent.ERROR and callback.error == "connection_refused"
    assert (callback.stream_sid, callback.call_sid, callback.stream_name) == (
        stream.sid,
        call,
        "nobody",
    )
    assert callback.account_sid == emulator.project_id and callback.timestamp is not None
    assert validate_signature(signing_key, sink.url, fields, headers["X-SignalWire-Signature"])


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_status_callbacks_arrive_in_order_signed_and_validate(
    tls: LocalTLS, sink: CallbackSink, method: str
) -> None:
    async with receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        call = emulator.add_call()
        async with client_for(emulator) as sw:
            stream = await sw.streams.create(
                call,
                rx.url,
                name="cb",
                track="outbound_track",
                status_callback=sink.url + "?tenant=7",
                status_callback_method=method,  # type: ignore[arg-type]
                authorization_bearer_token=TOKEN,
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames > 3)
            await sw.streams.stop(call, stream.sid)
        await eventually(lambda: len(sink.requests) == 2)
        signing_key = emulator.signing_key
    twilio = RequestValidator(signing_key)
    events = []
    for got_method, path, headers, body in sink.requests:
        assert got_method == method
        url = f"{sink.url.rsplit('/status', 1)[0]}{path}"
        fields = body if method == "POST" else parse_qsl(urlsplit(url).query)
        signature = headers["X-SignalWire-Signature"]
        signed_fields = dict(body) if method == "POST" else {}
        assert validate_signature(signing_key, url, signed_fields, signature)
        assert twilio.validate(url, signed_fields, signature)  # an independent implementation
        tampered = {**dict(fields), "StreamSid": "someone-else"} if method == "POST" else {}
        tampered_url = url if method == "POST" else url.replace("cb?", "cb?x=1&")
        assert not validate_signature(signing_key, tampered_url, tampered, signature)
        callback = parse_status_callback(fields)
        assert callback.extra.get("tenant", "7") == "7"
        assert (callback.stream_sid, callback.stream_name, callback.track) == (
            stream.sid,
            "cb",
            "outbound_track",
        )
        events.append(callback.event)
    assert events == [StreamEvent.STARTED, StreamEvent.STOPPED]


async def test_conference_streams_carry_the_chosen_codec(tls: LocalTLS) -> None:
    async with receiver(tls) as rx, Emulator(ca_file=tls.ca_file, speed=SPEED) as emulator:
        conference = emulator.add_conference()
        async with client_for(emulator) as sw:
            await sw.conference_streams.create(
                conference,
                rx.url,
                name="room",
                codec="L16@16000h",
                authorization_bearer_token=TOKEN,
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 5)
            await sw.conference_streams.stop(conference, "room")
            await eventually(lambda: bool(rx.finished))
    session = rx.finished[0]
    assert session.media_format.encoding == L16 and session.media_format.sample_rate == 16000
    assert session.start is not None and session.start.call_sid is None
    # 20 ms of 16 kHz 16-bit audio is 640 bytes a frame, per track.
    assert len(session.audio("inbound")) == 640 * session.frames_on("inbound")
    assert session.duration("inbound") == pytest.approx(0.02 * session.frames_on("inbound"))


async def messages(*items: str | bytes) -> AsyncIterator[str | bytes]:
    for item in items:
        yield item


def media(sequence: int, chunk: int, track: str = "inbound", payload: str = "AAAA") -> str:
    return (
        f'{{"event":"media","sequenceNumber":"{sequence}","media":{{"track":"{track}",'
        f'"chunk":"{chunk}","timestamp":"{20 * (chunk - 1)}","payload":"{payload}"}}}}'
    )


async def test_a_session_records_gaps_skips_malformed_frames_and_ends_on_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    start = '{"event":"start","sequenceNumber":"1","start":{"streamSid":"S1","customParameters":{"k":"v"}}}'
    session = Session(
        messages(
            '{"event":"connected","protocol":"Call","version":"0.2.0"}',
            start,
            media(2, 1),
            media(3, 2),
            media(5, 4),  # sequence 4 and chunk 3 never came
            "garbage",
            media(6, 5, payload="!!"),  # not base64: skipped, not stored
            media(7, 1, track="outbound"),
            media(8, 4),  # chunk 4 again (the skipped frame's chunk 5 counts as missing)
        ),
        keep_audio=True,
    )
    with caplog.at_level(logging.WARNING, logger="signalwire_streams.media"):
        kinds = [type(event).__name__ async for event in session]
    assert kinds == ["Connected", "Start", "Media", "Media", "Media", "Media", "Media"]
    assert session.end == "close"
    assert session.custom_parameters == {"k": "v"}
    assert session.malformed_frames == 2
    assert sum("malformed frame" in r.getMessage() for r in caplog.records) == 2
    assert session.gaps == [
        Gap("sequence", None, 4, 5),
        Gap("chunk", "inbound", 3, 4),
        Gap("sequence", None, 6, 7),
        Gap("chunk", "inbound", 5, 4),
    ]
    assert session.gaps[1].missing == 1 and session.gaps[3].missing == -1
    assert session.payload("inbound") == b"\x00\x00\x00" * 4
    assert session.frames == 5 and session.frames_on("outbound") == 1


async def test_a_session_ends_at_stop_even_if_messages_follow() -> None:
    session = Session(messages('{"event":"stop"}', media(2, 1)))
    events = [event async for event in session]
    assert events == [Stop()] and session.end == "stop" and session.frames == 0
    assert [event async for event in session] == []


def test_a_session_checks_its_byte_order_before_any_audio() -> None:
    with pytest.raises(ValidationError, match="l16_byteorder"):
        Session(messages(), l16_byteorder="middle")  # type: ignore[arg-type]


async def test_a_session_can_keep_no_audio() -> None:
    session = await Session(messages(media(1, 1), media(2, 2)), keep_audio=False).collect()
    assert session.frames == 2 and session.payload("inbound") == b""


async def test_a_session_works_inside_a_plain_websockets_server(tls: LocalTLS) -> None:
    done: list[Session] = []

    async def app(connection: websockets.ServerConnection) -> None:
        done.append(await Session(connection).collect())

    async with websockets.serve(app, "127.0.0.1", 0, ssl=tls.server_context()) as server:
        port = server.sockets[0].getsockname()[1]
        async with websockets.connect(f"wss://127.0.0.1:{port}", ssl=tls.client_context()) as ws:
            await ws.send('{"event":"start","start":{"streamSid":"S9"}}')
            await ws.send(media(2, 1))
        await eventually(lambda: bool(done))
    assert done[0].stream_sid == "S9" and done[0].frames == 1 and done[0].end == "close"


async def test_a_failing_handler_closes_its_connection_and_the_server_goes_on(
    tls: LocalTLS, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    async def handle(session: Session) -> None:
        async for event in session:
            if isinstance(event, Start):
                calls.append(event.stream_sid)
                if event.stream_sid == "boom":
                    raise RuntimeError("handler bug")

    async with serve(handle, ssl=tls.server_context()) as server:
        for sid in ("boom", "fine"):
            async with websockets.connect(server.url, ssl=tls.client_context()) as ws:
                await ws.send(f'{{"event":"start","start":{{"streamSid":"{sid}"}}}}')
                if sid == "boom":
                    await ws.wait_closed()
                    assert ws.close_code == 1011
    assert calls == ["boom", "fine"]
    assert any("media handler failed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"bearer_token": ""}, "bearer_token"),
        ({"bearer_token": "two words"}, "bearer_token"),
        ({"port": 70000}, "port"),
        ({"port": True}, "port"),
        ({"ssl": "yes"}, "ssl"),
        ({"l16_byteorder": "middle"}, "l16_byteorder"),
    ],
)
def test_serve_checks_its_arguments(kwargs: dict[str, object], field: str) -> None:
    async def handle(session: Session) -> None:
        pass

    with pytest.raises(ValidationError) as caught:
        serve(handle, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


async def test_write_wav_from_a_session(tls: LocalTLS, tmp_path: Path) -> None:
    session = await Session(
        messages(
            '{"event":"start","start":{"streamSid":"S","mediaFormat":{"encoding":"audio/x-L16","sampleRate":24000}}}',
            media(2, 1, payload="AQACAA=="),
            media(3, 1, track="outbound", payload="/////w=="),
        ),
        keep_audio=True,
    ).collect()
    session.write_wav(tmp_path / "both.wav")
    with wave.open(str(tmp_path / "both.wav"), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 24000)
        assert struct.unpack("<4h", wav.readframes(2)) == (1, -1, 2, -1)
    assert isinstance(session.start, Start) and not isinstance(session.start, Media)


async def test_no_secret_on_the_media_side_end_to_end(
    tls: LocalTLS, sink: CallbackSink, caplog: pytest.LogCaptureFixture
) -> None:
    """Every logger at DEBUG (websockets logs each handshake header there) while streams
    succeed, are refused for a wrong bearer token, fail in the handler and are cut."""
    caplog.set_level(logging.DEBUG)
    sessions: list[Session] = []

    async def handle(session: Session) -> None:
        sessions.append(session)
        async for event in session:
            if isinstance(event, Start) and "fail" in session.custom_parameters:
                raise RuntimeError("the handler failed on purpose")

    shown: list[str] = []
    async with (
        serve(handle, ssl=tls.server_context(), bearer_token=BEARER) as server,
        Emulator(
            api_token=API_TOKEN, signing_key=SIGNING_KEY, ca_file=tls.ca_file, speed=SPEED
        ) as emulator,
        AsyncClient(emulator.project_id, API_TOKEN, emulator.base_url) as client,
    ):
        url = f"{server.url}/media"

        async def start(bearer: str, **parameters: str) -> tuple[str, str]:
            call = emulator.add_call()
            stream = await client.streams.create(
                call,
                url,
                status_callback=sink.url,
                authorization_bearer_token=bearer,
                parameters=parameters,
            )
            shown.extend([repr(stream), repr(emulator.streams(call))])
            return call, stream.sid

        def ended(sid: str) -> Callable[[], bool]:
            return lambda: emulator.media(sid).end is not None

        call, served = await start(BEARER, who="ok")
        await eventually(lambda: emulator.media(served).frames_sent > 2)
        await client.streams.stop(call, served)
        _, refused = await start(WRONG_BEARER)
        _, failed = await start(BEARER, fail="yes")
        _, dropped = await start(BEARER)
        await eventually(lambda: emulator.media(dropped).frames_sent > 2)
        emulator.drop_media(dropped)
        for sid in (served, refused, failed, dropped):
            await eventually(ended(sid))
        with pytest.raises(AuthenticationError) as refused_rest:
            async with AsyncClient(emulator.project_id, WRONG_API_TOKEN, emulator.base_url) as bad:
                await bad.streams.create(
                    emulator.add_call(), url, authorization_bearer_token=BEARER
                )
        await eventually(lambda: len(sink.requests) >= 6)
        shown += [repr(server), repr(emulator), repr(emulator.requests), repr(emulator.callbacks)]
        shown += [repr(emulator.media(sid)) for sid in (served, refused, failed, dropped)]
        shown += [repr(session) + repr(session.start) for session in sessions]
        shown.append(exception_text(refused_rest.value))
    assert emulator.media(refused).error is not None  # the wrong bearer token was refused
    assert any("Authorization" in r.getMessage() for r in caplog.records)  # headers were logged
    assert any(r.exc_info for r in caplog.records)  # the failing handler was logged
    for _, _, headers, fields in sink.requests:
        signature = headers.get(SIGNATURE_HEADER)
        assert validate_signature(SIGNING_KEY, sink.url, dict(fields), signature)
    for record in caplog.records:
        assert_clean(record.getMessage() + repr(record.args) + repr(record.__dict__), "a log")
    assert_clean(caplog.text, "the formatted logs and tracebacks")
    for text in shown:
        assert_clean(text, "a repr or an exception")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speed": 0}, "speed"),
        ({"speed": -1.0}, "speed"),
        ({"speed": True}, "speed"),
        ({"ca_file": "/nonexistent/ca.pem"}, "ca_file"),
        ({"signing_key": ""}, "signing_key"),
    ],
)
def test_the_emulator_checks_its_media_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Emulator(**kwargs)  # type: ignore[arg-type]


def test_the_emulator_refuses_audio_it_cannot_stream(tmp_path: Path) -> None:
    eight_bit = tmp_path / "8bit.wav"
    with wave.open(str(eight_bit), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(b"\x80" * 800)
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(ValueError, match="16-bit"):
        Emulator(audio=eight_bit)
    with pytest.raises(ValueError, match="not a WAV file"):
        Emulator(audio=tmp_path / "text.wav")


def test_dtmf_keys_are_checked_and_media_false_means_rest_only() -> None:
    with Emulator(media=False) as emulator:
        call = emulator.add_call()
        with pytest.raises(ValueError, match="DTMF keys"):
            emulator.send_dtmf(call, "12x")
        with pytest.raises(EmulatorError, match="media=False"):
            emulator.send_dtmf(call, "1")
        assert emulator.callbacks == []


async def test_wav_audio_of_any_length_goes_out_in_whole_frames(
    tls: LocalTLS, tmp_path: Path
) -> None:
    """0.31 s of 16 kHz L16 is 15.5 frames: the last is padded with silence to a full 640 B."""
    pcm = chirp_wav(tmp_path / "odd.wav", seconds=0.31, rate=16000)
    async with (
        receiver(tls) as rx,
        Emulator(ca_file=tls.ca_file, speed=SPEED, audio=tmp_path / "odd.wav") as emu,
    ):
        conference = emu.add_conference()
        async with client_for(emu) as sw:
            await sw.conference_streams.create(
                conference,
                rx.url,
                name="odd",
                track="inbound_track",
                codec="L16@16000h",
                authorization_bearer_token=TOKEN,
            )
            await eventually(lambda: bool(rx.sessions) and rx.sessions[0].frames >= 40)
            await sw.conference_streams.stop(conference, "odd")
            await eventually(lambda: bool(rx.finished))
    session = rx.finished[0]
    received = session.audio("inbound")
    assert len(received) == 640 * session.frames_on("inbound")
    loop = pcm + bytes(16 * 640 - len(pcm))  # 16 whole frames: the WAV, then silence
    assert received == (loop * (len(received) // len(loop) + 1))[: len(received)]


async def _no_handler(session: Session) -> None:
    await session.collect()


@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "192.0.2.10", "media.example.com"])
def test_serve_refuses_plain_ws_off_loopback_before_binding(host: str) -> None:
    port = _unused_port()
    with pytest.raises(ValidationError) as caught:
        serve(_no_handler, host=host, port=port)
    assert caught.value.field == "ssl"
    assert "wss://" in caught.value.rule and "behind_tls_proxy=True" in caught.value.rule
    import socket

    with socket.socket() as probe:  # nothing was bound
        probe.bind(("127.0.0.1", port))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"behind_tls_proxy": "yes"}, "behind_tls_proxy"), ({"host": None}, "host")],
)
def test_serve_checks_its_transport_arguments(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        serve(_no_handler, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost"])
def test_serve_allows_plain_ws_on_loopback(host: str) -> None:
    assert repr(serve(_no_handler, host=host)) == "MediaServer(not started, bearer_token=none)"


@pytest.mark.parametrize(("host", "tls_given"), [("0.0.0.0", False), ("0.0.0.0", True)])
async def test_plain_ws_on_any_host_behind_a_tls_proxy_or_tls_on_any_host(
    tls: LocalTLS, host: str, tls_given: bool
) -> None:
    done: list[Session] = []

    async def handle(session: Session) -> None:
        done.append(await session.collect())

    context = tls.server_context() if tls_given else None
    async with serve(handle, host=host, ssl=context, behind_tls_proxy=not tls_given) as server:
        scheme = "wss" if tls_given else "ws"
        assert server.url == f"{scheme}://127.0.0.1:{server.port}"
        async with websockets.connect(
            server.url, ssl=tls.client_context() if tls_given else None
        ) as ws:
            await ws.send('{"event": "stop"}')
        await eventually(lambda: bool(done))
    assert done[0].end == "stop"
