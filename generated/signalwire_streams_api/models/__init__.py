"""Contains all the data models used in inputs/outputs"""

# Each model loads on first use (PEP 562): naming one enum does not load every model.
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .call_stream import CallStream
    from .conference_stream import ConferenceStream
    from .create_call_stream_request import CreateCallStreamRequest
    from .create_conference_stream_request import CreateConferenceStreamRequest
    from .error_body import ErrorBody
    from .error_detail import ErrorDetail
    from .status_callback_method import StatusCallbackMethod
    from .stop_status import StopStatus
    from .stop_stream_request import StopStreamRequest
    from .stream_codec import StreamCodec
    from .stream_fields import StreamFields
    from .stream_status import StreamStatus
    from .track import Track

__all__ = (
    "CallStream",
    "ConferenceStream",
    "CreateCallStreamRequest",
    "CreateConferenceStreamRequest",
    "ErrorBody",
    "ErrorDetail",
    "StatusCallbackMethod",
    "StopStatus",
    "StopStreamRequest",
    "StreamCodec",
    "StreamFields",
    "StreamStatus",
    "Track",
)

_MODULES = {
    "CallStream": ".call_stream",
    "ConferenceStream": ".conference_stream",
    "CreateCallStreamRequest": ".create_call_stream_request",
    "CreateConferenceStreamRequest": ".create_conference_stream_request",
    "ErrorBody": ".error_body",
    "ErrorDetail": ".error_detail",
    "StatusCallbackMethod": ".status_callback_method",
    "StopStatus": ".stop_status",
    "StopStreamRequest": ".stop_stream_request",
    "StreamCodec": ".stream_codec",
    "StreamFields": ".stream_fields",
    "StreamStatus": ".stream_status",
    "Track": ".track",
}


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
