"""Test helpers: a local emulator of SignalWire's streams service, and local TLS."""

from ._callbacks import SentCallback
from ._emulator import Emulator
from ._errors import EmulatorError
from ._events import EmulatorEvent
from ._faults import Fault
from ._hostile import MediaFault
from ._media import MediaStatus
from ._models import RecordedRequest, StreamRecord
from ._tls import LocalTLS

__all__ = [
    "Emulator",
    "EmulatorError",
    "EmulatorEvent",
    "Fault",
    "LocalTLS",
    "MediaFault",
    "MediaStatus",
    "RecordedRequest",
    "SentCallback",
    "StreamRecord",
]
