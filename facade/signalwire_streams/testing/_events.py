"""What the emulator did, an event at a time: what `signalwire-streams emulator` prints.

Streams created and stopped (by REST, by cXML, by the call ending), their WebSocket
connected, refused (with the reason: connection refused, TLS, an HTTP status such as 401)
or closed, and each status callback posted with the answer it got. Events come from the
emulator's HTTP threads and its media loop; `EventLog` keeps the latest and hands each to
a listener as it happens. No event holds a token.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["EmulatorEvent", "EventKind", "EventLog"]

EventKind = Literal["created", "stopped", "connected", "refused", "closed", "callback"]

_KEEP = 1000
log = logging.getLogger("signalwire_streams.testing")


@dataclass(frozen=True)
class EmulatorEvent:
    """One thing the emulator did to a stream, in words (`detail`)."""

    kind: EventKind
    stream_sid: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind:<9} {self.stream_sid}  {self.detail}"


class EventLog:
    """The latest events (at most a thousand), and a listener told of each as it comes.

    A listener that raises is logged and kept: the emulator goes on.
    """

    def __init__(self, listener: Callable[[EmulatorEvent], object] | None = None) -> None:
        self._events: deque[EmulatorEvent] = deque(maxlen=_KEEP)
        self._listener = listener
        self._lock = threading.Lock()

    def emit(self, kind: EventKind, stream_sid: str, detail: str) -> None:
        event = EmulatorEvent(kind, stream_sid, detail)
        with self._lock:
            self._events.append(event)
            listener = self._listener
            if listener is not None:
                try:
                    listener(event)
                except Exception:
                    log.exception("the emulator's on_event listener failed")

    @property
    def events(self) -> list[EmulatorEvent]:
        with self._lock:
            return list(self._events)
