"""A client library for accessing SignalWire Compatibility API, streams"""

# The client loads on first use (PEP 562), so that importing a model or an enum does not
# load httpx and httpcore.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import Client

__all__ = ("Client",)


def __getattr__(name: str) -> object:
    if name == "Client":
        from .client import Client

        return Client
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
