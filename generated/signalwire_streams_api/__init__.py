"""A client library for accessing SignalWire Compatibility API, streams"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
