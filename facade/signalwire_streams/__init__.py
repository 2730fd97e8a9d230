"""Start and stop SignalWire media streams on live calls and conferences.

    from signalwire_streams import Client

    with Client() as sw:  # SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN, SIGNALWIRE_SPACE
        stream = sw.streams.create(call_sid, url="wss://example.com/audio", name="asr")
        sw.streams.stop(call_sid, "asr")

`AsyncClient` is the same with `await`. `signalwire_streams.testing.Emulator` is a local
emulator of the service for tests and demos.
"""

from ._client import AsyncClient, CallStreams, Client, ConferenceStreams
from ._config import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
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
    ServerError,
    SignalWireError,
    UnprocessableEntityError,
    ValidationError,
)
from ._models import Codec, StatusCallbackMethod, Stream, StreamStatus, Track
from ._version import __version__

__all__ = [
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
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitError",
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
