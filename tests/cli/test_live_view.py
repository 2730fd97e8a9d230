"""`receive`'s two views, on sessions fed by hand: the table's rows and the redraw."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator

from signalwire_streams import media
from signalwire_streams.cli._live import LiveView, PlainView, table

FRAME = base64.b64encode(bytes(160)).decode()


async def _session(call: str, frames: int, digits: str = "") -> media.Session:
    async def messages() -> AsyncIterator[str]:
        start = {"streamSid": f"MZ-{call}", "callSid": call, "tracks": ["inbound"]}
        yield json.dumps({"event": "start", "start": start})
        for chunk in range(1, frames + 1):
            payload = {"track": "inbound", "chunk": str(chunk), "payload": FRAME}
            yield json.dumps({"event": "media", "media": payload})
        for digit in digits:
            yield json.dumps({"event": "dtmf", "dtmf": {"digit": digit}})

    return await media.Session(messages()).collect()


async def test_a_row_per_stream_cut_to_the_terminal_width() -> None:
    sessions = [await _session("CA-one", 50, "1#"), await _session("CA-two", 5)]
    rows = table(sessions, 200)
    assert rows[0].split() == ["call", "tracks", "audio", "frames", "gaps", "dtmf"]
    assert rows[1].split() == ["CA-one", "inbound", "1.0", "s", "50", "0", "1#"]
    assert rows[2].split() == ["CA-two", "inbound", "0.1", "s", "5", "0", "-"]
    assert all(len(row) <= 30 for row in table(sessions, 30))
    assert table([], 200) == ["waiting for streams (Ctrl-C to stop)"]


async def test_the_live_view_redraws_in_place_and_leaves_only_the_lines() -> None:
    """Event lines stay; the table under them is erased (up N lines, clear) and redrawn;
    at the end the total replaces it."""
    out = io.StringIO()
    view = LiveView(out)
    session = await _session("CA-live", 10)
    view.say("receiving on …")
    view.started(session)
    view.ended(session, by_receiver=False)
    view.total()
    text = out.getvalue()
    assert text.count("\x1b[1F\x1b[J") == 2  # the waiting line, erased twice
    assert "\x1b[2F\x1b[J" in text  # the header and CA-live's row, erased once
    final = text.rpartition("\x1b[J")[2]
    assert final.startswith("stopped: 1 stream received\n") and "waiting" not in final


async def test_the_plain_view_writes_each_line_once_without_escapes() -> None:
    out = io.StringIO()
    view = PlainView(out)
    session = await _session("CA-plain", 3, "9")
    view.started(session)
    view.refused(401, "a wrong bearer token")
    view.ended(session, by_receiver=True)
    view.total()
    text = out.getvalue()
    assert "\x1b" not in text
    assert "  ended by   close (this receiver stopped)\n" in text
    assert "  dtmf       9\n" in text and "  refused    1 connection\n" in text
