"""The cXML documents that start a stream from a call's webhook, instead of the REST API.

    <Response><Start><Stream url="wss://…"/></Start></Response>      start_stream(url)
    <Response><Connect><Stream url="wss://…"/></Connect></Response>  connect_stream(url)

`<Start><Stream>` forks the call's audio one way and goes on with the next instruction at
once: **with nothing after it, SignalWire hangs up**, so pass what the call should do
meanwhile as `then` (say `'<Pause length="3600"/>'` or a `<Dial>`). `<Connect><Stream>`
makes the stream bidirectional (your server may talk back, see `media.Session.send_audio`)
and holds the call until the stream ends; `then` runs after that.

Arguments are checked as the REST ones are, before anything is written, and named as the
REST client names them; the attributes are cXML's own spelling (`authorization_bearer_token`
is written `authBearerToken`). The document is built with `xml.etree.ElementTree`, so every
value is escaped. It holds the bearer token, if you pass one: serve it only to SignalWire.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from ._core import CALLBACK_METHODS, MAX_PARAMETERS, TRACKS
from ._errors import ValidationError
from ._secrets import Secret, reveal_checked
from ._validation import (
    bearer_token_problem,
    check_bool,
    check_callback_url,
    check_choice,
    check_parameters,
    check_stream_name,
    check_websocket_url,
)

__all__ = ["CODECS", "CONTENT_TYPE", "StreamOptions", "connect_stream", "start_stream"]

CONTENT_TYPE = "application/xml"
"""The media type to answer SignalWire's webhook with."""

CODECS = ("PCMU@8000h", "L16@16000h", "L16@24000h")
"""The `codec` values the cXML `<Stream>` page documents (PCMU@8000h is the default)."""

# The cXML page's attribute for each keyword argument, in the order they are written.
_ATTRIBUTES = {
    "url": "url",
    "name": "name",
    "track": "track",
    "codec": "codec",
    "realtime": "realtime",
    "status_callback": "statusCallback",
    "status_callback_method": "statusCallbackMethod",
    "authorization_bearer_token": "authBearerToken",
}
# A bidirectional stream carries only the caller's audio (the cXML page, `track`).
_BIDIRECTIONAL_TRACKS = ("inbound_track",)
# Characters XML 1.0 cannot hold at all, escaped or not.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class StreamOptions(TypedDict, total=False):
    """The keyword arguments of `start_stream` and `connect_stream`.

    `name`: unique per call, to stop it by. `track`: `inbound_track` (the service's
    default), `outbound_track` or `both_tracks`; a bidirectional stream carries only
    `inbound_track`. `status_callback` (absolute, or relative to the webhook's URL) and
    `status_callback_method` (`POST` or `GET`): where stream events go.
    `authorization_bearer_token`: sent to your server as `Authorization: Bearer …`.
    `codec`: one of `CODECS`. `realtime`: manage delay and bursts for the call's parties
    (bidirectional streams). `parameters`: custom parameters for the `start` message, in
    order, at most 99. `then`: the cXML instructions that follow, e.g.
    `'<Pause length="600"/>'`. Options left out, or None, are not written.
    """

    name: str | None
    track: str | None
    status_callback: str | None
    status_callback_method: str | None
    authorization_bearer_token: str | None
    codec: str | None
    realtime: bool | None
    parameters: Mapping[str, str] | None
    then: str | None


_OPTIONS = frozenset(StreamOptions.__annotations__)


def start_stream(url: str, **options: Unpack[StreamOptions]) -> str:
    """The cXML that forks the call's audio, one way, to `url` (wss://) and goes on at once.

    Without `then`, SignalWire ends the call as soon as the stream has started: give it
    what the call does meanwhile. Options: `StreamOptions`.
    """
    return _document("Start", url, options, TRACKS)


def connect_stream(url: str, **options: Unpack[StreamOptions]) -> str:
    """The cXML that connects the call to `url` (wss://) on a bidirectional stream.

    The call stays on the stream until it ends; `then` runs after that. Options:
    `StreamOptions` (`track` may only be `inbound_track`).
    """
    return _document("Connect", url, options, _BIDIRECTIONAL_TRACKS)


def _document(verb: str, url: object, given: StreamOptions, tracks: tuple[str, ...]) -> str:
    """Check everything, then write `<Response><verb><Stream …/></verb>then</Response>`."""
    options: dict[str, Any] = dict(given)
    bearer_token = Secret(options.pop("authorization_bearer_token", None))
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise TypeError(
            f"{verb.lower()}_stream() got an unexpected keyword argument {unknown[0]!r}"
        )
    attributes = {"url": _xml_text("url", check_websocket_url("url", url))}
    if options.get("track") is not None:
        attributes["track"] = check_choice("track", options["track"], tracks)
    for field in ("name", "status_callback", "status_callback_method", "codec", "realtime"):
        if options.get(field) is not None:
            attributes[field] = _checked(field, options[field])
    pairs = [
        (_xml_text("parameters", key), _xml_text("parameters", value))
        for key, value in check_parameters(options.get("parameters"), MAX_PARAMETERS)
    ]
    following = _instructions(options.get("then"))
    if bearer_token.reveal() is not None:
        token = reveal_checked("authorization_bearer_token", bearer_token, _token_problem)
        attributes["authorization_bearer_token"] = token
    # Nothing below raises.
    response = ElementTree.Element("Response")
    stream = ElementTree.SubElement(ElementTree.SubElement(response, verb), "Stream")
    for field in _ATTRIBUTES:
        if field in attributes:
            stream.set(_ATTRIBUTES[field], attributes[field])
    for key, value in pairs:
        ElementTree.SubElement(stream, "Parameter", name=key, value=value)
    response.extend(following)
    body = ElementTree.tostring(response, encoding="unicode", short_empty_elements=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'


def _checked(field: str, value: object) -> str:
    """One optional attribute's text, checked by the rule the REST client uses for it."""
    if field == "name":
        text = check_stream_name(field, value)
    elif field == "status_callback":
        text = _callback_url(value)
    elif field == "status_callback_method":
        text = check_choice(field, value, CALLBACK_METHODS)
    elif field == "codec":
        text = check_choice(field, value, CODECS)
    elif field == "realtime":
        text = "true" if check_bool(field, value) else "false"
    else:
        raise AssertionError(field)
    return _xml_text(field, text)


def _callback_url(value: object) -> str:
    """An absolute http(s) URL, or one relative to the webhook's (cXML resolves it)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        check_callback_url("status_callback", "https://host" + value)
        return value
    return check_callback_url("status_callback", value)


def _token_problem(value: object) -> str | None:
    problem = bearer_token_problem(value)
    if problem is None and isinstance(value, str) and _NOT_XML.search(value):
        return "must hold only characters XML can carry (no control characters)"
    return problem


def _xml_text(field: str, text: str) -> str:
    if _NOT_XML.search(text):
        raise ValidationError(
            field, "must hold only characters XML can carry (no control characters)"
        )
    return text


def _instructions(then: object) -> list[ElementTree.Element]:
    """The elements of a cXML fragment, checked to be well-formed."""
    if then is None:
        return []
    if not isinstance(then, str):
        raise ValidationError("then", f"must be a string of cXML, not {type(then).__name__}")
    try:
        wrapper = ElementTree.fromstring(f"<Response>{then}</Response>")
    except ElementTree.ParseError as error:
        raise ValidationError(
            "then",
            f"must be well-formed cXML instructions, e.g. '<Pause length=\"60\"/>' ({error})",
        ) from None
    if (wrapper.text or "").strip() or any((e.tail or "").strip() for e in wrapper):
        raise ValidationError("then", "must hold cXML instructions only, no bare text")
    return list(wrapper)
