"""The `<Stream>` instructions of a cXML document, read as SignalWire would run them.

The emulator's own reader, not `signalwire_streams.cxml`'s writer run backwards, so that a
document the writer gets wrong does not read back as right. Only `<Start><Stream>` and
`<Connect><Stream>` mean anything here; other instructions (`<Say>`, `<Pause>`, `<Dial>`)
are skipped. Stricter than the cXML page needs: an attribute it does not document, a
`<Stream>` outside `<Start>` or `<Connect>`, or a document that is not cXML is an error,
so that a typo in a test's webhook shows.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from .._errors import ValidationError

__all__ = ["ATTRIBUTES", "StreamInstruction", "read_streams"]

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
