"""Values users pass in and get back.

The wire vocabulary is the spec's, through the generated package: `Track`,
`StatusCallbackMethod` and `Codec` are the generated `Literal`s of its enums, `StreamStatus`
its enum of statuses. A value added to the spec reaches these names with
`scripts/regenerate` alone. (Importing them loads only those small generated modules.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from signalwire_streams_api.models.status_callback_method import StatusCallbackMethodValue
from signalwire_streams_api.models.stream_codec import StreamCodecValue
from signalwire_streams_api.models.stream_status import StreamStatus
from signalwire_streams_api.models.track import TrackValue

__all__ = ["Codec", "StatusCallbackMethod", "Stream", "StreamStatus", "Track"]

Track: TypeAlias = TrackValue
"""Which audio to stream: `inbound_track`, `outbound_track` or `both_tracks`."""
StatusCallbackMethod: TypeAlias = StatusCallbackMethodValue
"""How the status callback is requested: `GET` or `POST`."""
Codec: TypeAlias = StreamCodecValue
"""A conference stream's audio codec (`StreamCodec`)."""


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
