from enum import StrEnum
from typing import Literal


class StatusCallbackMethod(StrEnum):
    GET = "GET"
    POST = "POST"

    def __str__(self) -> str:
        return str(self.value)


StatusCallbackMethodValue = Literal["GET", "POST"]
"""The values of StatusCallbackMethod, in the spec's order, for arguments given as plain strings."""
