"""Test helpers: a local emulator of SignalWire's streams service, and local TLS."""

from ._emulator import Emulator, Fault, RecordedRequest, StreamRecord
from ._media import MediaStatus, SentCallback
from ._tls import LocalTLS

__all__ = [
    "Emulator",
    "Fault",
    "LocalTLS",
    "MediaStatus",
    "RecordedRequest",
    "SentCallback",
    "StreamRecord",
]
