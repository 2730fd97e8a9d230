from enum import StrEnum
from typing import Literal


class StreamStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    QUEUED = "queued"
    STOPPED = "stopped"

    def __str__(self) -> str:
        return str(self.value)


StreamStatusValue = Literal["queued", "in-progress", "stopped"]
"""The values of StreamStatus, in the spec's order, for arguments given as plain strings."""
