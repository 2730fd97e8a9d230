"""Values users pass in and get back."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["Codec", "StatusCallbackMethod", "Stream", "StreamStatus", "Track"]

Track = Literal["inbound_track", "outbound_track", "both_tracks"]
StatusCallbackMethod = Literal["GET", "POST"]
Codec = Literal["PCMU", "PCMA", "L16", "L16@16000h", "L16@24000h"]


class StreamStatus(enum.StrEnum):
    """The statuses SignalWire documents. `Stream.status` may hold another string."""

    QUEUED = "queued"
    IN_PROGRESS = "in-progress"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class Stream:
    """A media stream as the service described it after a create or a stop.

    `status` is a `StreamStatus` when the value is a known one, else the string as sent,
    so a status added by the service later never breaks a caller. `call_sid` is set for
    call streams, `conference_sid` for conference streams.
    """

    sid: str
    account_sid: str | None = None
    call_sid: str | None = None
    conference_sid: str | None = None
    name: str | None = None
    status: StreamStatus | str | None = None
    date_updated: datetime | None = None
    uri: str | None = None
    api_version: str | None = None
    error_code: str | None = None
