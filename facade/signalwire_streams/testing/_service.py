"""The service core: calls, conferences and streams, and the answer to each request.

No sockets and no threads of its own: `handle(request)` takes a `Request` and gives back the
`Response` (None: hang up with no answer), so it can be tested as a function. The HTTP shell
calls it from its threads, hence the lock. Stream starts and stops are announced through
`on_start` / `on_stop`, which the emulator wires to its media engine.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote

from .._errors import ValidationError
from ._errors import EmulatorError
from ._faults import Fault, deliver
from ._models import RecordedRequest, Request, Response, StreamRecord
from ._validation import (
    ApiError,
    CreateFields,
    Form,
    Route,
    admit,
    is_form,
    parse_create,
    parse_form,
    parse_stop,
    username,
)
from ._vocabulary import API_PREFIX, IN_PROGRESS, KIND_SEGMENT, STOPPED, Kind

__all__ = ["Service"]


@dataclass
class _Parent:
    kind: Kind
    ended: bool = False
    stream_sids: list[str] = field(default_factory=list)


def _now() -> datetime:
    # RFC 2822 dates have whole seconds: keep the record equal to what the JSON says.
    return datetime.now(UTC).replace(microsecond=0)


def _not_found(path: str) -> ApiError:
    return ApiError(404, 20404, f"The requested resource {path} was not found")


class Service:
    """SignalWire's streams service as state and rules: a request in, a response out.

    `project_id` and `api_token` are the Basic auth credentials it accepts. Every request
    is logged (`requests`), with the fault it met; faults queue up (`inject`) and each meets
    one request, in arrival order.
    """

    def __init__(
        self,
        project_id: str,
        api_token: str,
        *,
        on_start: Callable[[StreamRecord], None] | None = None,
        on_stop: Callable[[str, str], None] | None = None,
    ) -> None:
        self._project_id = project_id
        self._credentials = f"{project_id}:{api_token}".encode()
        self._on_start = on_start
        self._on_stop = on_stop
        self._lock = threading.Lock()
        self._parents: dict[str, _Parent] = {}
        self._streams: dict[str, StreamRecord] = {}
        self._log: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()

    # Requests

    def handle(self, request: Request) -> Response | None:
        """Answer one request, meeting the next queued fault if there is one."""
        return self.answer(request, self.take_fault())

    def take_fault(self) -> Fault | None:
        """The fault the next request meets, taken off the queue (the shell takes it once
        the headers are in, since some faults act before the body is read)."""
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def answer(self, request: Request, fault: Fault | None) -> Response | None:
        """Answer a request that has met `fault` (already taken off the queue), and log it."""
        content_type = request.header("Content-Type")
        form = None
        if request.refusal is None and is_form(content_type):
            form = parse_form(request.body)
        response: Response | None
        if fault is not None and not fault.acts:
            response = fault.response  # None: hang up before reading (nothing acts)
        elif request.refusal is not None:
            refusal = request.refusal
            error = Response.error(refusal.status, 10000, refusal.message)
            response = deliver(fault, dataclasses.replace(error, close=True))
        else:
            try:
                response = self._route(request, form)
            except ApiError as error:
                response = error.response
            if fault is not None:
                response = deliver(fault, fault.answer(response))
        self._record(request, form or (), None if response is None else response.status, fault)
        return response

    def _record(
        self, request: Request, form: Form, status: int | None, fault: Fault | None
    ) -> None:
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            form=form,
            status=status,
            username=username(request.header("Authorization")),
            fault=None if fault is None else fault.description,
        )
        with self._lock:
            self._log.append(record)

    def _route(self, request: Request, form: Form | None) -> Response:
        route = admit(request, form, self._credentials, self._project_id)
        assert form is not None  # admit() refuses a request without one
        with self._lock:
            parent = self._parents.get(route.parent)
            if parent is None or parent.kind != route.kind:
                raise _not_found(f"/{KIND_SEGMENT[route.kind]}/{route.parent}")
            if route.stream is None:
                record = self._create(route, parent, form)
            else:
                record = self._stop(route, parent, form)
            return Response.json(200, self._stream_json(record))

    def _create(self, route: Route, parent: _Parent, form: Form) -> StreamRecord:
        return self._start(route, parent, parse_create(form, route.kind))

    def _start(self, route: Route, parent: _Parent, fields: CreateFields) -> StreamRecord:
        if fields.name is not None:
            for sid in parent.stream_sids:
                other = self._streams[sid]
                if other.status == IN_PROGRESS and other.name == fields.name:
                    raise ApiError(
                        400,
                        10000,
                        f"Stream name {fields.name!r} is already in use on this {route.kind}",
                    )
        if parent.ended:
            raise ApiError(
                422,
                21220,
                f"Stream cannot be started for a {route.kind} in its current state",
                as_list=route.kind == "conference",
            )
        record = StreamRecord(
            sid=str(uuid.uuid4()),
            parent_sid=route.parent,
            kind=route.kind,
            status=IN_PROGRESS,
            date_updated=_now(),
            **vars(fields),
        )
        self._streams[record.sid] = record
        parent.stream_sids.append(record.sid)
        if self._on_start is not None:
            self._on_start(record)
        return record

    def _stop(self, route: Route, parent: _Parent, form: Form) -> StreamRecord:
        parse_stop(form)
        record = self._find(parent, route.stream or "")
        if record is None:
            segment = KIND_SEGMENT[route.kind]
            raise _not_found(f"/{segment}/{route.parent}/Streams/{route.stream}")
        if record.status != STOPPED:
            record = self._stopped(record, _now(), "by a REST stop")
        return record

    def _stopped(self, record: StreamRecord, now: datetime, why: str) -> StreamRecord:
        record = dataclasses.replace(record, status=STOPPED, date_updated=now)
        self._streams[record.sid] = record
        if self._on_stop is not None:
            self._on_stop(record.sid, why)
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
        live = [r for r in named if r.status == IN_PROGRESS]
        if live:
            return live[-1]
        return named[-1] if named else None

    def _stream_json(self, record: StreamRecord) -> dict[str, object]:
        """The stream with exactly the keys SignalWire's published schema allows
        (`CallStreamResponse`, `ConferenceStreamResponse`): no `api_version`, no `error_code`.

        A conference stream's `name` is null when none was given, as documented; a call
        stream's is a required string there, so one without a name answers its sid (as its
        status callbacks' `StreamName` does).
        """
        segment = KIND_SEGMENT[record.kind]
        account = quote(self._project_id, safe="")
        parent = quote(record.parent_sid, safe="")
        if record.kind == "conference":
            name: str | None = record.name
        else:
            name = record.name or record.sid
        return {
            "sid": record.sid,
            "account_sid": self._project_id,
            f"{record.kind}_sid": record.parent_sid,
            "name": name,
            "status": record.status,
            "date_updated": format_datetime(record.date_updated),
            "uri": f"{API_PREFIX}/Accounts/{account}/{segment}/{parent}/Streams/{record.sid}.json",
        }

    # State

    def add_parent(self, kind: Kind, sid: str | None = None) -> str:
        """Register a live call or conference and return its sid (a fresh UUID if None)."""
        sid = str(uuid.uuid4()) if sid is None else sid
        if not isinstance(sid, str) or not sid:
            raise ValidationError("sid", "must be a non-empty string")
        with self._lock:
            if sid in self._parents:
                raise ValidationError("sid", f"{sid!r} is already registered")
            self._parents[sid] = _Parent(kind)
        return sid

    def media_ended(self, stream_sid: str) -> None:
        """The stream's WebSocket could not open, or closed: SignalWire cannot stream it
        any more, so an in-progress stream is `stopped` (its media is already over)."""
        with self._lock:
            record = self._streams.get(stream_sid)
            if record is not None and record.status == IN_PROGRESS:
                self._streams[stream_sid] = dataclasses.replace(
                    record, status=STOPPED, date_updated=_now()
                )

    def start(self, kind: Kind, parent_sid: str, fields: CreateFields) -> StreamRecord:
        """Start a stream with no request, as cXML does (`<Connect><Stream>`): a create's
        rules on `fields` (already checked), raising its `ApiError` when one is broken."""
        with self._lock:
            parent = self._parents.get(parent_sid)
            if parent is None or parent.kind != kind:
                raise EmulatorError(f"no {kind} {parent_sid!r}")
            route = Route(self._project_id, kind, parent_sid, None)
            return self._start(route, parent, fields)

    def end_parent(self, kind: Kind, sid: str) -> None:
        """End a call or conference: its streams stop, and new ones are refused with 422."""
        with self._lock:
            parent = self._parents.get(sid)
            if parent is None or parent.kind != kind:
                raise EmulatorError(f"no {kind} {sid!r}")
            parent.ended = True
            now = _now()
            for stream_sid in parent.stream_sids:
                if self._streams[stream_sid].status == IN_PROGRESS:
                    self._stopped(self._streams[stream_sid], now, f"its {kind} ended")

    def streams(self, parent_sid: str) -> list[StreamRecord]:
        """The streams of a call or conference, in creation order (a snapshot)."""
        with self._lock:
            parent = self._parents.get(parent_sid)
            if parent is None:
                raise EmulatorError(f"no call or conference {parent_sid!r}")
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
        with self._lock:
            self._log.clear()

    def inject(self, fault: Fault, count: int = 1) -> None:
        """Meet the next `count` requests with `fault`, after those already queued."""
        if not isinstance(fault, Fault):
            raise ValidationError("fault", f"must be a Fault, not {type(fault).__name__}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValidationError("count", "must be an integer of at least 1")
        with self._lock:
            self._faults.extend([fault] * count)
