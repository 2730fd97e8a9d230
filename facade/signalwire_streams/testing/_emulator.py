"""A local emulator of SignalWire's streams service.

It speaks real HTTP on loopback so that any client (this library, httpx, twilio-python) can be
tested end to end, and error cassettes recorded, without a SignalWire Space. It checks requests
at least as strictly as the service is documented to, so that client bugs show up in tests.
Each stream it creates really streams: see `_media.py`.

The REST side is stdlib only and independent of the client code, so that a client bug cannot
hide itself by being mirrored here.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import dataclasses
import hmac
import json
import os
import re
import secrets
import socket
import sys
import threading
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from os import PathLike
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ._media import MediaEngine, MediaFault, MediaStatus, SentCallback, StreamPlan, load_wav

__all__ = ["Emulator", "Fault", "MediaStatus", "RecordedRequest", "SentCallback", "StreamRecord"]

Kind = Literal["call", "conference"]

_API_VERSION = "2010-04-01"
_API_PREFIX = f"/api/laml/{_API_VERSION}"
_MORE_INFO = "https://developer.signalwire.com/compatibility-api/reference/error-codes"
_MAX_BODY = 1024 * 1024
_FORM_TYPE = "application/x-www-form-urlencoded"
_SECRET_FIELD = "AuthorizationBearerToken"
_REDACTED = "[secure]"

_SEGMENT_KIND: dict[str, Kind] = {"Calls": "call", "Conferences": "conference"}
_KIND_SEGMENT: dict[Kind, str] = {"call": "Calls", "conference": "Conferences"}
_TRACKS = frozenset({"inbound_track", "outbound_track", "both_tracks"})
_CALLBACK_METHODS = frozenset({"GET", "POST"})
_CODECS = frozenset({"PCMU", "PCMA", "L16", "L16@16000h", "L16@24000h"})
_COMMON_FIELDS = frozenset(
    {"Url", "Name", "Track", "StatusCallback", "StatusCallbackMethod", _SECRET_FIELD}
)
_CONFERENCE_FIELDS = frozenset({"StreamCodec", "StreamRealTime"})
_PARAMETER = re.compile(r"Parameter([1-9][0-9]?)\.(Name|Value)")


@dataclass(frozen=True)
class StreamRecord:
    """What the emulator knows about one stream, for tests to assert on.

    Optional fields hold what the client sent (None when it sent nothing), not the service's
    defaults, so a test can tell "sent both_tracks" from "relied on the default".
    """

    sid: str
    parent_sid: str
    kind: Kind
    name: str | None
    status: str
    url: str
    track: str | None
    status_callback: str | None
    status_callback_method: str | None
    parameters: dict[str, str]
    codec: str | None
    real_time: bool | None
    extra_fields: dict[str, str]
    date_updated: datetime
    authorization_bearer_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request as the emulator received it and answered it.

    `status` is None when no answer went out (a dropped connection); `fault` names the fault
    the request met, if any. The Authorization header is never kept, and the bearer token is
    hidden from repr, so a failing test's output cannot leak either.
    """

    method: str
    path: str
    query: str
    form: tuple[tuple[str, str], ...]
    status: int | None
    username: str | None
    fault: str | None = None

    @property
    def fields(self) -> dict[str, str]:
        """The form as a dict (the last value wins), for terse assertions."""
        return dict(self.form)

    def __repr__(self) -> str:
        form = tuple((k, _REDACTED if k == _SECRET_FIELD else v) for k, v in self.form)
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, "
            f"query={self.query!r}, form={form!r}, status={self.status!r}, "
            f"username={self.username!r}, fault={self.fault!r})"
        )


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    close: bool = False


class _ApiError(Exception):
    """Raised inside request handling to answer with a SignalWire-shaped error."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.response = _error_response(status, code, message, headers)


@dataclass(frozen=True)
class _Incoming:
    method: str
    path: str
    query: str
    authorization: str | None
    content_type: str | None
    form: tuple[tuple[str, str], ...] | None
    problem: _Response | None


@dataclass(frozen=True)
class _Route:
    account: str
    kind: Kind
    parent: str
    stream: str | None


@dataclass
class _Parent:
    kind: Kind
    ended: bool = False
    stream_sids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _CreateFields:
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


class _Disconnected(Exception):
    """The client went away before sending the whole request."""


def _json_response(
    status: int, payload: object, headers: tuple[tuple[str, str], ...] = ()
) -> _Response:
    return _Response(status, json.dumps(payload).encode(), "application/json", headers)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _default_code(status: int) -> int:
    if status == 429:
        return 20429
    if status >= 500:
        return 20504
    if status in (401, 403):
        return 20003
    if status == 404:
        return 20404
    return 10000


def _error_response(
    status: int, code: int, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> _Response:
    payload = {"code": code, "message": message, "more_info": _MORE_INFO, "status": status}
    return _json_response(status, payload, headers)


def _unauthorized() -> _ApiError:
    return _ApiError(
        401, 20003, "Authentication failed", (("WWW-Authenticate", 'Basic realm="SignalWire"'),)
    )


def _bad_request(message: str, code: int = 10000) -> _ApiError:
    return _ApiError(400, code, message)


def _now() -> datetime:
    # RFC 2822 dates have whole seconds: keep the record equal to what the JSON says.
    return datetime.now(UTC).replace(microsecond=0)


def _split_target(target: str) -> tuple[str, str]:
    if not target.startswith("/"):
        parts = urlsplit(target)
        return parts.path, parts.query
    path, _, query = target.partition("?")
    return path, query


def _parse_route(path: str) -> _Route | None:
    """Match one of the four stream routes; segments are split before they are unquoted."""
    if not path.startswith(_API_PREFIX + "/"):
        return None
    raw = path[len(_API_PREFIX) + 1 :].split("/")
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
    kind = _SEGMENT_KIND.get(segments[2])
    if segments[0] != "Accounts" or kind is None or segments[4] != "Streams":
        return None
    stream = segments[5] if len(segments) == 6 else None
    return _Route(account=segments[1], kind=kind, parent=segments[3], stream=stream)


def _is_form(content_type: str | None) -> bool:
    if content_type is None:
        return False
    return content_type.split(";", 1)[0].strip().lower() == _FORM_TYPE


def _parse_form(body: bytes) -> tuple[tuple[str, str], ...] | None:
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


def _username(header: str | None) -> str | None:
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


def _parse_parameters(form: tuple[tuple[str, str], ...]) -> dict[str, str]:
    names: dict[int, str] = {}
    values: dict[int, str] = {}
    for key, value in form:
        if not key.lower().startswith("parameter"):
            continue
        match = _PARAMETER.fullmatch(key)
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


def _parse_create(form: tuple[tuple[str, str], ...], kind: Kind) -> _CreateFields:
    """Validate a create body; raises _ApiError with the first problem found."""
    fields = dict(form)
    url = fields.get("Url", "")
    if not url:
        raise _bad_request("Missing required parameter Url in the post body")
    if not _valid_websocket_url(url):
        raise _bad_request("Invalid WebSocket URL", code=31922)
    track = fields.get("Track")
    if track is not None and track not in _TRACKS:
        raise _bad_request("Track must be one of inbound_track, outbound_track, both_tracks")
    method = fields.get("StatusCallbackMethod")
    if method is not None and method not in _CALLBACK_METHODS:
        raise _bad_request("StatusCallbackMethod must be GET or POST")
    callback = fields.get("StatusCallback")
    if callback is not None and not _absolute_url(callback, frozenset({"http", "https"})):
        raise _bad_request("StatusCallback must be an absolute http:// or https:// URL")
    parameters = _parse_parameters(form)
    codec: str | None = None
    real_time: bool | None = None
    known = _COMMON_FIELDS
    if kind == "conference":
        known = _COMMON_FIELDS | _CONFERENCE_FIELDS
        codec = fields.get("StreamCodec")
        if codec is not None and codec not in _CODECS:
            raise _bad_request("StreamCodec must be one of " + ", ".join(sorted(_CODECS)))
        real_time_text = fields.get("StreamRealTime")
        if real_time_text is not None:
            if real_time_text.lower() not in ("true", "false"):
                raise _bad_request("StreamRealTime must be true or false")
            real_time = real_time_text.lower() == "true"
    extra = {k: v for k, v in form if k not in known and not k.lower().startswith("parameter")}
    return _CreateFields(
        url=url,
        name=fields.get("Name") or None,
        track=track,
        status_callback=callback,
        status_callback_method=method,
        parameters=parameters,
        codec=codec,
        real_time=real_time,
        extra_fields=extra,
        authorization_bearer_token=fields.get(_SECRET_FIELD),
    )


def _render_fault(
    status: int,
    body: object,
    headers: Mapping[str, str] | None,
    content_type: str | None,
) -> _Response:
    if not 200 <= status <= 599:
        raise ValueError(f"status must be from 200 to 599, not {status}")
    extra: list[tuple[str, str]] = []
    for name, value in (headers or {}).items():
        if any(c in name + value for c in "\r\n") or not name:
            raise ValueError(f"invalid header {name!r}")
        if name.lower() in ("content-length", "transfer-encoding", "connection"):
            raise ValueError(f"the emulator sets {name} itself")
        if name.lower() == "content-type":
            content_type = value
        else:
            extra.append((name, value))
    if status in (204, 304):
        return _Response(status, headers=tuple(extra))
    payload: bytes
    if body is None:
        payload = json.dumps(
            {
                "code": _default_code(status),
                "message": _reason(status),
                "more_info": _MORE_INFO,
                "status": status,
            }
        ).encode()
        content_type = content_type or "application/json"
    elif isinstance(body, str | bytes):
        payload = body.encode() if isinstance(body, str) else body
        if content_type is None:
            html = payload.lstrip().startswith(b"<")
            content_type = f"text/{'html' if html else 'plain'}; charset=utf-8"
    else:
        payload = json.dumps(body).encode()
        content_type = content_type or "application/json"
    return _Response(status, payload, content_type, tuple(extra))


FaultKind = Literal["status", "drop", "delay", "truncate", "body", "reshape"]


@dataclass(frozen=True, repr=False)
class Fault:
    """How the emulator answers one request instead of as SignalWire normally would.

    Make one with the class methods and queue it with `Emulator.inject`. `acts` says
    whether the service does the work first (starts or stops the stream) and then fails,
    which is the case a retried create would turn into a second stream.
    """

    kind: FaultKind
    acts: bool
    response: _Response | None = None
    seconds: float = 0.0
    replace: tuple[tuple[str, object], ...] = ()
    remove: tuple[str, ...] = ()

    @classmethod
    def status(
        cls,
        status: int,
        body: object = None,
        *,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        acts: bool = False,
    ) -> Fault:
        """Answer with this status: a dict or list body as JSON, a str or bytes body as is
        (HTML when it starts with `<`), None as SignalWire's JSON error for the status."""
        return cls("status", acts, _render_fault(status, body, headers, content_type))

    @classmethod
    def drop_before_read(cls) -> Fault:
        """Close the connection once the request line and headers arrive: no answer, and
        the service never acts on the request."""
        return cls("drop", False)

    @classmethod
    def drop_after_read(cls) -> Fault:
        """Act on the request, then close the connection without answering."""
        return cls("drop", True)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Act on the request and answer normally, `seconds` late (beyond a timeout)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValueError(f"seconds must be a number of 0 or more, not {seconds!r}")
        return cls("delay", True, seconds=float(seconds))

    @classmethod
    def truncated_body(cls) -> Fault:
        """Act, then send the headers and half the body, and close the connection."""
        return cls("truncate", True)

    @classmethod
    def body(
        cls, content: str | bytes, *, status: int = 200, content_type: str | None = None
    ) -> Fault:
        """Act, then answer `status` with this body instead (not JSON, HTML, empty)."""
        return cls("body", True, _render_fault(status, content, None, content_type))

    @classmethod
    def reshape(
        cls, replace: Mapping[str, object] | None = None, remove: tuple[str, ...] = ()
    ) -> Fault:
        """Act, then answer with the usual JSON changed: keys set to other values (an
        unknown status, a wrong type, an extra key) and keys removed."""
        return cls("reshape", True, replace=tuple((replace or {}).items()), remove=remove)

    def __repr__(self) -> str:
        return f"Fault({self.description!r})"

    @property
    def description(self) -> str:
        """A short name for the request log."""
        if self.kind == "status":
            assert self.response is not None
            return f"status {self.response.status}" + (", acted" if self.acts else "")
        if self.kind == "drop":
            return "drop after read" if self.acts else "drop before read"
        if self.kind == "delay":
            return f"delay {self.seconds:g} s"
        if self.kind == "body":
            assert self.response is not None
            return f"body {self.response.status} {self.response.content_type}"
        if self.kind == "reshape":
            keys = [key for key, _ in self.replace] + [f"-{key}" for key in self.remove]
            return f"reshape {', '.join(keys)}"
        return "truncated body"

    def answer(self, normal: _Response) -> _Response:
        """The answer to send in place of `normal`, the service's own (after acting)."""
        if self.kind in ("status", "body"):
            assert self.response is not None
            return self.response
        if self.kind != "reshape":
            return normal
        payload = json.loads(normal.body)
        for key in self.remove:
            payload.pop(key, None)
        payload.update(self.replace)
        return dataclasses.replace(normal, body=json.dumps(payload).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Joining handler threads on close would hang on idle keep-alive connections.
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up is routine for a test server; anything else is a bug to show."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "signalwire-streams-emulator"
    timeout = 120
    # Headers and body go out in separate writes: without this, delayed ACKs cost 40 ms each.
    disable_nagle_algorithm = True

    def _emulator(self) -> Emulator:
        server = self.server
        assert isinstance(server, _Server)
        return server.emulator

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: an access log on stderr is noise in a test run."""

    def setup(self) -> None:
        super().setup()
        self._emulator()._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._emulator()._track(self.connection, add=False)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _read_body(self) -> tuple[bytes, _Response | None]:
        """Read exactly the declared body, or say why it cannot be read safely."""
        if self.headers.get("Transfer-Encoding") is not None:
            error = _error_response(
                411, 10000, "Send the body with a Content-Length, not Transfer-Encoding"
            )
            return b"", dataclasses.replace(error, close=True)
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return b"", None
        if len(set(lengths)) != 1 or not re.fullmatch(r"\s*[0-9]+\s*", lengths[0]):
            error = _error_response(400, 10000, "Invalid Content-Length")
            return b"", dataclasses.replace(error, close=True)
        length = int(lengths[0])
        if length > _MAX_BODY:
            error = _error_response(413, 10000, f"Request body is larger than {_MAX_BODY} bytes")
            return b"", dataclasses.replace(error, close=True)
        body = self.rfile.read(length)
        if len(body) < length:
            raise _Disconnected
        return body, None

    def _handle(self) -> None:
        emulator = self._emulator()
        path, query = _split_target(self.path)
        authorization = self.headers.get("Authorization")
        fault = emulator._take_fault()
        if fault is not None and fault.kind == "drop" and not fault.acts:
            emulator._record(self.command, path, query, (), None, authorization, fault)
            self._hang_up()
            return
        try:
            body, problem = self._read_body()
        except _Disconnected:
            self.close_connection = True
            return
        content_type = self.headers.get("Content-Type")
        request = _Incoming(
            method=self.command,
            path=path,
            query=query,
            authorization=authorization,
            content_type=content_type,
            form=_parse_form(body) if problem is None and _is_form(content_type) else None,
            problem=problem,
        )
        response = emulator._serve(request, fault)
        if fault is None:
            self._send(response)
        elif fault.kind == "drop":
            self._hang_up()
        elif fault.kind == "truncate":
            self._send(response, truncate=True)
            self._hang_up()
        else:
            if fault.kind == "delay":
                emulator._stopping.wait(fault.seconds)
            self._send(response)

    def _hang_up(self) -> None:
        """Close the connection now, with no answer (or no more of one)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response: _Response, *, truncate: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status not in (204, 304):
            if response.content_type is not None:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        if response.close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(
                response.body[: len(response.body) // 2] if truncate else response.body
            )

    do_GET = _handle
    do_HEAD = _handle
    do_POST = _handle
    do_PUT = _handle
    do_PATCH = _handle
    do_DELETE = _handle
    do_OPTIONS = _handle


class Emulator:
    """A SignalWire streams service on loopback, with inspectable state and faults.

    Register calls and conferences with `add_call` / `add_conference`, point a client at
    `base_url` with `project_id` / `api_token`, then assert on `streams()` and `requests`.
    The server runs in a daemon thread, so it never blocks the test's event loop.

    Every stream created opens a WebSocket to its `Url` and streams audio as SignalWire does:
    a tone (440 Hz inbound, 660 Hz outbound) or the WAV file given as `audio`, at real-time
    pace times `speed`. `ca_file` is trusted for `wss://` and for https callbacks;
    `verify_tls=False` skips certificate checks. Status callbacks are signed with
    `signing_key`. `media=False` keeps it to REST.
    """

    def __init__(
        self,
        project_id: str | None = None,
        api_token: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        signing_key: str | None = None,
        ca_file: str | PathLike[str] | None = None,
        verify_tls: bool = True,
        speed: float = 1.0,
        audio: str | PathLike[str] | None = None,
        media: bool = True,
    ) -> None:
        self._project_id = str(uuid.uuid4()) if project_id is None else project_id
        self._api_token = secrets.token_urlsafe(24) if api_token is None else api_token
        self._signing_key = secrets.token_urlsafe(24) if signing_key is None else signing_key
        if not self._project_id or ":" in self._project_id:
            raise ValueError("project_id must be non-empty and contain no ':'")
        if not self._api_token:
            raise ValueError("api_token must not be empty")
        if not self._signing_key:
            raise ValueError("signing_key must not be empty")
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not speed > 0:
            raise ValueError(f"speed must be a number above 0 (math.inf: no pacing), not {speed!r}")
        if ca_file is not None and not os.path.isfile(ca_file):
            raise ValueError(f"ca_file: no file at {os.fspath(ca_file)!r}")
        self._engine = (
            MediaEngine(
                signing_key=self._signing_key,
                ca_file=ca_file,
                verify_tls=verify_tls,
                speed=float(speed),
                audio=None if audio is None else load_wav(audio),
            )
            if media
            else None
        )
        self._credentials = f"{self._project_id}:{self._api_token}".encode()
        self._host = host
        self._requested_port = port
        self._bound_port: int | None = None
        self._lock = threading.Lock()
        self._lifecycle = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._connections: set[Any] = set()
        self._parents: dict[str, _Parent] = {}
        self._streams: dict[str, StreamRecord] = {}
        self._log: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._stopping = threading.Event()

    def __repr__(self) -> str:
        base_url = self.base_url if self._bound_port is not None else None
        return f"Emulator(base_url={base_url!r}, project_id={self._project_id!r})"

    # Lifecycle

    def start(self) -> None:
        """Bind and serve in a background thread; a no-op when already running."""
        with self._lifecycle:
            if self._server is not None:
                return
            if self._stopped:
                raise RuntimeError("this Emulator was stopped; create a new one")
            server = _Server((self._host, self._requested_port), self)
            self._bound_port = int(server.server_address[1])
            thread = threading.Thread(
                target=server.serve_forever,
                # A short poll makes stop() quick; the idle cost is negligible.
                kwargs={"poll_interval": 0.01},
                name=f"signalwire-streams-emulator:{self._bound_port}",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread

    def stop(self) -> None:
        """Stop serving, close the socket and drop open connections; idempotent."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            if server is None or thread is None:
                return
            self._server = self._thread = None
            self._stopped = True
            self._stopping.set()
            server.shutdown()
            server.server_close()
            with self._lock:
                connections = list(self._connections)
            for connection in connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            thread.join(timeout=5)
            if self._engine is not None:
                self._engine.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Off the event loop: stopping sends `stop` to receivers that may run on this loop.
        await asyncio.to_thread(self.stop)

    def _track(self, connection: Any, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # Properties

    @property
    def project_id(self) -> str:
        """The Project ID: the Basic auth user and the AccountSid in paths."""
        return self._project_id

    @property
    def api_token(self) -> str:
        """The API token (Basic auth password). A secret: do not print it."""
        return self._api_token

    @property
    def signing_key(self) -> str:
        """The key status callbacks are signed with. A secret: do not print it."""
        return self._signing_key

    @property
    def host(self) -> str:
        """The host the server binds to."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port (the real one when port=0 was asked); needs start()."""
        if self._bound_port is None:
            raise RuntimeError("the Emulator is not started")
        return self._bound_port

    @property
    def base_url(self) -> str:
        """The Compatibility API base URL, as for `https://{space}.signalwire.com`."""
        host = self._host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "[::1]"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{_API_PREFIX}"

    # State

    def add_call(self, sid: str | None = None) -> str:
        """Register a live call and return its sid (a fresh UUID unless one is given)."""
        return self._add_parent("call", sid)

    def add_conference(self, sid: str | None = None) -> str:
        """Register a live conference and return its sid (a fresh UUID unless one is given)."""
        return self._add_parent("conference", sid)

    def end_call(self, sid: str) -> None:
        """End a call: its streams stop and new ones are refused with 422."""
        self._end_parent("call", sid)

    def end_conference(self, sid: str) -> None:
        """End a conference: its streams stop and new ones are refused with 422."""
        self._end_parent("conference", sid)

    def streams(self, parent_sid: str) -> list[StreamRecord]:
        """The streams of a call or conference, in creation order (a snapshot)."""
        with self._lock:
            parent = self._parents.get(parent_sid)
            if parent is None:
                raise KeyError(f"no call or conference {parent_sid!r}")
            records = [self._streams[sid] for sid in parent.stream_sids]
        return [
            dataclasses.replace(r, parameters=dict(r.parameters), extra_fields=dict(r.extra_fields))
            for r in records
        ]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, rejected ones included (a copy)."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        """Empty the request log, e.g. between the arrange and act steps of a test."""
        with self._lock:
            self._log.clear()

    def inject(self, fault: Fault, *, count: int = 1) -> None:
        """Meet the next `count` requests with `fault`; faults queue up in call order.

        Every request that meets one is in `requests`, with the fault's name.
        """
        if not isinstance(fault, Fault):
            raise TypeError(f"fault must be a Fault, not {type(fault).__name__}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be an integer of at least 1")
        with self._lock:
            self._faults.extend([fault] * count)

    def fail_next(
        self,
        status: int,
        body: object = None,
        *,
        headers: Mapping[str, str] | None = None,
        count: int = 1,
        content_type: str | None = None,
    ) -> None:
        """Answer the next `count` requests with this error, without touching state:
        `inject(Fault.status(...), count=count)`, the usual case."""
        fault = Fault.status(status, body, headers=headers, content_type=content_type)
        self.inject(fault, count=count)

    # Media

    def media(self, stream_sid: str) -> MediaStatus:
        """What the stream's WebSocket has done so far: connected, frames sent, how it ended."""
        return self._media_engine().status(stream_sid)

    @property
    def callbacks(self) -> list[SentCallback]:
        """Every status callback sent so far, with the receiver's answer (a copy)."""
        return [] if self._engine is None else self._engine.callbacks

    def send_dtmf(self, parent_sid: str, digits: str, *, duration: int = 250) -> None:
        """Press keys on a call or conference: each live stream of it gets `dtmf` events."""
        if not digits or any(d not in "0123456789*#ABCD" for d in digits):
            raise ValueError("digits must be DTMF keys: 0-9, *, #, A-D")
        engine = self._media_engine()
        for record in self.streams(parent_sid):
            if record.status == "in-progress":
                for digit in digits:
                    engine.send_dtmf(record.sid, digit, duration)

    def drop_media(self, stream_sid: str) -> None:
        """Cut a stream's WebSocket with no `stop` and no close frame, as SignalWire may."""
        self._media_engine().drop(stream_sid)

    def inject_media(self, stream_sid: str, fault: MediaFault) -> None:
        """Misbehave on a stream's WebSocket, at its next 20 ms tick, as a hostile peer would.

        `"garbage"`: frames that are not events (not JSON, binary, not UTF-8, JSON that is
        not an event), one after each tick's media frames. `"invalid-utf8"`: a text frame
        that is not UTF-8. `"cut-mid-frame"`: half of the next media frame, then the TCP
        connection cut. `"oversized-frame"`: one text frame of 10 MiB. `"flood"`: frames as
        fast as the receiver takes them from then on. `media(sid)` tells how it ended.
        """
        self._media_engine().inject(stream_sid, fault)

    def _media_engine(self) -> MediaEngine:
        if self._engine is None:
            raise RuntimeError("this Emulator was made with media=False")
        return self._engine

    def _add_parent(self, kind: Kind, sid: str | None) -> str:
        sid = str(uuid.uuid4()) if sid is None else sid
        if not sid:
            raise ValueError("a sid must not be empty")
        with self._lock:
            if sid in self._parents:
                raise ValueError(f"{sid!r} is already registered")
            self._parents[sid] = _Parent(kind)
        return sid

    def _end_parent(self, kind: Kind, sid: str) -> None:
        with self._lock:
            parent = self._parents.get(sid)
            if parent is None or parent.kind != kind:
                raise KeyError(f"no {kind} {sid!r}")
            parent.ended = True
            now = _now()
            for stream_sid in parent.stream_sids:
                record = self._streams[stream_sid]
                if record.status == "in-progress":
                    self._streams[stream_sid] = dataclasses.replace(
                        record, status="stopped", date_updated=now
                    )
                    if self._engine is not None:
                        self._engine.end(stream_sid)

    # Request handling (called from server threads)

    def _take_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _serve(self, request: _Incoming, fault: Fault | None) -> _Response:
        if fault is not None and not fault.acts:
            assert fault.response is not None
            response = fault.response
        elif request.problem is not None:
            response = request.problem
        else:
            try:
                response = self._route(request)
            except _ApiError as error:
                response = error.response
            if fault is not None:
                response = fault.answer(response)
        answered = fault is None or fault.kind != "drop"
        self._record(
            request.method,
            request.path,
            request.query,
            request.form or (),
            response.status if answered else None,
            request.authorization,
            fault,
        )
        return response

    def _record(
        self,
        method: str,
        path: str,
        query: str,
        form: tuple[tuple[str, str], ...],
        status: int | None,
        authorization: str | None,
        fault: Fault | None,
    ) -> None:
        record = RecordedRequest(
            method=method,
            path=path,
            query=query,
            form=form,
            status=status,
            username=_username(authorization),
            fault=None if fault is None else fault.description,
        )
        with self._lock:
            self._log.append(record)

    def _route(self, request: _Incoming) -> _Response:
        credentials = _basic_credentials(request.authorization)
        if credentials is None or not hmac.compare_digest(credentials, self._credentials):
            raise _unauthorized()
        route = _parse_route(request.path)
        if route is None:
            raise _ApiError(404, 20404, f"The requested resource {request.path} was not found")
        if route.account != self._project_id:
            raise _unauthorized()
        if request.method != "POST":
            raise _ApiError(
                405, 10000, f"Method {request.method} is not allowed", (("Allow", "POST"),)
            )
        if not _is_form(request.content_type):
            raise _bad_request(f"Content-Type must be {_FORM_TYPE}")
        form = request.form
        if form is None:
            raise _bad_request(f"The body is not valid UTF-8 {_FORM_TYPE} data")
        seen: set[str] = set()
        for key, _ in form:
            if key in seen:
                raise _bad_request(f"Parameter {key} is given more than once")
            seen.add(key)
        with self._lock:
            parent = self._parents.get(route.parent)
            if parent is None or parent.kind != route.kind:
                segment = _KIND_SEGMENT[route.kind]
                raise _ApiError(
                    404, 20404, f"The requested resource /{segment}/{route.parent} was not found"
                )
            if route.stream is None:
                record = self._create(route, parent, form)
            else:
                record = self._stop(route, parent, form)
            return _json_response(200, self._stream_json(record))

    def _create(
        self, route: _Route, parent: _Parent, form: tuple[tuple[str, str], ...]
    ) -> StreamRecord:
        fields = _parse_create(form, route.kind)
        if fields.name is not None:
            for sid in parent.stream_sids:
                other = self._streams[sid]
                if other.status == "in-progress" and other.name == fields.name:
                    raise _bad_request(
                        f"Stream name {fields.name!r} is already in use on this {route.kind}"
                    )
        if parent.ended:
            raise _ApiError(
                422, 21220, f"Stream cannot be started for a {route.kind} in its current state"
            )
        record = StreamRecord(
            sid=str(uuid.uuid4()),
            parent_sid=route.parent,
            kind=route.kind,
            status="in-progress",
            date_updated=_now(),
            **vars(fields),
        )
        self._streams[record.sid] = record
        parent.stream_sids.append(record.sid)
        if self._engine is not None:
            self._engine.begin(
                StreamPlan(
                    stream_sid=record.sid,
                    account_sid=self._project_id,
                    parent_sid=record.parent_sid,
                    conference=record.kind == "conference",
                    name=record.name or record.sid,
                    url=record.url,
                    track=record.track or "both_tracks",
                    codec=record.codec,
                    parameters=record.parameters,
                    status_callback=record.status_callback,
                    status_callback_method=record.status_callback_method or "POST",
                    bearer_token=record.authorization_bearer_token,
                )
            )
        return record

    def _stop(
        self, route: _Route, parent: _Parent, form: tuple[tuple[str, str], ...]
    ) -> StreamRecord:
        status = dict(form).get("Status")
        if status is None:
            raise _bad_request("Missing required parameter Status in the post body")
        if status != "stopped":
            raise _bad_request("Status must be stopped")
        record = self._find(parent, route.stream or "")
        if record is None:
            segment = _KIND_SEGMENT[route.kind]
            raise _ApiError(
                404,
                20404,
                f"The requested resource /{segment}/{route.parent}/Streams/{route.stream} "
                "was not found",
            )
        if record.status != "stopped":
            record = dataclasses.replace(record, status="stopped", date_updated=_now())
            self._streams[record.sid] = record
            if self._engine is not None:
                self._engine.end(record.sid)
        return record

    def _find(self, parent: _Parent, sid_or_name: str) -> StreamRecord | None:
        """By sid, else the in-progress stream of that name, else the latest of that name."""
        if sid_or_name in parent.stream_sids:
            return self._streams[sid_or_name]
        named = [
            self._streams[sid]
            for sid in parent.stream_sids
            if self._streams[sid].name == sid_or_name
        ]
        live = [r for r in named if r.status == "in-progress"]
        if live:
            return live[-1]
        return named[-1] if named else None

    def _stream_json(self, record: StreamRecord) -> dict[str, object]:
        segment = _KIND_SEGMENT[record.kind]
        account = quote(self._project_id, safe="")
        parent = quote(record.parent_sid, safe="")
        return {
            "sid": record.sid,
            "account_sid": self._project_id,
            f"{record.kind}_sid": record.parent_sid,
            "name": record.name or record.sid,
            "status": record.status,
            "date_updated": format_datetime(record.date_updated),
            "uri": f"{_API_PREFIX}/Accounts/{account}/{segment}/{parent}/Streams/{record.sid}.json",
            "api_version": _API_VERSION,
            "error_code": None,
        }
