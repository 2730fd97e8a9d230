"""The emulator in a process of its own, for bench.load, spoken to a JSON line at a time.

    python -m bench._emulator_process

It runs `Emulator(media=False)` in this process so that the load check's process holds
the client only: its memory and its descriptors are the client's own. The first line out
is the emulator's settings, base_url, project_id and api_token (the pipe keeps the token
off the terminal). In: `{"calls": N}` registers N calls and answers `{"calls": [sid, …]}`;
`{"state": true}` answers each call's streams and the requests received; the end of its
input stops it. `EmulatorProcess` is the other end.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from bench._process import Child

__all__ = ["EmulatorProcess", "Settings", "State", "main"]


class Settings(TypedDict):
    base_url: str
    project_id: str
    api_token: str


@dataclass(frozen=True)
class State:
    """What the emulator holds and has received."""

    streams: dict[str, list[tuple[str, str, str | None]]]  # call: [(sid, status, name), …]
    requests: int
    requests_by_status: dict[str, int]  # "200": how many
    requests_per_call: dict[str, int]  # call sid: how many


class EmulatorProcess:
    """The emulator in a child process (`python -m bench._emulator_process`)."""

    def __init__(self) -> None:
        self.child = Child("bench._emulator_process")
        self.settings: Settings = json.loads(self.child.ready)

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        self.child.write_line(json.dumps(command))
        answer: dict[str, Any] = json.loads(self.child.read_line())
        return answer

    def add_calls(self, count: int) -> list[str]:
        """Register `count` calls; their sids."""
        sids: list[str] = self._ask({"calls": count})["calls"]
        return sids

    def state(self) -> State:
        answer = self._ask({"state": True})
        return State(
            streams={
                call: [(sid, status, name) for sid, status, name in streams]
                for call, streams in answer["calls"].items()
            },
            requests=answer["requests"],
            requests_by_status=answer["requests_by_status"],
            requests_per_call=answer["requests_per_call"],
        )

    def close(self) -> None:
        self.child.close()


def _serve() -> None:
    from signalwire_streams.testing import Emulator

    with Emulator(media=False) as emulated:
        calls: list[str] = []
        settings: Settings = {
            "base_url": emulated.base_url,
            "project_id": emulated.project_id,
            "api_token": emulated.api_token,
        }
        print(json.dumps(settings), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            if "calls" in command:
                new = [emulated.add_call() for _ in range(command["calls"])]
                calls += new
                print(json.dumps({"calls": new}), flush=True)
            elif "state" in command:
                requests = emulated.requests
                # .../Calls/{sid}/Streams[/{stream}]: the call's sid is the segment after Calls.
                per_call = Counter(
                    request.path.partition("/Calls/")[2].partition("/")[0] for request in requests
                )
                state = {
                    "calls": {
                        sid: [[r.sid, r.status, r.name] for r in emulated.streams(sid)]
                        for sid in calls
                    },
                    "requests": len(requests),
                    "requests_by_status": dict(Counter(str(r.status) for r in requests)),
                    "requests_per_call": dict(per_call),
                }
                print(json.dumps(state), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m bench._emulator_process",
        description=(__doc__ or "").partition("\n")[0],
    ).parse_args(argv)
    _serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
