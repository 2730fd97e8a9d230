"""The wire vocabulary the emulator speaks, as its own copy of SignalWire's documentation.

The emulator plays the service, so it does not borrow these from the client or the receiver:
a name misspelt there must show up as a disagreement in tests, not be mirrored here. Kept in
one place so that a test can hold it equal to the spec.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "ALAW",
    "API_PREFIX",
    "API_VERSION",
    "CALLBACK_METHODS",
    "CODECS",
    "CODEC_FORMATS",
    "COMMON_FIELDS",
    "CONFERENCE_FIELDS",
    "CONNECT_TRACK",
    "CXML_CODECS",
    "CXML_DEFAULT_TRACK",
    "DEFAULT_CALLBACK_METHOD",
    "DEFAULT_CODEC",
    "DEFAULT_TRACK",
    "DTMF_KEYS",
    "FORM_TYPE",
    "FRAME_SECONDS",
    "IN_PROGRESS",
    "KIND_SEGMENT",
    "L16",
    "MORE_INFO",
    "MULAW",
    "PARAMETER",
    "PROTOCOL",
    "RECEIVER_EVENTS",
    "ROOT_PREFIX",
    "SECRET_FIELD",
    "SEGMENT_KIND",
    "SIGNATURE_HEADER",
    "STOPPED",
    "TRACKS",
    "WIRE_TRACKS",
    "Kind",
    "StreamError",
    "StreamEvent",
]

Kind = Literal["call", "conference"]

# REST
API_VERSION: Final = "2010-04-01"
API_PREFIX: Final = f"/api/laml/{API_VERSION}"
# The same API at the Space's root, which the `signalwire` 2.x SDK calls (with `.json`) and a
# Space answers too (signalwire-python's recorded traffic).
ROOT_PREFIX: Final = f"/{API_VERSION}"
MORE_INFO: Final = "https://developer.signalwire.com/compatibility-api/reference/error-codes"
FORM_TYPE: Final = "application/x-www-form-urlencoded"
SEGMENT_KIND: Final[dict[str, Kind]] = {"Calls": "call", "Conferences": "conference"}
KIND_SEGMENT: Final[dict[Kind, str]] = {"call": "Calls", "conference": "Conferences"}

# A create's form
SECRET_FIELD: Final = "AuthorizationBearerToken"
TRACKS: Final = frozenset({"inbound_track", "outbound_track", "both_tracks"})
CALLBACK_METHODS: Final = frozenset({"GET", "POST"})
CODECS: Final = frozenset({"PCMU", "PCMA", "L16", "L16@16000h", "L16@24000h"})
COMMON_FIELDS: Final = frozenset(
    {"Url", "Name", "Track", "StatusCallback", "StatusCallbackMethod", SECRET_FIELD}
)
CONFERENCE_FIELDS: Final = frozenset({"StreamCodec", "StreamRealTime"})
PARAMETER: Final = re.compile(r"Parameter([1-9][0-9]?)\.(Name|Value)")
DEFAULT_TRACK: Final = "both_tracks"
DEFAULT_CALLBACK_METHOD: Final = "POST"
DEFAULT_CODEC: Final = "PCMU"

# A stream's status
IN_PROGRESS: Final = "in-progress"
STOPPED: Final = "stopped"

# The media WebSocket
PROTOCOL: Final = ("Call", "0.2.0")  # `connected`: protocol and version
FRAME_SECONDS: Final = 0.02
MULAW: Final = "audio/x-mulaw"
ALAW: Final = "audio/x-alaw"
L16: Final = "audio/x-L16"
CODEC_FORMATS: Final[dict[str, tuple[str, int]]] = {
    "PCMU": (MULAW, 8000),
    "PCMA": (ALAW, 8000),
    "L16": (L16, 8000),
    "L16@16000h": (L16, 16000),
    "L16@24000h": (L16, 24000),
}
WIRE_TRACKS: Final[dict[str, tuple[str, ...]]] = {
    "inbound_track": ("inbound",),
    "outbound_track": ("outbound",),
    "both_tracks": ("inbound", "outbound"),
}
DTMF_KEYS: Final = frozenset("0123456789*#ABCD")

# cXML `<Connect><Stream>`: a bidirectional stream, its codecs (`codec=`, the default first)
# and the one track it streams; what the receiver may send back on it (each with `streamSid`)
CXML_CODECS: Final[dict[str, tuple[str, int]]] = {
    "PCMU@8000h": (MULAW, 8000),
    "L16@16000h": (L16, 16000),
    "L16@24000h": (L16, 24000),
}
CONNECT_TRACK: Final = "inbound_track"
CXML_DEFAULT_TRACK: Final = "inbound_track"  # `<Start><Stream>` without a track
RECEIVER_EVENTS: Final = frozenset({"media", "mark", "clear", "dtmf"})

# Status callbacks
SIGNATURE_HEADER: Final = "X-SignalWire-Signature"
StreamEvent = Literal["stream-started", "stream-stopped", "stream-error"]
StreamError = Literal[
    "connection_refused", "connection_refused_timeout_or_ssl_error", "general_error"
]
