"""The emulator with media, in a process of its own, for bench.talkback.

    python -m bench._talkback_emulator CA_FILE

It answers calls with `<Connect><Stream>` (bidirectional streams) to the receiver under
test, which runs in the parent, and reports what each call heard. The first line out is
`ready`. In, one JSON line each: `{"connect": N, "url": U, "token": T}` starts N calls and
answers `{"streams": [sid, …]}`; `{"heard": [sid, …]}` answers, per stream, the SHA-256 of
what the call heard, its length, the frames sent, and the mark echoes and ignored
messages counted;
`{"end": true}` ends every call and answers `{"ended": N}`. The end of its input stops it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _serve(ca_file: str) -> None:
    from signalwire_streams import cxml
    from signalwire_streams.testing import Emulator

    with Emulator(ca_file=ca_file) as emulated:
        calls: list[str] = []
        print("ready", flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            if "connect" in command:
                document = cxml.connect_stream(
                    command["url"], authorization_bearer_token=command["token"]
                )
                sids = []
                for _ in range(command["connect"]):
                    call = emulated.add_call()
                    calls.append(call)
                    (record,) = emulated.answer(call, document)
                    sids.append(record.sid)
                print(json.dumps({"streams": sids}), flush=True)
            elif "heard" in command:
                heard = {}
                for sid in command["heard"]:
                    audio = emulated.heard(sid)
                    status = emulated.media(sid)
                    heard[sid] = {
                        "sha256": hashlib.sha256(audio).hexdigest(),
                        "bytes": len(audio),
                        "bytes_heard": status.bytes_heard,
                        "frames_sent": status.frames_sent,
                        "marks_echoed": status.marks_echoed,
                        "ignored": status.messages_ignored,
                        "dropped": status.messages_dropped,
                    }
                print(json.dumps(heard), flush=True)
            elif "end" in command:
                for call in calls:
                    emulated.end_call(call)
                print(json.dumps({"ended": len(calls)}), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m bench._talkback_emulator CA_FILE", file=sys.stderr)
        return 2
    _serve(args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
