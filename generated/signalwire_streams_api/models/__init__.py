"""Contains all the data models used in inputs/outputs"""

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
