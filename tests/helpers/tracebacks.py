"""The check that no frame of ours shows a secret among its locals in a traceback.

Error trackers (Sentry, `traceback.TracebackException(capture_locals=True)`) record the repr
of every local of every frame an exception passes through, its causes included. Used by
tests/rest/test_traceback_locals.py (API and bearer tokens) and
tests/callbacks/test_signing_key_locals.py (the signing key).
"""

from __future__ import annotations

import base64
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import signalwire_streams
import signalwire_streams_api
from signalwire_streams import SignalWireError

OURS = tuple(
    str(Path(package.__file__).parent) for package in (signalwire_streams, signalwire_streams_api)
)


def secret_forms(secret: str) -> list[str]:
    """The secret as a repr could show it: plain, and inside a Basic auth header."""
    forms = [secret]
    for user in ("project", "6f2a4c1e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"):
        forms.append(base64.b64encode(f"{user}:{secret}".encode()).decode()[8:-4])
    return forms


def our_frames(error: BaseException) -> Iterator[traceback.FrameSummary]:
    """Every frame of our code in the error's traceback and in those of its causes."""
    seen: set[int] = set()
    chain: list[BaseException | None] = [error]
    while chain:
        current = chain.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        summary = traceback.TracebackException.from_exception(current, capture_locals=True)
        for frame in summary.stack:
            if frame.filename.startswith(OURS):
                yield frame
        chain += [current.__cause__, current.__context__]


def assert_locals_clean(error: BaseException, *secrets: str) -> int:
    """Fail if a frame of ours holds one of `secrets` in a local; the number of our frames."""
    frames = 0
    for frame in our_frames(error):
        frames += 1
        for name, value in (frame.locals or {}).items():
            for secret in secrets:
                for form in secret_forms(secret):
                    assert form not in value, f"{frame.name}() local {name!r} shows a secret"
    assert frames, "the error passed through no frame of ours: the case tests nothing"
    return frames


def raised(call: Callable[[], Any]) -> BaseException:
    """The SignalWireError that `call` raises (failing the test if it raises none)."""
    try:
        call()
    except SignalWireError as error:
        return error
    raise AssertionError("no error was raised")
