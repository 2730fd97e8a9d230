from enum import StrEnum


class StreamStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    QUEUED = "queued"
    STOPPED = "stopped"

    def __str__(self) -> str:
        return str(self.value)
