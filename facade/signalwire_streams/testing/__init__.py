"""Test helpers: a local emulator of SignalWire's streams service, and local TLS."""

from ._emulator import Emulator, Fault, RecordedRequest, StreamRecord
from ._media import MediaFault, MediaStatus, SentCallback
from ._tls import LocalTLS

__all__ = [
    "Emulator",
    "Fault",
    "LocalTLS",
    "MediaFault",
    "MediaStatus",
    "RecordedRequest",
    "SentCallback",
    "StreamRecord",
]
