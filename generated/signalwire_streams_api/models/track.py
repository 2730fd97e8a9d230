from enum import StrEnum
from typing import Literal


class Track(StrEnum):
    BOTH_TRACKS = "both_tracks"
    INBOUND_TRACK = "inbound_track"
    OUTBOUND_TRACK = "outbound_track"

    def __str__(self) -> str:
        return str(self.value)


TrackValue = Literal["inbound_track", "outbound_track", "both_tracks"]
"""The values of Track, in the spec's order, for arguments given as plain strings."""
