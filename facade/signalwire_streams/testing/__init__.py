"""Test helpers: a local emulator of SignalWire's streams REST service."""

from ._emulator import Emulator, RecordedRequest, StreamRecord

__all__ = ["Emulator", "RecordedRequest", "StreamRecord"]
