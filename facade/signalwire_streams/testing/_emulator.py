"""A local emulator of SignalWire's streams service: the public face of its parts.

It speaks real HTTP on loopback so that any client (this library, httpx, twilio-python) can be
tested end to end, and error cassettes recorded, without a SignalWire Space. It checks requests
at least as strictly as the service is documented to, so that client bugs show up in tests.

The parts, each independent of the client and the receiver it tests, so that a bug there
cannot hide itself by being mirrored here: `_service` (state and rules, no sockets), `_http`
(the server threads), `_media` (the WebSocket streams), `_playback` (what a receiver sends
back, played into the call), `_callbacks` (signed status callbacks), `_audio` (its own G.711),
`_hostile` (media faults), `_cxml` (streams started as cXML starts them) and `_events` (what
it did, for `on_event` and the command line).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import ssl
import threading
import uuid
from collections.abc import Callable, Mapping
from os import PathLike
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from .._errors import ValidationError
from ._audio import load_wav
from ._callbacks import SentCallback
from ._cxml import CxmlStreams
from ._errors import EmulatorError
from ._events import EmulatorEvent, EventLog
from ._faults import Fault
from ._hostile import MediaFault
from ._http import HttpShell
from ._media import MediaEngine, MediaStatus
from ._models import RecordedRequest, StreamPlan, StreamRecord
from ._service import Service
from ._tls import LocalTLS
from ._vocabulary import (
    API_PREFIX,
    DEFAULT_CALLBACK_METHOD,
    DEFAULT_TRACK,
    DTMF_KEYS,
    IN_PROGRESS,
)

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["Emulator"]


class Emulator(CxmlStreams):
    """A SignalWire streams service on loopback, with inspectable state and faults.

    Register calls and conferences with `add_call` / `add_conference`, point a client at
    `base_url` with `project_id` / `api_token`, then assert on `streams()` and `requests`.
    The server runs in a daemon thread, so it never blocks the test's event loop.

    Every stream created opens a WebSocket to its `Url` and streams audio as SignalWire does:
    a tone (440 Hz inbound, 660 Hz outbound) or the WAV file given as `audio`, at real-time
    pace times `speed`. A stream started by `connect_stream` or by a `<Connect><Stream>`
    given to `answer` is bidirectional: what the receiver sends back is played into the call
    (`heard`) at that pace too. `ca_file` is trusted for `wss://` and for https callbacks;
    `verify_tls=False` skips certificate checks. Status callbacks are signed with
    `signing_key`. `media=False` keeps it to REST.

    `tls` serves the REST API over https, as a Space does: a `LocalTLS` (its certificate;
    clients trust its `ca_file`) or a server-side `ssl.SSLContext`. `base_url` then starts
    with `https://`. `on_event` is told of everything it does (see `events`), from its own
    threads: it must be quick. A stream whose WebSocket cannot open, or closes, is
    `stopped`, as SignalWire can no longer stream it.
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
        tls: LocalTLS | ssl.SSLContext | None = None,
        on_event: Callable[[EmulatorEvent], object] | None = None,
    ) -> None:
        self._project_id = str(uuid.uuid4()) if project_id is None else project_id
        self._api_token = secrets.token_urlsafe(24) if api_token is None else api_token
        self._signing_key = secrets.token_urlsafe(24) if signing_key is None else signing_key
        if not self._project_id or ":" in self._project_id:
            raise ValidationError("project_id", "must be non-empty and contain no ':'")
        if not self._api_token:
            raise ValidationError("api_token", "must not be empty")
        if not self._signing_key:
            raise ValidationError("signing_key", "must not be empty")
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not speed > 0:
            raise ValidationError(
                "speed", f"must be a number above 0 (math.inf: no pacing), not {speed!r}"
            )
        if ca_file is not None and not os.path.isfile(ca_file):
            raise ValidationError("ca_file", f"no file at {os.fspath(ca_file)!r}")
        if isinstance(tls, LocalTLS):
            tls = tls.server_context()
        elif tls is not None and not isinstance(tls, ssl.SSLContext):
            raise ValidationError("tls", "must be a LocalTLS, an ssl.SSLContext or None")
        self._tls = tls
        self._events = EventLog(on_event)
        self._engine = (
            MediaEngine(
                signing_key=self._signing_key,
                ca_file=ca_file,
                verify_tls=verify_tls,
                speed=float(speed),
                audio=None if audio is None else load_wav(audio),
                events=self._events,
            )
            if media
            else None
        )
        self._service = Service(
            self._project_id,
            self._api_token,
            on_start=self._stream_started,
            on_stop=self._stream_stopped,
        )
        if self._engine is not None:
            self._engine.ended = self._service.media_ended
        self._host = host
        self._requested_port = port
        self._bound_port: int | None = None
        self._lifecycle = threading.Lock()
        self._shell: HttpShell | None = None
        self._stopped = False
        self._connecting = threading.local()  # set while connect_stream starts a stream

    def __repr__(self) -> str:
        base_url = self.base_url if self._bound_port is not None else None
        return f"Emulator(base_url={base_url!r}, project_id={self._project_id!r})"

    # Lifecycle

    def start(self) -> None:
        """Bind and serve in a background thread; a no-op when already running."""
        with self._lifecycle:
            if self._shell is not None:
                return
            if self._stopped:
                raise EmulatorError("this Emulator was stopped; create a new one")
            shell = HttpShell(self._service, self._host, self._requested_port, self._tls)
            self._bound_port = shell.start()
            self._shell = shell

    def stop(self) -> None:
        """Stop serving, close the socket and drop open connections; idempotent."""
        with self._lifecycle:
            shell = self._shell
            if shell is None:
                return
            self._shell = None
            self._stopped = True
            shell.stop()
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
            raise EmulatorError("the Emulator is not started")
        return self._bound_port

    @property
    def base_url(self) -> str:
        """The Compatibility API base URL, as for `https://{space}.signalwire.com`: below
        `/api/laml/2010-04-01`; the same routes also answer below `/2010-04-01`."""
        host = self._host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "[::1]"
        elif ":" in host:
            host = f"[{host}]"
        scheme = "http" if self._tls is None else "https"
        return f"{scheme}://{host}:{self.port}{API_PREFIX}"

    def client(self, **options: Any) -> Client:
        """A `Client` for this emulator (its project, token and `base_url`); `options` go to
        `Client`. For an https emulator pass an `http_client` that trusts its certificate."""
        from .._client import Client

        return Client(self.project_id, self.api_token, self.base_url, **options)

    def async_client(self, **options: Any) -> AsyncClient:
        """An `AsyncClient` for this emulator; as `client()`."""
        from .._client import AsyncClient

        return AsyncClient(self.project_id, self.api_token, self.base_url, **options)

    @property
    def events(self) -> list[EmulatorEvent]:
        """What it did, latest last (at most a thousand): streams created and stopped, their
        WebSocket connected, refused (and why) or closed, callbacks posted. `on_event`
        is told of each as it happens."""
        return self._events.events

    def environment(self) -> dict[str, str]:
        """The `SIGNALWIRE_*` variables that point `Client()`, `AsyncClient()` and the
        command line at this emulator: `os.environ.update(emulator.environment())`."""
        return {
            "SIGNALWIRE_PROJECT_ID": self.project_id,
            "SIGNALWIRE_API_TOKEN": self.api_token,
            "SIGNALWIRE_SPACE": self.base_url,
            "SIGNALWIRE_SIGNING_KEY": self.signing_key,
        }

    # State

    def add_call(self, sid: str | None = None) -> str:
        """Register a live call and return its sid (a fresh UUID unless one is given)."""
        return self._service.add_parent("call", sid)

    def add_conference(self, sid: str | None = None) -> str:
        """Register a live conference and return its sid (a fresh UUID unless one is given)."""
        return self._service.add_parent("conference", sid)

    def end_call(self, sid: str) -> None:
        """End a call: its streams stop and new ones are refused with 422."""
        self._service.end_parent("call", sid)

    def end_conference(self, sid: str) -> None:
        """End a conference: its streams stop and new ones are refused with 422."""
        self._service.end_parent("conference", sid)

    def streams(self, parent_sid: str) -> list[StreamRecord]:
        """The streams of a call or conference, in creation order (a snapshot)."""
        return self._service.streams(parent_sid)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, rejected ones included (a copy)."""
        return self._service.requests

    def clear_requests(self) -> None:
        """Empty the request log, e.g. between the arrange and act steps of a test."""
        self._service.clear_requests()

    def inject(self, fault: Fault, *, count: int = 1) -> None:
        """Meet the next `count` requests with `fault`; faults queue up in call order.

        Every request that meets one is in `requests`, with the fault's name.
        """
        self._service.inject(fault, count)

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
        """What the stream's WebSocket has done so far: connected, frames sent, how it ended,
        and what the receiver sent back (audio heard, marks echoed, clears, digits, ignored)."""
        return self._media_engine().status(stream_sid)

    def heard(self, stream_sid: str) -> bytes:
        """What the call heard of a bidirectional stream: the receiver's audio as played, in
        the stream's codec, exactly the bytes received, in play order (b"" on a one-way one).

        Audio is played at real-time pace times `speed` once it is queued; a `clear` drops
        what was not played yet. The first 8 MiB are kept (`media(sid).bytes_heard` counts
        all), and at most 60 s of audio waits to be played (more is dropped, and counted).
        """
        return self._media_engine().heard(stream_sid)

    @property
    def callbacks(self) -> list[SentCallback]:
        """Every status callback sent so far, with the receiver's answer (a copy)."""
        return [] if self._engine is None else self._engine.callbacks

    def send_dtmf(self, parent_sid: str, digits: str, *, duration: int = 250) -> None:
        """Press keys on a call or conference: each live stream of it gets `dtmf` events."""
        if not isinstance(digits, str) or not digits or any(d not in DTMF_KEYS for d in digits):
            raise ValidationError("digits", "must be DTMF keys: 0-9, *, #, A-D")
        engine = self._media_engine()
        for record in self.streams(parent_sid):
            if record.status == IN_PROGRESS:
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
            raise EmulatorError("this Emulator was made with media=False")
        return self._engine

    def _stream_started(self, record: StreamRecord) -> None:
        """Called by the service, under its lock, for each stream it creates."""
        bidirectional = getattr(self._connecting, "bidirectional", False)
        how = "bidirectional, from cXML" if bidirectional else record.track or DEFAULT_TRACK
        name = f" named {record.name!r:.60}" if record.name else ""
        self._events.emit(
            "created", record.sid, f"on {record.parent_sid}{name}: {record.url} ({how})"
        )
        if self._engine is None:
            return
        self._engine.begin(
            StreamPlan(
                stream_sid=record.sid,
                account_sid=self._project_id,
                parent_sid=record.parent_sid,
                conference=record.kind == "conference",
                name=record.name or record.sid,
                url=record.url,
                track=record.track or DEFAULT_TRACK,
                codec=record.codec,
                parameters=record.parameters,
                status_callback=record.status_callback,
                status_callback_method=record.status_callback_method or DEFAULT_CALLBACK_METHOD,
                bearer_token=record.authorization_bearer_token,
            ),
            bidirectional=bidirectional,
        )

    def _stream_stopped(self, stream_sid: str, why: str) -> None:
        """Called by the service, under its lock, for each stream stopped by REST or by its
        call ending."""
        self._events.emit("stopped", stream_sid, why)
        if self._engine is not None:
            self._engine.end(stream_sid)
