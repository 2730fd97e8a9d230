from enum import StrEnum


class StopStatus(StrEnum):
    STOPPED = "stopped"

    def __str__(self) -> str:
        return str(self.value)
