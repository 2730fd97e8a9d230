from enum import StrEnum
from typing import Literal


class StreamCodec(StrEnum):
    L16 = "L16"
    L1616000H = "L16@16000h"
    L1624000H = "L16@24000h"
    PCMA = "PCMA"
    PCMU = "PCMU"

    def __str__(self) -> str:
        return str(self.value)


StreamCodecValue = Literal["PCMU", "PCMA", "L16", "L16@16000h", "L16@24000h"]
"""The values of StreamCodec, in the spec's order, for arguments given as plain strings."""
