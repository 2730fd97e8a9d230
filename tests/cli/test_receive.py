"""`signalwire-streams receive` and `cert`, as a user runs them: real subprocesses, real
sockets, real TLS with the files `cert` wrote, and the emulator playing SignalWire.

The receiver's output is read line by line (it is not a terminal here, so it writes plain
event lines); each summary is checked against what the emulator says it sent, and each WAV
file against the frames received.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import wave
from collections.abc import Callable
from pathlib import Path

import websockets
from signalwire_streams import Client
from signalwire_streams.testing import Emulator

from tests.helpers.cli import Commands, Lines, run_cli
from tests.helpers.secrets import BEARER, WRONG_BEARER, assert_clean

FRAME_SECONDS = 0.02
SAMPLES_PER_FRAME = 160  # 20 ms of 8 kHz µ-law
SILENCE = base64.b64encode(b"\xff" * SAMPLES_PER_FRAME).decode()  # one frame of it


def _until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll `condition`; the timeout is a safety net, not a measure."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _cert(folder: Path) -> dict[str, list[str]]:
    """Run `cert` and return the flags it printed for receive and for the emulator."""
    result = run_cli("cert", "--dir", str(folder))
    assert result.returncode == 0, result.stderr
    receive = re.search(r"^  signalwire-streams receive (.+)$", result.stdout, re.MULTILINE)
    emulator = re.search(r"^  signalwire-streams emulator (.+)$", result.stdout, re.MULTILINE)
    assert receive and emulator, result.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["ca.pem", "cert.pem", "key.pem"]
    assert (folder / "key.pem").stat().st_mode & 0o077 == 0  # the key is the owner's only
    return {"receive": receive[1].split(), "emulator": emulator[1].split()}


def _banner(lines: Lines) -> tuple[str, list[str]]:
    """The URL `receive` says to give SignalWire, and the create command it prints."""
    url = lines.until(r"^receiving on (wss?://127\.0\.0\.1:\d+/media)")[1]
    lines.until(r"^start a stream to it with:")
    command = lines.until(r"^  (signalwire-streams create .+)$")[1].split()
    lines.until(r"^Press Ctrl-C to stop\.")
    return url, command


def _total(lines: Lines) -> dict[str, str]:
    lines.until(r"^stopped: \d+ streams? received$")
    block: dict[str, str] = {}
    while "refused" not in block:
        label, value = lines.until(r"^  (\w+(?: \w+)?)\s{2,}(.*)$").groups()
        block[label] = value.rstrip()
    return block


def test_cert_then_receive_records_what_the_emulator_streamed(
    commands: Commands, tmp_path: Path
) -> None:
    """The whole receiving side from a shell: `cert` makes the files, `receive` serves
    wss:// with them and writes WAVs, the emulator trusts the CA `cert` wrote. Every
    number in a summary is what the emulator sent; a wrong bearer token is refused and
    said so in one line that does not show it; Ctrl-C ends streams still open, prints the
    total and exits 0."""
    flags = _cert(tmp_path / "tls")
    out_dir = tmp_path / "wav"
    out_dir.mkdir()
    receiver = commands.start(
        "receive", "--port", "0", *flags["receive"], "--out-dir", str(out_dir),
        "--bearer-token-env", "MY_WS_TOKEN",
        env={"MY_WS_TOKEN": BEARER},
    )  # fmt: skip
    lines = receiver.lines
    url, create = _banner(lines)
    assert url.startswith("wss://")
    assert create == ["signalwire-streams", "create", "CALL_SID", "--url", url,
                      "--bearer-token-env", "MY_WS_TOKEN"]  # fmt: skip
    ca_file = flags["emulator"][flags["emulator"].index("--ca-file") + 1]

    with (
        Emulator(ca_file=ca_file, speed=20) as emulator,
        Client(emulator.project_id, emulator.api_token, emulator.base_url) as client,
    ):
        call = emulator.add_call()
        first = client.streams.create(
            call, url, parameters={"customer": "42"}, authorization_bearer_token=BEARER
        )
        started = lines.until(rf"^stream started: call {call}, stream {first.sid}, (.*)$")[1]
        assert started.startswith("tracks inbound+outbound, audio/x-mulaw 8000 Hz")
        assert started.endswith("parameters customer")  # names, never values
        emulator.send_dtmf(call, "12#")
        sent_after_keys = emulator.media(first.sid).frames_sent
        _until(lambda: emulator.media(first.sid).frames_sent > sent_after_keys + 50, "audio")
        client.streams.stop(call, first.sid)
        _until(lambda: emulator.media(first.sid).end is not None, "the stop")
        ticks = emulator.media(first.sid).frames_sent  # one frame per track per tick

        summary = _summary_block(lines, first.sid)
        assert summary["frames"] == f"{2 * ticks} (inbound {ticks}, outbound {ticks})"
        assert summary["audio"] == f"{ticks * FRAME_SECONDS:.2f} s"
        assert summary["gaps"] == "0"
        assert summary["dtmf"] == "12#"
        assert summary["ended by"] == "stop"
        wav_path = Path(summary["wav"])
        assert wav_path.parent == out_dir and wav_path.name == f"{first.sid}.wav"
        with wave.open(str(wav_path), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
            assert wav.getnframes() == ticks * SAMPLES_PER_FRAME

        wrong = client.streams.create(call, url, authorization_bearer_token=WRONG_BEARER)
        lines.until(r"^refused a connection: a wrong bearer token \(401\)$")
        _until(lambda: emulator.media(wrong.sid).end is not None, "the refusal")
        assert emulator.media(wrong.sid).error == "connection_refused"

        second = client.streams.create(call, url, authorization_bearer_token=BEARER)
        lines.until(rf"^stream started: call {call}, stream {second.sid}, ")
        _until(lambda: emulator.media(second.sid).frames_sent > 10, "audio")
        assert receiver.interrupt() == 0
        open_one = _summary_block(lines, second.sid)
        assert open_one["ended by"] == "close (this receiver stopped)"
        total = _total(lines)
        assert total["dtmf"] == "3 keys" and total["refused"] == "1 connection"
        assert total["gaps"] == "0"
        assert int(total["frames"]) == 2 * ticks + int(open_one["frames"].split()[0])

    out = lines.rest()
    assert out.rstrip().endswith("wav files  2")
    err = receiver.stderr()
    assert "Traceback" not in err and err == ""
    assert_clean(out + err, "receive's output")
    assert sorted(out_dir.iterdir()) == sorted(
        [out_dir / f"{first.sid}.wav", out_dir / f"{second.sid}.wav"]
    )


def _summary_block(lines: Lines, stream_sid: str) -> dict[str, str]:
    """The block `receive` prints when a stream ends, as label -> value; it ends with its
    `wav` line when there is one, else with `ended by`."""
    lines.until(rf"^stream ended: call \S+, stream {stream_sid}$")
    block: dict[str, str] = {}
    while True:
        label, value = lines.until(r"^  (\w+(?: \w+)?)\s{2,}(.*?)\s*$").groups()
        block[label] = value
        if label == "wav":
            return block


def test_every_printed_command_works_from_a_shell(commands: Commands, tmp_path: Path) -> None:
    """What a user copies from one shell to another: `cert`'s flags for `receive` and for
    `emulator`, the emulator's exports, `receive`'s create command; then `stop`."""
    flags = _cert(tmp_path)
    env = {"SIGNALWIRE_STREAM_TOKEN": BEARER}
    receiver = commands.start("receive", "--port", "0", *flags["receive"], env=env)
    url, create = _banner(receiver.lines)
    emulator = commands.start("emulator", "--speed", "20", *flags["emulator"])
    exports = dict(
        emulator.lines.until(r"^  export (SIGNALWIRE_\w+)=(\S+)$").groups() for _ in range(3)
    )
    call = emulator.lines.until(r"^live call: (\S+)$")[1]

    shell = {**env, **exports}
    assert create[:3] == ["signalwire-streams", "create", "CALL_SID"]
    assert create[create.index("--url") + 1] == url
    typed = [call if word == "CALL_SID" else word for word in create[1:]]
    created = run_cli(*typed, "--name", "from-shell", "--json", env=shell)
    assert created.returncode == 0, created.stderr
    stream_sid = json.loads(created.stdout)["sid"]
    receiver.lines.until(rf"^stream started: .*stream {stream_sid}")
    stopped = run_cli("stop", call, "from-shell", env=shell)
    assert stopped.returncode == 0, stopped.stderr
    assert _summary_block_no_wav(receiver.lines, stream_sid)["ended by"] == "stop"
    assert receiver.interrupt() == 0 and emulator.interrupt() == 0
    for started in (receiver, emulator):
        assert "Traceback" not in started.stderr()
    assert_clean(receiver.lines.rest(), "receive's output")


def _summary_block_no_wav(lines: Lines, stream_sid: str) -> dict[str, str]:
    lines.until(rf"^stream ended: call \S+, stream {stream_sid}$")
    block: dict[str, str] = {}
    while "ended by" not in block:
        label, value = lines.until(r"^  (\w+(?: \w+)?)\s{2,}(.*?)\s*$").groups()
        block[label] = value
    return block


async def _play(url: str, token: str | None, messages: list[dict[str, object]]) -> None:
    """Play SignalWire by hand: a WebSocket client sending these events."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    async with websockets.connect(url, additional_headers=headers) as connection:
        for message in messages:
            await connection.send(json.dumps(message))


def test_behind_a_tls_proxy_it_serves_plain_ws_and_warns_without_a_token(
    commands: Commands,
) -> None:
    """--behind-tls-proxy: plain ws:// for the proxy to forward to; with no token set it
    says that anyone may stream. A gap in the numbering and DTMF show in the summary."""
    receiver = commands.start("receive", "--port", "0", "--behind-tls-proxy")
    lines = receiver.lines
    base = lines.until(r"^receiving on (ws://127\.0\.0\.1:\d+)/media$")[1]
    lines.until(r"plain ws://: your TLS proxy's wss:// URL must forward to ws://")
    lines.until(r"no bearer token: anyone who can reach it may stream to it")
    command = lines.until(r"^  (signalwire-streams create .+)$")[1]
    assert command == "signalwire-streams create CALL_SID --url wss://YOUR-PROXY-HOST/media"
    start = {"streamSid": "MZ1", "accountSid": "AC1", "callSid": "CA1", "tracks": ["inbound"],
             "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}  # fmt: skip
    media = [
        {"event": "media", "sequenceNumber": str(n + 2),
         "media": {"track": "inbound", "chunk": str(chunk), "timestamp": "0", "payload": SILENCE}}
        for n, chunk in enumerate([1, 2, 4])
    ]  # fmt: skip
    events = [
        {"event": "connected", "protocol": "Call", "version": "0.2.0"},
        {"event": "start", "sequenceNumber": "1", "start": start},
        *media,
        {"event": "dtmf", "sequenceNumber": "5", "dtmf": {"digit": "7", "duration": 100}},
        {"event": "stop", "sequenceNumber": "6"},
    ]
    asyncio.run(_play(f"{base}/anything", None, events))
    summary = _summary_block_no_wav(lines, "MZ1")
    assert summary["frames"] == "3 (inbound 3)"
    assert summary["gaps"] == "1" and summary["dtmf"] == "7"
    assert receiver.interrupt() == 0


def test_on_a_terminal_it_redraws_a_table_of_live_streams(commands: Commands) -> None:
    """On a terminal the live streams are a table redrawn in place (ANSI), four times a
    second, under the event lines."""
    receiver = commands.start(
        "receive", "--port", "0", "--behind-tls-proxy", terminal=True,
        env={"SIGNALWIRE_STREAM_TOKEN": BEARER},
    )  # fmt: skip
    lines = receiver.lines
    base = lines.until(r"receiving on (ws://127\.0\.0\.1:\d+)/media")[1]
    lines.until(r"waiting for streams \(Ctrl-C to stop\)")
    lines.until(r"\x1b\[1F\x1b\[J")  # redrawn in place: up one line, clear below

    async def hold_open() -> None:
        start = {"streamSid": "MZ9", "accountSid": "AC9", "callSid": "CA-live-9",
                 "tracks": ["inbound"]}  # fmt: skip
        async with websockets.connect(
            f"{base}/media", additional_headers={"Authorization": f"Bearer {BEARER}"}
        ) as connection:
            await connection.send(json.dumps({"event": "start", "start": start}))
            for chunk in range(1, 51):
                payload = {"track": "inbound", "chunk": str(chunk), "payload": SILENCE}
                await connection.send(json.dumps({"event": "media", "media": payload}))
            await asyncio.to_thread(lines.until, r"CA-live-9\s+inbound\s+1\.0 s\s+50\s+0\s+-")
            await connection.send(json.dumps({"event": "stop"}))

    asyncio.run(hold_open())
    lines.until(r"stream ended: call CA-live-9, stream MZ9")
    assert receiver.interrupt() == 0
    rest = lines.rest()
    assert "stopped: 1 stream received" in rest
    assert "Traceback" not in receiver.stderr()
