from enum import StrEnum
from typing import Literal


class StopStatus(StrEnum):
    STOPPED = "stopped"

    def __str__(self) -> str:
        return str(self.value)


StopStatusValue = Literal["stopped"]
"""The values of StopStatus, in the spec's order, for arguments given as plain strings."""
