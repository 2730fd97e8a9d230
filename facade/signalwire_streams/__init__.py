"""Start and stop SignalWire media streams on live calls and conferences.

    from signalwire_streams import Client

    with Client() as sw:  # SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN, SIGNALWIRE_SPACE
        stream = sw.streams.create(call_sid, url="wss://example.com/audio", name="asr")
        sw.streams.stop(call_sid, "asr")

`AsyncClient` is the same with `await`. `signalwire_streams.testing.Emulator` is a local
emulator of the service for tests and demos.
"""

import typing as _typing

from ._errors import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    SendError,
    ServerError,
    SignalWireError,
    UnprocessableEntityError,
    ValidationError,
)
from ._models import Codec, StatusCallbackMethod, Stream, StreamStatus, Track
from ._version import __version__

if _typing.TYPE_CHECKING:
    from ._client import AsyncClient, CallStreams, Client, ConferenceStreams
    from ._config import DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
    from ._core import CreateOptions

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "CallStreams",
    "Client",
    "Codec",
    "ConferenceStreams",
    "ConflictError",
    "CreateOptions",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitError",
    "SendError",
    "ServerError",
    "SignalWireError",
    "StatusCallbackMethod",
    "Stream",
    "StreamStatus",
    "Track",
    "UnprocessableEntityError",
    "ValidationError",
    "__version__",
]

# Loaded on first use, so that `import signalwire_streams` stays light: the clients bring
# httpx and the generated client, and DEFAULT_TIMEOUT is an httpx.Timeout. (`Track` and
# `StreamStatus` come from the generated package too, from its small enum modules.) The
# submodules (media, callbacks, testing) load only when imported themselves. Type checkers
# see the imports above instead, so a misspelt name is still an error for them.
_LAZY = {
    "AsyncClient": "._client",
    "CallStreams": "._client",
    "Client": "._client",
    "ConferenceStreams": "._client",
    "CreateOptions": "._core",
    "DEFAULT_MAX_RESPONSE_SIZE": "._config",
    "DEFAULT_MAX_RETRIES": "._config",
    "DEFAULT_TIMEOUT": "._config",
}

if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module, __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
