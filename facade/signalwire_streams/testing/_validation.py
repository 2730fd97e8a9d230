"""Request validation: what the service checks before it looks at its state.

Pure functions of the request: Basic auth, which of the four stream routes it is, the form,
and a create's or a stop's fields by the documented rules. Each problem is an `ApiError`
carrying the SignalWire-shaped answer, raised at the first one found, as the service does.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from ._models import Headers, Request, Response
from ._vocabulary import (
    API_PREFIX,
    CALLBACK_METHODS,
    CODECS,
    COMMON_FIELDS,
    CONFERENCE_FIELDS,
    FORM_TYPE,
    PARAMETER,
    ROOT_PREFIX,
    SECRET_FIELD,
    SEGMENT_KIND,
    STOPPED,
    TRACKS,
    Kind,
)

__all__ = [
    "ApiError",
    "CreateFields",
    "Form",
    "Route",
    "admit",
    "is_form",
    "parse_create",
    "parse_form",
    "parse_route",
    "parse_stop",
    "username",
]

Form = tuple[tuple[str, str], ...]


class ApiError(Exception):
    """Raised inside request handling to answer with a SignalWire-shaped error.

    The flat `{code, message, more_info, status}` body, or with `as_list` the
    `{"errors": [message]}` one, which SignalWire documents for a conference stream's 422.
    """

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        headers: Headers = (),
        *,
        as_list: bool = False,
    ) -> None:
        super().__init__(message)
        if as_list:
            self.response = Response.json(status, {"errors": [message]}, headers)
        else:
            self.response = Response.error(status, code, message, headers)


@dataclass(frozen=True)
class Route:
    """One of the four stream routes: a create (`stream` None) or a stop, on a call or
    conference."""

    account: str
    kind: Kind
    parent: str
    stream: str | None


@dataclass(frozen=True)
class CreateFields:
    """A create's validated form, named as the `StreamRecord` fields it fills."""

    url: str
    name: str | None
    track: str | None
    status_callback: str | None
    status_callback_method: str | None
    parameters: dict[str, str]
    codec: str | None
    real_time: bool | None
    extra_fields: dict[str, str]
    authorization_bearer_token: str | None = field(repr=False)


def _unauthorized() -> ApiError:
    return ApiError(
        401, 20003, "Authentication failed", (("WWW-Authenticate", 'Basic realm="SignalWire"'),)
    )


def _bad_request(message: str, code: int = 10000) -> ApiError:
    return ApiError(400, code, message)


def admit(request: Request, form: Form | None, credentials: bytes, account: str) -> Route:
    """The route of a request that may reach the state: authenticated, for this account,
    a POST of a well-formed form with no field given twice."""
    given = _basic_credentials(request.header("Authorization"))
    if given is None or not hmac.compare_digest(given, credentials):
        raise _unauthorized()
    route = parse_route(request.path)
    if route is None:
        raise ApiError(404, 20404, f"The requested resource {request.path} was not found")
    if route.account != account:
        raise _unauthorized()
    if request.method != "POST":
        raise ApiError(405, 10000, f"Method {request.method} is not allowed", (("Allow", "POST"),))
    if not is_form(request.header("Content-Type")):
        raise _bad_request(f"Content-Type must be {FORM_TYPE}")
    if form is None:
        raise _bad_request(f"The body is not valid UTF-8 {FORM_TYPE} data")
    seen: set[str] = set()
    for key, _ in form:
        if key in seen:
            raise _bad_request(f"Parameter {key} is given more than once")
        seen.add(key)
    return route


def parse_route(path: str) -> Route | None:
    """Match one of the four stream routes, below `/api/laml/2010-04-01` or, as a Space
    also answers, `/2010-04-01`; segments are split before they are unquoted."""
    prefix = next((p for p in (API_PREFIX, ROOT_PREFIX) if path.startswith(p + "/")), None)
    if prefix is None:
        return None
    raw = path[len(prefix) + 1 :].split("/")
    if len(raw) not in (5, 6):
        return None
    if raw[-1].endswith(".json"):
        raw[-1] = raw[-1][: -len(".json")]
    try:
        segments = [unquote(s, errors="strict") for s in raw]
    except UnicodeDecodeError:
        return None
    if not all(segments):
        return None
    kind = SEGMENT_KIND.get(segments[2])
    if segments[0] != "Accounts" or kind is None or segments[4] != "Streams":
        return None
    stream = segments[5] if len(segments) == 6 else None
    return Route(account=segments[1], kind=kind, parent=segments[3], stream=stream)


def is_form(content_type: str | None) -> bool:
    if content_type is None:
        return False
    return content_type.split(";", 1)[0].strip().lower() == FORM_TYPE


def parse_form(body: bytes) -> Form | None:
    """The pairs of a UTF-8 form body, in order, duplicates kept; None if it is not one."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except (UnicodeDecodeError, ValueError):
        return None
    return tuple(pairs)


def _basic_credentials(header: str | None) -> bytes | None:
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def username(header: str | None) -> str | None:
    """The Basic auth user of an Authorization header, for the request log."""
    credentials = _basic_credentials(header)
    if credentials is None or b":" not in credentials:
        return None
    return credentials.partition(b":")[0].decode("utf-8", errors="replace")


def _has_space_or_control(text: str) -> bool:
    return any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def _absolute_url(url: str, schemes: frozenset[str]) -> bool:
    if _has_space_or_control(url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(parts.hostname)


def _valid_websocket_url(url: str) -> bool:
    return _absolute_url(url, frozenset({"wss"})) and "?" not in url and "#" not in url


def _parse_parameters(form: Form) -> dict[str, str]:
    names: dict[int, str] = {}
    values: dict[int, str] = {}
    for key, value in form:
        if not key.lower().startswith("parameter"):
            continue
        match = PARAMETER.fullmatch(key)
        if match is None:
            raise _bad_request(
                f"Invalid custom parameter field {key}: expected Parameter{{N}}.Name or "
                "Parameter{N}.Value with N from 1 to 99"
            )
        index = int(match.group(1))
        (names if match.group(2) == "Name" else values)[index] = value
    parameters: dict[str, str] = {}
    for index in sorted(names.keys() | values.keys()):
        if index not in values:
            raise _bad_request(f"Parameter{index}.Name has no matching Parameter{index}.Value")
        if index not in names:
            raise _bad_request(f"Parameter{index}.Value has no matching Parameter{index}.Name")
        name = names[index]
        if not name:
            raise _bad_request(f"Parameter{index}.Name must not be empty")
        if name in parameters:
            raise _bad_request(f"Custom parameter name {name!r} is given more than once")
        parameters[name] = values[index]
    return parameters


def parse_create(form: Form, kind: Kind) -> CreateFields:
    """Validate a create body; raises ApiError with the first problem found."""
    fields = dict(form)
    url = fields.get("Url", "")
    if not url:
        raise _bad_request("Missing required parameter Url in the post body")
    if not _valid_websocket_url(url):
        raise _bad_request("Invalid WebSocket URL", code=31922)
    track = fields.get("Track")
    if track is not None and track not in TRACKS:
        raise _bad_request("Track must be one of inbound_track, outbound_track, both_tracks")
    method = fields.get("StatusCallbackMethod")
    if method is not None and method not in CALLBACK_METHODS:
        raise _bad_request("StatusCallbackMethod must be GET or POST")
    callback = fields.get("StatusCallback")
    if callback is not None and not _absolute_url(callback, frozenset({"http", "https"})):
        raise _bad_request("StatusCallback must be an absolute http:// or https:// URL")
    parameters = _parse_parameters(form)
    codec: str | None = None
    real_time: bool | None = None
    known = COMMON_FIELDS
    if kind == "conference":
        known = COMMON_FIELDS | CONFERENCE_FIELDS
        codec = fields.get("StreamCodec")
        if codec is not None and codec not in CODECS:
            raise _bad_request("StreamCodec must be one of " + ", ".join(sorted(CODECS)))
        real_time_text = fields.get("StreamRealTime")
        if real_time_text is not None:
            if real_time_text.lower() not in ("true", "false"):
                raise _bad_request("StreamRealTime must be true or false")
            real_time = real_time_text.lower() == "true"
    extra = {k: v for k, v in form if k not in known and not k.lower().startswith("parameter")}
    return CreateFields(
        url=url,
        name=fields.get("Name") or None,
        track=track,
        status_callback=callback,
        status_callback_method=method,
        parameters=parameters,
        codec=codec,
        real_time=real_time,
        extra_fields=extra,
        authorization_bearer_token=fields.get(SECRET_FIELD),
    )


def parse_stop(form: Form) -> None:
    """Validate a stop body: `Status=stopped`, the one change the service accepts."""
    status = dict(form).get("Status")
    if status is None:
        raise _bad_request("Missing required parameter Status in the post body")
    if status != STOPPED:
        raise _bad_request("Status must be stopped")
