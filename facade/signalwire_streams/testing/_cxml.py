"""Streams started as cXML starts them: `connect_stream`, and `answer` with a document.

`CxmlStreams` is the `Emulator`'s part that starts a stream without a REST request, as a
webhook's `<Start><Stream>` or `<Connect><Stream>` does: a create's rules on its fields,
cXML's codecs and default track, and bidirectional for `<Connect>`. `read_streams` reads
the `<Stream>` instructions of a document.

The emulator's own reader, not `signalwire_streams.cxml`'s writer run backwards, so that a
document the writer gets wrong does not read back as right. Only `<Start><Stream>` and
`<Connect><Stream>` mean anything here; other instructions (`<Say>`, `<Pause>`, `<Dial>`)
are skipped. Stricter than the cXML page needs: an attribute it does not document, a
`<Stream>` outside `<Start>` or `<Connect>`, or a document that is not cXML is an error,
so that a typo in a test's webhook shows.
"""

from __future__ import annotations

import dataclasses
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass, field

from .._errors import ValidationError
from ._errors import EmulatorError
from ._models import StreamRecord
from ._service import Service
from ._validation import ApiError, CreateFields, Form, parse_create
from ._vocabulary import CONNECT_TRACK, CXML_CODECS, CXML_DEFAULT_TRACK, SECRET_FIELD, TRACKS

__all__ = ["ATTRIBUTES", "CxmlStreams", "StreamInstruction", "read_streams"]

# `<Stream>`'s attributes on the cXML page, as the keyword arguments they become.
ATTRIBUTES = {
    "url": "url",
    "name": "name",
    "track": "track",
    "codec": "codec",
    "realtime": "realtime",
    "statusCallback": "status_callback",
    "statusCallbackMethod": "status_callback_method",
    "authBearerToken": "authorization_bearer_token",
}
_MAX_DOCUMENT = 1 << 20  # a webhook's answer is a few hundred bytes


@dataclass(frozen=True)
class StreamInstruction:
    """One `<Stream>`: whether `<Connect>` holds it (bidirectional), and what it says."""

    bidirectional: bool
    arguments: dict[str, str] = field(repr=False)  # may hold the bearer token
    parameters: dict[str, str] = field(default_factory=dict)


def read_streams(document: object) -> list[StreamInstruction]:
    """Every `<Stream>` of a cXML `<Response>`, in document order."""
    if isinstance(document, bytes):
        text = document
    elif isinstance(document, str):
        text = document.encode()
    else:
        raise ValidationError("cxml", f"must be the document's text, not {type(document).__name__}")
    if len(text) > _MAX_DOCUMENT:
        raise ValidationError("cxml", f"is over {_MAX_DOCUMENT} bytes: not a webhook's answer")
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        raise ValidationError("cxml", "must not declare a DOCTYPE or entities")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise ValidationError("cxml", f"is not well-formed XML ({error})") from None
    if root.tag != "Response":
        raise ValidationError("cxml", f"must have <Response> at its root, not <{root.tag}>")
    instructions = []
    for verb in root:
        for child in verb:
            if child.tag != "Stream":
                continue
            if verb.tag not in ("Start", "Connect"):
                raise ValidationError(
                    "cxml", f"<Stream> belongs in <Start> or <Connect>, not <{verb.tag}>"
                )
            instructions.append(_instruction(child, bidirectional=verb.tag == "Connect"))
    if any(element.tag == "Stream" for element in root):
        raise ValidationError("cxml", "<Stream> belongs in <Start> or <Connect>, not <Response>")
    return instructions


def _instruction(stream: ElementTree.Element, *, bidirectional: bool) -> StreamInstruction:
    arguments: dict[str, str] = {}
    for attribute, value in stream.attrib.items():
        argument = ATTRIBUTES.get(attribute)
        if argument is None:
            raise ValidationError(
                "cxml", f"<Stream> has no attribute {attribute!r:.40} on the cXML page"
            )
        arguments[argument] = value
    if "url" not in arguments:
        raise ValidationError("cxml", "<Stream> needs a url attribute")
    parameters: dict[str, str] = {}
    for parameter in stream:
        name, text = parameter.get("name"), parameter.get("value")
        if parameter.tag == "Parameter" and name is not None and text is not None:
            parameters[name] = text
        else:
            raise ValidationError(
                "cxml", "<Stream> may hold only <Parameter name=... value=...> elements"
            )
    return StreamInstruction(bidirectional, arguments, parameters)


class CxmlStreams:
    """The `Emulator`'s streams started without a request, as cXML starts them."""

    _service: Service
    _connecting: threading.local  # `bidirectional` set while one is being started

    def connect_stream(
        self,
        call_sid: str,
        url: str,
        *,
        name: str | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        authorization_bearer_token: str | None = None,
        codec: str | None = None,
        parameters: Mapping[str, str] | None = None,
    ) -> StreamRecord:
        """Start a bidirectional stream on a live call, as cXML's `<Connect><Stream>` does.

        The arguments are `<Stream>`'s attributes (`codec`: `PCMU@8000h`, the default,
        `L16@16000h` or `L16@24000h`; `parameters`: its `<Parameter>` children), checked as
        a create's fields are. SignalWire starts these from cXML, so no request is logged;
        otherwise the stream is like any other (in `streams()`, the same status callbacks,
        stopped by `end_call`), except that only the inbound track is streamed and the
        receiver may send audio, marks, `clear` and DTMF back (see `heard` and `media`).
        Raises `ValidationError` for a bad argument and `EmulatorError` when the call is
        unknown or ended or the name is in use.
        """
        arguments = {
            "url": url,
            "name": name,
            "status_callback": status_callback,
            "status_callback_method": status_callback_method,
            "authorization_bearer_token": authorization_bearer_token,
            "codec": codec,
        }
        return self._start_from_cxml(call_sid, arguments, parameters, bidirectional=True)

    def answer(self, call_sid: str, cxml: str | bytes) -> list[StreamRecord]:
        """Run a call's cXML answer as SignalWire would: each `<Start><Stream>` starts a
        one-way stream (`track` defaults to `inbound_track`, as on the cXML page), each
        `<Connect><Stream>` a bidirectional one, as `connect_stream` does. Other
        instructions are skipped. Returns the streams started, in document order.

        A document that is not cXML, or a `<Stream>` attribute the page does not document,
        raises `ValidationError`; an attribute's value breaking a create's rule raises it
        naming the argument (`status_callback`, ...); the call as for `connect_stream`.
        """
        records = []
        for instruction in read_streams(cxml):
            arguments: dict[str, str | None] = dict(instruction.arguments)
            realtime = arguments.pop("realtime", None)
            if realtime not in (None, "true", "false"):
                raise ValidationError("realtime", "must be true or false")
            track = arguments.pop("track", None)
            records.append(
                self._start_from_cxml(
                    call_sid,
                    arguments,
                    instruction.parameters,
                    bidirectional=instruction.bidirectional,
                    track=track,
                )
            )
        return records

    def _start_from_cxml(
        self,
        call_sid: str,
        arguments: dict[str, str | None],
        parameters: object,
        *,
        bidirectional: bool,
        track: str | None = None,
    ) -> StreamRecord:
        """A `<Stream>` started without a request: a create's rules, cXML's codecs."""
        for argument, value in arguments.items():
            if value is not None and not isinstance(value, str):
                raise ValidationError(argument, f"must be a string, not {type(value).__name__}")
        codec = arguments.get("codec")
        if codec is not None and codec not in CXML_CODECS:
            raise ValidationError("codec", f"must be one of {', '.join(CXML_CODECS)}")
        if bidirectional:
            if track not in (None, CONNECT_TRACK):
                raise ValidationError("track", f"a bidirectional stream carries {CONNECT_TRACK}")
            track = CONNECT_TRACK
        elif track is None:
            track = CXML_DEFAULT_TRACK
        elif track not in TRACKS:
            raise ValidationError("track", f"must be one of {', '.join(sorted(TRACKS))}")
        fields = _connect_fields(arguments, parameters)
        fields = dataclasses.replace(fields, track=track, codec=codec)
        self._connecting.bidirectional = bidirectional
        try:
            record = self._service.start("call", call_sid, fields)
        except ApiError as error:
            raise EmulatorError(str(error)) from None
        finally:
            self._connecting.bidirectional = False
        return dataclasses.replace(record, parameters=dict(record.parameters))


def _connect_fields(arguments: Mapping[str, str | None], parameters: object) -> CreateFields:
    """`connect_stream`'s arguments checked by a create's rules, as the form they would be.

    A broken rule is told as a `ValidationError` naming the argument, found by adding the
    arguments to the form one at a time (so it holds whatever the rules' wording).
    """
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()
    ):
        raise ValidationError("parameters", "must be a mapping of strings to strings")
    if len(parameters) > 99:
        raise ValidationError("parameters", "must hold at most 99 parameters")
    custom = tuple(
        pair
        for n, (key, value) in enumerate(parameters.items(), 1)
        for pair in ((f"Parameter{n}.Name", key), (f"Parameter{n}.Value", value))
    )
    stages = [  # in the form's order, Url first, whatever the attributes' order
        (argument, () if value is None else ((form_name, value),))
        for argument, form_name in _FORM_NAMES.items()
        if (value := arguments.get(argument)) is not None or argument in arguments
    ]
    form: Form = ()
    for argument, added in [*stages, ("parameters", custom)]:
        form += added
        try:
            fields = parse_create(form, "call")
        except ApiError as error:
            raise ValidationError(argument, str(error)) from None
    return fields


_FORM_NAMES = {
    "url": "Url",
    "name": "Name",
    "status_callback": "StatusCallback",
    "status_callback_method": "StatusCallbackMethod",
    "authorization_bearer_token": SECRET_FIELD,
}
