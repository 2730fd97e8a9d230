"""Malformed and hostile upgrade requests at `media.serve`: a 4xx, one line, no credential.

Each case sends a raw request over a real socket and checks the status line, that the
refusal is logged on one line (when the server refuses it itself), and that no presented
credential, whole or in part, reaches any log record at any level: every logger is set to
level 1 (below DEBUG, where picows writes raw request bytes) while the case runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from signalwire_streams import media

TOKEN = "right-token-Zq81xWv0"
SECRETS = ("right-token-Zq81xWv0", "wrong-token-Kp4Q2mYy", "ctrl\x01token-Ab3dEf9h")
UPGRADE = (
    "GET /media HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)


class Records(logging.Handler):
    """Every record, every level, every logger, rendered as a handler would."""

    def __init__(self) -> None:
        super().__init__(level=1)
        self.lines: list[tuple[int, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append((record.levelno, record.name, text))


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    level = root.level
    root.setLevel(1)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def server() -> AsyncIterator[media.MediaServer]:
    async def handle(session: media.Session) -> None:
        await session.collect()

    async with media.serve(handle, bearer_token=TOKEN) as running:
        yield running


async def _exchange(server: media.MediaServer, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(4096), 5)
    except ConnectionError:
        return b""
    finally:
        writer.close()


def _assert_no_credential(records: Records) -> None:
    for _, name, text in records.lines:
        for secret in SECRETS:
            for start in range(0, len(secret) - 7):
                assert secret[start : start + 8] not in text, f"{name} logged part of a token"


CASES = [
    # (case, extra request headers, status, our one-line reason or None if picows refuses)
    ("no token", "", 401, "no bearer token"),
    ("wrong token", f"Authorization: Bearer {SECRETS[1]}\r\n", 401, "a wrong bearer token"),
    ("basic scheme", f"Authorization: Basic {SECRETS[0]}\r\n", 401, "a wrong bearer token"),
    (
        "two headers",
        f"Authorization: Bearer {TOKEN}\r\nAuthorization: Bearer {SECRETS[1]}\r\n",
        400,
        "more than one Authorization header",
    ),
    ("control character", f"Authorization: Bearer {SECRETS[2]}\r\n", 400, None),
    ("non-ASCII token", "Authorization: Bearer ключ-wrong-token-Kp4Q2mYy\r\n", 401, "a wrong"),
    ("long token", f"Authorization: Bearer {SECRETS[1] * 300}\r\n", 401, "a wrong bearer token"),
]


@pytest.mark.parametrize(
    ("headers", "status", "reason"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
async def test_a_bad_authorization_gets_a_4xx_one_line_and_no_credential_in_any_log(
    server: media.MediaServer, records: Records, headers: str, status: int, reason: str | None
) -> None:
    answer = await _exchange(server, (UPGRADE + headers + "\r\n").encode("utf-8"))
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:80]
    if status == 401:
        assert b"WWW-Authenticate: Bearer" in answer
    refusals = [text for _, _, text in records.lines if "refused a media connection" in text]
    if reason is None:
        assert refusals == []
    else:
        assert len(refusals) == 1 and reason in refusals[0] and "\n" not in refusals[0]
    assert not [line for line in records.lines if line[0] >= logging.ERROR]
    _assert_no_credential(records)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET /media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() + b"\r\n\r\n",
        UPGRADE.encode() + b"Authorization: Bearer " + TOKEN.encode() + b"\r\nBad Header\r\n\r\n",
        b"POST /media HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    ],
    ids=["garbage", "not an upgrade", "bad header line", "a post"],
)
async def test_a_malformed_request_gets_a_400(
    server: media.MediaServer, records: Records, request_bytes: bytes
) -> None:
    answer = await _exchange(server, request_bytes)
    assert answer.startswith(b"HTTP/1.1 4"), answer[:80]
    assert not [line for line in records.lines if line[0] >= logging.ERROR]
    _assert_no_credential(records)


async def test_headers_past_16_kib_close_the_connection_and_log_no_content(
    server: media.MediaServer, records: Records
) -> None:
    """picows' limit: it closes without an answer (a SignalWire upgrade is under 1 KiB)."""
    padding = "X-Padding: " + "a" * 20_000 + "\r\n"
    request = (UPGRADE + f"Authorization: Bearer {SECRETS[1]}\r\n" + padding + "\r\n").encode()
    answer = await _exchange(server, request)
    assert answer == b""
    _assert_no_credential(records)


async def test_the_right_token_still_gets_in(server: media.MediaServer, records: Records) -> None:
    answer = await _exchange(server, (UPGRADE + f"Authorization: Bearer {TOKEN}\r\n\r\n").encode())
    assert answer.startswith(b"HTTP/1.1 101 ")
    _assert_no_credential(records)
