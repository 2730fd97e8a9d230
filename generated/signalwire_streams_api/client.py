"""The client every endpoint sends through: base URL, HTTP Basic auth, timeouts, connections.

Endpoint modules build each request once (`build_request`); `Client.send` and `Client.asend`
put it on the wire and read the answer whole; the endpoint's `parse_response` reads that.
Every attempt keeps three rules, whatever the server does:

- **A deadline.** Connecting, sending, waiting for the status line and headers (interim
  `1xx` answers included) and reading the body all end within the longest part of
  `timeout`; each phase also keeps its own part. `errors.AttemptTimeout` says which phase
  ran out.
- **A size cap.** At most `max_response_size` bytes of body, counted after decompression
  and inflated a bounded step at a time, so a compression bomb stops at the cap
  (`errors.ResponseTooLarge`). Only gzip and deflate are asked for and accepted
  (`errors.ResponseError` for any other encoding).
- **No redirects.** A 3xx comes back as it is: never followed, so no request and no
  credential goes to another host.

Connections are the client's own unless an httpx client is passed in: httpx's transport for
`send`, with every socket operation clamped to the attempt's deadline, and aiohttp's pool
for `asend` (loaded on first use). An `httpx_client` / `async_httpx_client` passed in (for its
proxies, certificates or hooks) is used as it is, under the same three rules; so is an httpx
client of the client's own when the environment names a proxy (HTTP_PROXY, HTTPS_PROXY,
ALL_PROXY).
"""

from __future__ import annotations

import base64
import heapq
import itertools
import socket
import ssl
import threading
import time
import urllib.request
import weakref
import zlib
from collections.abc import Mapping
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import httpcore
import httpx

from .errors import AttemptTimeout, Phase, ResponseError, ResponseTooLarge
from .types import RawResponse, Request

if TYPE_CHECKING:
    import aiohttp

__all__ = ["DEFAULT_MAX_RESPONSE_SIZE", "DEFAULT_TIMEOUT", "USER_AGENT", "Client"]

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
"""30 s for an attempt, of which at most 10 s to connect: never unlimited."""
DEFAULT_MAX_RESPONSE_SIZE = 2**20
"""1 MiB: the service's answers are a few hundred bytes."""
USER_AGENT = f"signalwire-streams-api python-httpx/{httpx.__version__}"
_ACCEPT_ENCODING = "gzip, deflate"  # exactly what _BodyReader decodes


class Client:
    """Sends requests to one API: `send` (blocking) and `asend` (asyncio).

    `auth` is `(username, password)` for HTTP Basic; it never appears in `repr`. `timeout`
    is seconds or an `httpx.Timeout` with every part set. `headers` are added to every
    request. Use it as a context manager, or call `close()` / `aclose()`; an httpx client
    passed in is left open.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        headers: Mapping[str, str] | None = None,
        verify: ssl.SSLContext | bool = True,
        httpx_client: httpx.Client | None = None,
        async_httpx_client: httpx.AsyncClient | None = None,
    ) -> None:
        # Held so that no frame that can raise (and whose locals a traceback may capture)
        # has the password itself.
        credentials = None if auth is None else _Credentials(*auth)
        del auth
        self._wire = _Wire(base_url, credentials, timeout, max_response_size, headers)
        self._connections = _Connections(verify, httpx_client, async_httpx_client)
        self._owns_connections = True

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_response_size: int | None = None,
    ) -> Client:
        """A client sharing this one's connections, with another timeout or size cap.

        Closing the copy leaves the shared connections open: close the original.
        """
        wire = self._wire
        copy = object.__new__(Client)
        copy._wire = _Wire(
            wire.base_url,
            wire.auth,
            wire.timeout if timeout is None else timeout,
            wire.limit if max_response_size is None else max_response_size,
            wire.extra_headers,
        )
        copy._connections = self._connections
        copy._owns_connections = False
        return copy

    @property
    def base_url(self) -> str:
        return self._wire.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._wire.timeout

    @property
    def max_response_size(self) -> int:
        return self._wire.limit

    def __repr__(self) -> str:
        auth = "" if self._wire.auth is None else ", auth=[secure]"
        return f"Client(base_url={self._wire.base_url!r}{auth})"

    def send(self, request: Request) -> RawResponse:
        """Send one attempt of `request` and read the whole answer, blocking."""
        return self._connections.sync_sender().send(request, self._wire)

    async def asend(self, request: Request) -> RawResponse:
        """Send one attempt of `request` and read the whole answer, in asyncio."""
        return await self._connections.async_sender().send(request, self._wire)

    def close(self) -> None:
        """Close the blocking connections (not an httpx client passed in)."""
        if self._owns_connections:
            self._connections.close()

    async def aclose(self) -> None:
        """Close every connection (not an httpx client passed in)."""
        if self._owns_connections:
            await self._connections.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class _Credentials:
    """HTTP Basic's user name and password; `repr` hides them."""

    __slots__ = ("password", "username")

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return "[secure]"

    def header(self) -> str:
        userpass = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(userpass).decode("ascii")


class _Wire:
    """Everything per client that every attempt needs, computed once."""

    __slots__ = (
        "aiohttp_timeout",
        "auth",
        "base_url",
        "deadline",
        "extra_headers",
        "headers",
        "limit",
        "timeout",
        "timeouts",
    )

    def __init__(
        self,
        base_url: str,
        auth: _Credentials | None,
        timeout: float | httpx.Timeout,
        limit: int,
        extra_headers: Mapping[str, str] | None,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
            raise ValueError("base_url must be an absolute http(s) URL without a query")
        self.base_url = str(url).rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        parts = (self.timeout.connect, self.timeout.read, self.timeout.write, self.timeout.pool)
        if any(part is None or not part > 0 for part in parts):
            raise ValueError("every part of timeout must be a number of seconds above 0")
        self.timeouts: dict[str, float | None] = self.timeout.as_dict()
        self.deadline: float = max(part for part in parts if part is not None)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("max_response_size must be a positive number of bytes")
        self.limit = limit
        self.auth = auth
        self.extra_headers = dict(extra_headers or {})
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": _ACCEPT_ENCODING,
            **self.extra_headers,
        }
        if auth is not None:
            headers["Authorization"] = auth.header()
        self.headers = headers
        self.aiohttp_timeout: aiohttp.ClientTimeout | None = None

    def __repr__(self) -> str:
        return f"_Wire({self.base_url!r})"

    def request_headers(self, request: Request) -> dict[str, str]:
        """The headers of one request (httpx and aiohttp add Host and Content-Length)."""
        return {**self.headers, **dict(request.headers)} if request.headers else self.headers


class _Connections:
    """The connection pools a client and its copies share, each made on first use."""

    def __init__(
        self,
        verify: ssl.SSLContext | bool,
        httpx_client: httpx.Client | None,
        async_httpx_client: httpx.AsyncClient | None,
    ) -> None:
        self._verify = verify
        self._sync: _TransportSender | _HttpxSender | None = None
        self._async: _AiohttpSender | _AsyncHttpxSender | None = None
        if httpx_client is not None:
            self._sync = _HttpxSender(httpx_client, owned=False)
        if async_httpx_client is not None:
            self._async = _AsyncHttpxSender(async_httpx_client, owned=False)
        self._closed = False

    def _ssl_context(self) -> ssl.SSLContext:
        if isinstance(self._verify, ssl.SSLContext):
            return self._verify
        return httpx.create_ssl_context(verify=self._verify)

    def sync_sender(self) -> _TransportSender | _HttpxSender:
        if self._closed:
            raise RuntimeError("the client has been closed")
        sender = self._sync
        if sender is None:
            if _proxied_by_environment():
                http = httpx.Client(verify=self._ssl_context(), trust_env=True)
                sender = _HttpxSender(http, owned=True)
            else:
                sender = _TransportSender(self._ssl_context())
            self._sync = sender
        return sender

    def async_sender(self) -> _AiohttpSender | _AsyncHttpxSender:
        if self._closed:
            raise RuntimeError("the client has been closed")
        sender = self._async
        if sender is None:
            if _proxied_by_environment():
                http = httpx.AsyncClient(verify=self._ssl_context(), trust_env=True)
                sender = _AsyncHttpxSender(http, owned=True)
            else:
                sender = _AiohttpSender(self._ssl_context())
            self._async = sender
        return sender

    def close(self) -> None:
        self._closed = True
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        self.close()
        if self._async is not None:
            await self._async.aclose()


def _proxied_by_environment() -> bool:
    """Whether the environment or the system names a proxy, which httpx honours (with
    NO_PROXY) and the client's own pools do not."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


class _BodyReader:
    """Collects one response body, at most `limit` bytes before and after decoding.

    gzip and deflate are inflated here, a bounded step at a time (`max_length`), so that a
    small compressed body that would inflate to gigabytes stops at the cap instead of
    filling memory; httpx's own decoders inflate each network read whole.
    """

    __slots__ = ("_chunks", "_coding", "_inflate", "_limit", "_raw", "_size", "_sniff", "_status")

    def __init__(self, limit: int, status: int, headers: httpx.Headers) -> None:
        self._limit = limit
        self._status = status
        self._chunks: list[bytes] = []
        self._size = self._raw = 0
        coding = headers.get("content-encoding", "").strip().lower()
        self._coding = coding
        self._sniff = coding == "deflate"  # zlib-wrapped as the RFC says, or raw: try both
        if coding in ("", "identity"):
            self._inflate: Any = None
        elif coding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            self._inflate = zlib.decompressobj()
        else:
            raise ResponseError(
                f"the response's Content-Encoding {coding[:40]!r} is not supported (gzip and deflate are)",
                status,
            )
        length = headers.get("content-length", "").strip()
        if length.isdigit() and len(length) < 20 and int(length) > limit:
            raise ResponseTooLarge(status, limit)

    def feed(self, chunk: bytes) -> None:
        self._raw += len(chunk)
        if self._raw > self._limit:
            raise ResponseTooLarge(self._status, self._limit)
        if self._inflate is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            try:
                out = self._inflate.decompress(data, self._limit - self._size + 1)
            except zlib.error as error:
                if self._sniff:
                    self._sniff = False
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise ResponseError(f"the response body is not valid {self._coding}: {error}", self._status) from None
            self._sniff = False
            self._keep(out)
            data = self._inflate.unconsumed_tail

    def content(self) -> bytes:
        if self._inflate is not None:
            self._keep(self._inflate.flush())
        return b"".join(self._chunks)

    def _keep(self, data: bytes) -> None:
        if data:
            self._size += len(data)
            if self._size > self._limit:
                raise ResponseTooLarge(self._status, self._limit)
            self._chunks.append(data)


_Op = Literal["pool", "connect", "write", "read"]  # the socket operation under way


class _Attempt:
    """The clock of one attempt: when its deadline passes, and which phase it is in."""

    __slots__ = ("clamped", "expires", "fired", "op", "seconds", "stage", "stream")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.op: _Op = "pool"
        self.stage: Phase = "response"  # which reads those are: before or after the headers
        self.clamped = False  # whether that operation was given the deadline's remainder
        self.fired = False  # whether the deadline has passed (the watchdog says so too)
        self.stream: Any = None  # the connection, once known

    @property
    def phase(self) -> Phase:
        if self.op == "pool" or self.op == "connect":
            return self.op
        return "send" if self.op == "write" else self.stage

    def clamp(self, timeout: float | None, op: _Op) -> float:
        """The timeout for one socket operation: its own, or what is left of the deadline."""
        self.op = op
        left = self.expires - time.monotonic()
        if left <= 0:
            self.fired = True
            raise self.timeout_error(None)
        self.clamped = timeout is None or left < timeout
        return left if self.clamped or timeout is None else timeout

    def timeout_error(self, timeouts: httpx.Timeout | None) -> AttemptTimeout:
        """The error for a timeout in the current phase: the deadline's, or the phase's own."""
        if timeouts is None or self.fired or self.clamped:
            return AttemptTimeout(self.phase, self.seconds, deadline=True)
        return _phase_timeout(timeouts, self.phase)


def _phase_timeout(timeouts: httpx.Timeout, phase: Phase) -> AttemptTimeout:
    """A phase ran out of its own part of the timeout (before the attempt's deadline)."""
    own = {"pool": timeouts.pool, "connect": timeouts.connect, "send": timeouts.write}
    return AttemptTimeout(phase, own.get(phase, timeouts.read) or 0.0, deadline=False)


# The phase each of httpx's timeouts belongs to (ReadTimeout: the stage it came in).
_TIMEOUT_PHASES: dict[type[Exception], Phase] = {
    httpx.PoolTimeout: "pool",
    httpx.ConnectTimeout: "connect",
    httpx.WriteTimeout: "send",
}


# The attempt running in each thread, which _DeadlineStream clamps its socket operations to.
_current = threading.local()


def _clamp(timeout: float | None, op: _Op) -> float | None:
    attempt: _Attempt | None = getattr(_current, "attempt", None)
    return timeout if attempt is None else attempt.clamp(timeout, op)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every operation ends by the current attempt's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, "read"))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, "write"))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _clamp(timeout, "connect"))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, wrapped in _DeadlineStream."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, "connect")
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, _clamp(timeout, "connect"), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport, whose sockets end every operation by the attempt's deadline.

    httpx takes no network backend, so the pool it made is swapped for the same pool on
    _DeadlineBackend. Tools that hook httpx's transports (vcrpy's cassettes) still see every
    request; httpx's client layer (URL and header merging, auth flow, redirects, cookies) is
    skipped, having nothing to do here.
    """

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_DeadlineBackend(),
        )


class _TransportSender:
    """The client's own blocking connections."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._transport = _DeadlineTransport(ssl_context)

    def send(self, request: Request, wire: _Wire) -> RawResponse:
        http_request = httpx.Request(
            request.method,
            wire.base_url + request.path,
            headers=wire.request_headers(request),
            content=request.content,
            extensions={"timeout": wire.timeouts},
        )
        attempt = _Attempt(wire.deadline)
        _current.attempt = attempt
        try:
            response = self._transport.handle_request(http_request)
            attempt.stage = "body"
            try:
                reader = _BodyReader(wire.limit, response.status_code, response.headers)
                for chunk in response.iter_raw():
                    reader.feed(chunk)
                body = reader.content()
            finally:
                response.close()
        except httpx.TimeoutException as error:
            if isinstance(error, AttemptTimeout):
                raise
            raise attempt.timeout_error(wire.timeout) from None
        finally:
            _current.attempt = None
        return RawResponse(response.status_code, response.headers, body, response.reason_phrase)

    def close(self) -> None:
        self._transport.close()


class _Watched:
    """One attempt through an httpx client: its phase, from httpcore's trace events, and its
    connection, so that the watchdog can cut it when the deadline passes."""

    __slots__ = ("active", "attempt", "sender")

    # httpcore's trace events (after "connection." / "http11." / "http2.") and the socket
    # operation each starts.
    _OPS: ClassVar[dict[str, _Op]] = {
        "connect_tcp.started": "connect",
        "start_tls.started": "connect",
        "send_request_headers.started": "write",
        "send_request_body.started": "write",
        "receive_response_headers.started": "read",
        "receive_response_body.started": "read",
    }

    def __init__(self, sender: _HttpxSender, seconds: float) -> None:
        self.sender = sender
        self.attempt = _Attempt(seconds)
        self.active = True

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        step = event.partition(".")[2]
        op = self._OPS.get(step)
        if op is not None:
            self.attempt.op = op
        elif step in ("connect_tcp.complete", "start_tls.complete"):
            stream = info.get("return_value")
            if stream is not None:
                self.use(stream)

    def use(self, stream: Any) -> None:
        self.attempt.stream = stream
        self.sender.remember(stream)

    def check(self) -> None:
        if self.attempt.fired or time.monotonic() >= self.attempt.expires:
            self.attempt.fired = True
            raise self.attempt.timeout_error(None)

    def fire(self) -> None:
        """The deadline passed: cut this attempt's connection, or, when it was taken from
        the pool unseen, every connection of ours that no other attempt is known to use."""
        self.attempt.fired = True
        stream = self.attempt.stream
        for each in [stream] if stream is not None else self.sender.unclaimed(self):
            _cut(each)


def _cut(stream: Any) -> None:
    """Shut a connection's socket down from another thread, which wakes a blocked read."""
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        with suppress(OSError):
            # socket.socket's own shutdown: SSLSocket's would first drop its TLS object,
            # which the reading thread is still using.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that fires each watched attempt whose deadline has passed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, _Watched]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, watched: _Watched) -> None:
        with self._condition:
            heapq.heappush(self._heap, (watched.attempt.expires, next(self._order), watched))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="signalwire-streams-api deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is watched:
                self._condition.notify()

    def _run(self) -> None:
        with self._condition:
            while True:
                while self._heap and not self._heap[0][2].active:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._condition.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._condition.wait(wait)
                    continue
                heapq.heappop(self._heap)[2].fire()


_WATCHDOG = _Watchdog()


class _HttpxSender:
    """Blocking requests through an httpx.Client: one passed in, or the client's own when
    the environment names a proxy. Its transport is not ours to clamp, so a watchdog cuts
    the connection of an attempt whose deadline has passed."""

    def __init__(self, http: httpx.Client, *, owned: bool) -> None:
        self._http = http
        self._owned = owned
        self._lock = threading.Lock()
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()  # connections ours used
        self._running: set[_Watched] = set()

    def remember(self, stream: Any) -> None:
        with self._lock:
            self._streams.add(stream)

    def unclaimed(self, watched: _Watched) -> list[Any]:
        with self._lock:
            claimed = {
                id(other.attempt.stream)
                for other in self._running
                if other is not watched and other.attempt.stream is not None
            }
            return [stream for stream in self._streams if id(stream) not in claimed]

    def send(self, request: Request, wire: _Wire) -> RawResponse:
        watched = _Watched(self, wire.deadline)
        http_request = self._http.build_request(
            request.method,
            wire.base_url + request.path,
            content=request.content,
            headers=wire.request_headers(request),
            extensions={"timeout": wire.timeouts, "trace": watched.trace},
        )
        with self._lock:
            self._running.add(watched)
        _WATCHDOG.watch(watched)
        try:
            # auth=None: our Authorization header, not the httpx client's own auth.
            response = self._http.send(http_request, stream=True, follow_redirects=False, auth=None)
            try:
                watched.attempt.stage = "body"
                stream = response.extensions.get("network_stream")
                if stream is not None:
                    watched.use(stream)
                reader = _BodyReader(wire.limit, response.status_code, response.headers)
                for chunk in response.iter_raw():
                    watched.check()
                    reader.feed(chunk)
                body = reader.content()
            finally:
                response.close()
        except httpx.TransportError as error:
            if watched.attempt.fired:
                raise watched.attempt.timeout_error(None) from None
            if isinstance(error, httpx.TimeoutException):
                phase = _TIMEOUT_PHASES.get(type(error), watched.attempt.stage)
                raise _phase_timeout(wire.timeout, phase) from None
            raise
        finally:
            watched.active = False
            with self._lock:
                self._running.discard(watched)
        return RawResponse(response.status_code, response.headers, body, response.reason_phrase)

    def close(self) -> None:
        if self._owned:
            self._http.close()


def _aiohttp_error(error: Exception, stage: Phase, wire: _Wire) -> Exception:
    """httpx's exception for an aiohttp one, sorted by whether the request can have left.

    Refused connections, DNS, TLS handshakes and connect timeouts happen before a byte is
    written: ConnectError, or a "connect" AttemptTimeout. Everything after (a read timeout,
    a reset, a hang-up, a broken answer) may follow a request the service acted on:
    ReadError or RemoteProtocolError, as httpx's own transport raises.
    """
    import aiohttp

    try:
        message = str(error) or type(error).__name__
    except Exception:  # aiohttp's __str__ reads attributes that may not be set
        message = type(error).__name__
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return _phase_timeout(wire.timeout, "connect")
    if isinstance(error, TimeoutError):  # sock_read ran out
        return _phase_timeout(wire.timeout, stage)
    if isinstance(error, aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(message)
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ServerFingerprintMismatch):
        return httpx.ConnectError(message)
    if isinstance(
        error,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        return httpx.RemoteProtocolError(message)
    if isinstance(error, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(message)
    return httpx.ReadError(message)  # a reset or another broken connection


class _AiohttpSender:
    """The client's own asyncio connections: aiohttp's pool, made inside the running loop on
    the first request. With hundreds of requests in flight it costs a fraction of the CPU of
    httpx's async pool. The deadline is an asyncio timeout around the whole attempt."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=100, keepalive_timeout=5.0, ssl=self._ssl)
        # No cookie jar (nothing here sets cookies); no decompression (_BodyReader's job).
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False)

    async def send(self, request: Request, wire: _Wire) -> RawResponse:
        import asyncio  # here, so that a blocking program never imports it

        import aiohttp
        from yarl import URL

        session = self._session
        if session is None:
            session = self._session = self._open()
        timeout = wire.aiohttp_timeout
        if timeout is None:
            parts = wire.timeout  # aiohttp's `connect` includes waiting for the pool
            timeout = wire.aiohttp_timeout = aiohttp.ClientTimeout(
                connect=parts.pool, sock_connect=parts.connect, sock_read=parts.read
            )
        stage: Phase = "response"
        scope = asyncio.timeout(wire.deadline)
        try:
            async with (
                scope,
                session.request(
                    request.method,
                    URL(wire.base_url + request.path, encoded=True),  # already encoded
                    data=request.content or None,
                    headers=wire.request_headers(request),
                    allow_redirects=False,
                    timeout=timeout,
                ) as answer,
            ):
                stage = "body"
                headers = httpx.Headers(answer.raw_headers)
                reader = _BodyReader(wire.limit, answer.status, headers)
                content = answer.content
                while chunk := await content.readany():
                    reader.feed(chunk)
                body = reader.content()
        except TimeoutError as error:
            if scope.expired():
                raise AttemptTimeout(stage, wire.deadline, deadline=True) from None
            raise _aiohttp_error(error, stage, wire) from None
        except aiohttp.ClientError as error:
            raise _aiohttp_error(error, stage, wire) from error
        return RawResponse(answer.status, headers, body, answer.reason or "")

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class _AsyncHttpxSender:
    """asyncio requests through an httpx.AsyncClient: one passed in, or the client's own when
    the environment names a proxy. The deadline is an asyncio timeout around the attempt."""

    def __init__(self, http: httpx.AsyncClient, *, owned: bool) -> None:
        self._http = http
        self._owned = owned

    async def send(self, request: Request, wire: _Wire) -> RawResponse:
        import asyncio

        http_request = self._http.build_request(
            request.method,
            wire.base_url + request.path,
            content=request.content,
            headers=wire.request_headers(request),
            extensions={"timeout": wire.timeouts},
        )
        stage: Phase = "response"
        scope = asyncio.timeout(wire.deadline)
        try:
            async with scope:
                # auth=None: our Authorization header, not the httpx client's own auth.
                response = await self._http.send(http_request, stream=True, follow_redirects=False, auth=None)
                try:
                    stage = "body"
                    reader = _BodyReader(wire.limit, response.status_code, response.headers)
                    async for chunk in response.aiter_raw():
                        reader.feed(chunk)
                    body = reader.content()
                finally:
                    await response.aclose()
        except TimeoutError:
            if scope.expired():
                raise AttemptTimeout(stage, wire.deadline, deadline=True) from None
            raise _phase_timeout(wire.timeout, stage) from None
        except httpx.TimeoutException as error:
            raise _phase_timeout(wire.timeout, _TIMEOUT_PHASES.get(type(error), stage)) from None
        return RawResponse(response.status_code, response.headers, body, response.reason_phrase)

    async def aclose(self) -> None:
        if self._owned:
            await self._http.aclose()
