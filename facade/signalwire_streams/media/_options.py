"""What `serve` and `asgi_app` give each stream's `Session`: checked once, in one place.

Both servers take the same keyword arguments for their sessions (`keep_audio`,
`record_dir`, `l16_byteorder`, `bidirectional`, `max_size`, `max_queue`) and the handler
and bearer token; `SessionOptions.checked` refuses a bad one before anything binds, and
`new_session` makes each connection's session with the server's hooks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import ValidationError
from .._secrets import Secret
from ._audio import ByteOrder
from ._events import Start
from ._handshake import check_bearer_token
from ._session import Session, check_byteorder, check_keep_audio

__all__ = ["MAX_MESSAGE_SIZE", "Handler", "SessionOptions", "recording_path"]

Handler = Callable[[Session], Awaitable[object]]
"""Awaited once per connection with that connection's session."""

# A 20 ms frame is under 2 kB even as base64 L16 at 24 kHz: a megabyte is a generous bound.
# picows checks it against each frame's header, so a longer frame closes the connection
# (1009) before its payload is buffered; fragments of one message count together.
MAX_MESSAGE_SIZE = 2**20
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """A server's settings for the sessions it makes, checked."""

    handler: Handler
    bearer_token: Secret | None = field(repr=False)
    keep_audio: float
    record_dir: Path | None
    l16_byteorder: ByteOrder
    bidirectional: bool | None
    max_size: int
    max_queue: int

    @classmethod
    def checked(
        cls,
        handler: object,
        *,
        bearer_token: Secret,
        keep_audio: object,
        record_dir: object,
        l16_byteorder: object,
        bidirectional: object,
        max_size: object,
        max_queue: object,
    ) -> SessionOptions:
        """Every setting checked; a ValidationError naming the first bad one."""
        token = check_bearer_token(bearer_token)
        if not callable(handler):
            raise ValidationError("handler", "must be an async function taking a Session")
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1024:
            raise ValidationError("max_size", "must be a number of bytes of at least 1024")
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ValidationError("max_queue", "must be a positive number of events")
        if bidirectional is not None and not isinstance(bidirectional, bool):
            raise ValidationError("bidirectional", "must be True, False or None (not known)")
        return cls(
            handler,
            token,
            check_keep_audio(keep_audio),
            _check_record_dir(record_dir),
            check_byteorder(l16_byteorder),
            bidirectional,
            max_size,
            max_queue,
        )

    def new_session(
        self,
        path: str | None,
        *,
        send: Callable[[str], object],
        pause: Callable[[], object],
        resume: Callable[[], object],
    ) -> Session:
        """One connection's session, fed by the server, recording to `record_dir` if set."""
        session = Session(
            keep_audio=self.keep_audio,
            l16_byteorder=self.l16_byteorder,
            path=path,
            bidirectional=self.bidirectional,
            max_queue=self.max_queue,
        )
        session._attach(send=send, pause=pause, resume=resume)
        folder = self.record_dir
        if folder is not None:

            def record(event: object) -> None:
                if type(event) is Start and session.recording is None:
                    session.record(recording_path(folder, event))

            session.add_listener(record)
        return session


def _check_record_dir(value: object) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike):
        raise ValidationError("record_dir", "must be a folder's path, or None")
    folder = Path(value)
    if not folder.is_dir():
        raise ValidationError("record_dir", f"{str(folder)[:80]!r} is not a folder that exists")
    return folder


def recording_path(folder: Path, start: Start) -> Path:
    """Where a stream's WAV goes in `record_dir`: named by its stream sid, made safe (the
    sid comes from the peer: no separator, no leading dot), never over an existing file."""
    name = _SAFE_NAME.sub("_", start.stream_sid)[:100].lstrip(".") or "stream"
    path = folder / f"{name}.wav"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{name}-{number}.wav"
    return path
