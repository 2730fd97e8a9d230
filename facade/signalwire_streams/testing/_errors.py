"""The error the emulator raises when it is asked for something its state cannot give."""

from __future__ import annotations

from .._errors import SignalWireError

__all__ = ["EmulatorError"]


class EmulatorError(SignalWireError):
    """The emulator cannot do this now: an unknown call or stream, not started, no media.

    Bad arguments raise `ValidationError` instead, as elsewhere in the package.
    """
