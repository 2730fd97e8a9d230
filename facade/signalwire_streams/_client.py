"""`Client` and `AsyncClient`: thin shells that send what `_core` builds.

Everything but sending, sleeping and closing lives in `_core`. The resources
(`client.streams`, `client.conference_streams`) are shared by both clients: they build an
operation and hand it to the client's `_send`, which returns a `Stream` for `Client` and an
awaitable of one for `AsyncClient`.
"""

from __future__ import annotations

import base64
import time
import urllib.request
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

import httpx

from ._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_AMBIGUOUS,
    DEFAULT_TIMEOUT,
    Settings,
    resolve_settings,
)
from ._errors import ValidationError
from ._models import Codec, StatusCallbackMethod, Stream, Track
from ._version import __version__

if TYPE_CHECKING:
    from . import _core
    from ._core import Operation

__all__ = ["AsyncClient", "CallStreams", "Client", "ConferenceStreams"]

USER_AGENT = f"signalwire-streams/{__version__} python-httpx/{httpx.__version__}"
_NOT_GIVEN: Any = object()

HttpClient = TypeVar("HttpClient", httpx.Client, httpx.AsyncClient)
Transport = TypeVar("Transport", httpx.BaseTransport, httpx.AsyncBaseTransport)
Result = TypeVar("Result", covariant=True)
# How a client waits before a retry: `time.sleep` for `Client`, `asyncio.sleep` for
# `AsyncClient`. Tests pass their own, so that retries take no time.
SyncSleep = Callable[[float], object]
AsyncSleep = Callable[[float], Awaitable[object]]
Sleep = TypeVar("Sleep", SyncSleep, AsyncSleep)
# What the async resources return: `await` it for the `Stream`.
AwaitableStream = Coroutine[Any, Any, Stream]


async def _sleep(seconds: float) -> None:
    import asyncio  # only for a retry: a sync program should not pay for importing asyncio

    await asyncio.sleep(seconds)


def _load_core() -> None:
    """Bind `_core`: the request core, and with it attrs and the generated client, loads
    with the first client made rather than with `from signalwire_streams import Client`."""
    global _core
    from . import _core as core

    _core = core


def _basic_authorization(settings: Settings) -> str:
    userpass = f"{settings.project_id}:{settings.api_token}".encode()
    return "Basic " + base64.b64encode(userpass).decode("ascii")


def _proxied_by_environment() -> bool:
    """Whether httpx would send through a proxy named by the environment or the system
    (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY): then our pool is a whole httpx client, which
    honours them and NO_PROXY as httpx always has."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


class _Sender(Protocol[Result]):
    @property
    def project_id(self) -> str: ...

    def _send(self, operation: Operation) -> Result: ...


class _BaseClient(Generic[HttpClient, Transport, Sleep]):
    """Settings, the connection pool and how a request is addressed; no I/O."""

    _http_type: type[HttpClient]
    _http: HttpClient
    _settings: Settings
    _sleep: Sleep

    def __init__(
        self,
        project_id: str | None = None,
        api_token: str | None = None,
        space: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_ambiguous: bool = DEFAULT_RETRY_AMBIGUOUS,
        http_client: HttpClient | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise ValidationError("http_client", f"must be an httpx.{self._http_type.__name__}")
        if sleep is not None and not callable(sleep):
            raise ValidationError("sleep", "must be a function taking seconds, or None")
        _load_core()
        settings = resolve_settings(
            project_id,
            api_token,
            space,
            timeout=timeout,
            max_retries=max_retries,
            retry_ambiguous=retry_ambiguous,
        )
        if http_client is None:
            http, transport = self._new_pool(settings)
            self._setup(settings, http, transport, owns=True, sleep=sleep)
        else:
            self._setup(settings, http_client, None, owns=False, sleep=sleep)

    def _new_pool(self, settings: Settings) -> tuple[HttpClient, Transport | None]:
        """An httpx client of our own, and its transport when requests may go to it directly."""
        raise NotImplementedError

    def _default_sleep(self) -> Sleep:
        raise NotImplementedError

    def _setup(
        self,
        settings: Settings,
        http: HttpClient,
        transport: Transport | None,
        *,
        owns: bool,
        sleep: Sleep | None,
    ) -> None:
        self._settings = settings
        self._sleep = self._default_sleep() if sleep is None else sleep
        self._auth = settings.auth
        self._http = http
        self._owns_http = owns  # close() closes it
        # Requests go straight to `_transport` when it is set (see `_request`).
        self._transport: Transport | None = transport
        headers = httpx.Headers(http.headers)  # its repr hides Authorization
        headers["Authorization"] = _basic_authorization(settings)
        self._direct_headers = headers
        self._extensions = {"timeout": settings.timeout.as_dict()}

    @property
    def project_id(self) -> str:
        return self._settings.project_id

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._settings.timeout

    @property
    def max_retries(self) -> int:
        return self._settings.max_retries

    @property
    def retry_ambiguous(self) -> bool:
        return self._settings.retry_ambiguous

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout = _NOT_GIVEN,
        max_retries: int = _NOT_GIVEN,
        retry_ambiguous: bool = _NOT_GIVEN,
    ) -> Self:
        """A client sharing this one's connections, with other timeouts or retry settings.

        Closing the copy leaves the shared connections open; close the original.
        """
        current = self._settings
        settings = resolve_settings(
            current.project_id,
            current.api_token,
            current.base_url,
            timeout=current.timeout if timeout is _NOT_GIVEN else timeout,
            max_retries=current.max_retries if max_retries is _NOT_GIVEN else max_retries,
            retry_ambiguous=(
                current.retry_ambiguous if retry_ambiguous is _NOT_GIVEN else retry_ambiguous
            ),
        )
        copy = object.__new__(type(self))
        copy._setup(settings, self._http, self._transport, owns=False, sleep=self._sleep)
        return copy

    def _request(self, operation: Operation) -> httpx.Request:
        """The request for one try of `operation`.

        On a pool of our own, requests skip httpx's client layer (URL, header and cookie
        merging, the auth flow, redirect handling, cookie extraction), which holds nothing
        for them and costs about a fifth of httpx's CPU per create: the request is built
        here as `build_request` would, with the Authorization header, and handed to the
        transport. An http_client passed in gets the whole of httpx (its hooks, proxies,
        base headers), as does our own pool when the environment names a proxy.
        """
        url = self._settings.base_url + operation.path
        if self._transport is None:
            return self._http.build_request(
                operation.method,
                url,
                content=operation.body,
                headers={**operation.headers, "User-Agent": USER_AGENT},
                timeout=self._settings.timeout,
            )
        request = httpx.Request(
            operation.method,
            url,
            content=operation.body,
            headers=self._direct_headers,
            extensions=self._extensions,
        )
        for name, value in operation.headers.items():
            request.headers[name] = value
        return request

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} base_url={self._settings.base_url!r} "
            f"project_id={self._settings.project_id!r}>"
        )


class Client(_BaseClient[httpx.Client, httpx.BaseTransport, SyncSleep]):
    """A synchronous client for SignalWire's stream endpoints.

    Credentials not passed come from SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and
    SIGNALWIRE_SPACE. `space` is a Space name (`example`), its host, or a base URL
    (http:// only on loopback). Use it as a context manager, or call `close()`. An
    `http_client` passed in is used as is (proxies, certificates) and left open.

    Failed requests are retried up to `max_retries` times when that cannot duplicate a
    stream; `retry_ambiguous=True` also retries a create after a read timeout, a dropped
    connection or a 500/502/504, accepting that risk (see the README's retry table).
    `sleep` is how the client waits between tries (`time.sleep`).
    """

    _http_type = httpx.Client

    def _default_sleep(self) -> SyncSleep:
        return time.sleep

    def _new_pool(self, settings: Settings) -> tuple[httpx.Client, httpx.BaseTransport | None]:
        headers = {"User-Agent": USER_AGENT}
        if _proxied_by_environment():
            return httpx.Client(headers=headers, timeout=settings.timeout), None
        transport = httpx.HTTPTransport()  # what httpx.Client() would make
        return httpx.Client(
            headers=headers, timeout=settings.timeout, transport=transport
        ), transport

    def _setup(
        self,
        settings: Settings,
        http: httpx.Client,
        transport: httpx.BaseTransport | None,
        *,
        owns: bool,
        sleep: SyncSleep | None,
    ) -> None:
        super()._setup(settings, http, transport, owns=owns, sleep=sleep)
        self.streams: CallStreams[Stream] = CallStreams(self)
        self.conference_streams: ConferenceStreams[Stream] = ConferenceStreams(self)

    def _exchange(self, request: httpx.Request) -> httpx.Response:
        """Send one request and read the answer."""
        if self._transport is None or self._http.is_closed:
            return self._http.send(request, auth=self._auth)  # raises once closed
        try:
            response = self._transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.TransportError as error:
            error.request = request  # as httpx's client sets it
            raise
        return response

    def _send(self, operation: Operation) -> Stream:
        attempts = _core.Attempts(operation, self._settings)
        while True:
            try:
                response = self._exchange(self._request(operation))
            except httpx.TransportError as error:
                wait = attempts.after_error(error)
            else:
                outcome = attempts.after_response(response)
                if isinstance(outcome, Stream):
                    return outcome
                wait = outcome
            self._sleep(wait.seconds)

    def close(self) -> None:
        """Close the connections, unless the httpx client was passed in by the caller."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_BaseClient[httpx.AsyncClient, httpx.AsyncBaseTransport, AsyncSleep]):
    """An asyncio client for SignalWire's stream endpoints; otherwise as `Client`.

    `await client.streams.create(...)`; use `async with`, or call `aclose()`; `sleep` is
    awaited between tries (`asyncio.sleep`). Its own
    connections are aiohttp's (through httpx-aiohttp): httpx's async pool costs many times
    more CPU per request with hundreds in flight.
    """

    _http_type = httpx.AsyncClient

    def _default_sleep(self) -> AsyncSleep:
        return _sleep

    def _new_pool(
        self, settings: Settings
    ) -> tuple[httpx.AsyncClient, httpx.AsyncBaseTransport | None]:
        headers = {"User-Agent": USER_AGENT}
        if _proxied_by_environment():
            return httpx.AsyncClient(headers=headers, timeout=settings.timeout), None
        from ._aiohttp import AiohttpTransport  # aiohttp loads with the first AsyncClient

        transport = AiohttpTransport()
        http = httpx.AsyncClient(headers=headers, timeout=settings.timeout, transport=transport)
        return http, transport

    def _setup(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        transport: httpx.AsyncBaseTransport | None,
        *,
        owns: bool,
        sleep: AsyncSleep | None,
    ) -> None:
        super()._setup(settings, http, transport, owns=owns, sleep=sleep)
        self.streams: CallStreams[AwaitableStream] = CallStreams(self)
        self.conference_streams: ConferenceStreams[AwaitableStream] = ConferenceStreams(self)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """Send one request and read the answer."""
        if self._transport is None or self._http.is_closed:
            return await self._http.send(request, auth=self._auth)  # raises once closed
        try:
            response = await self._transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.TransportError as error:
            error.request = request  # as httpx's client sets it
            raise
        return response

    async def _send(self, operation: Operation) -> Stream:
        attempts = _core.Attempts(operation, self._settings)
        while True:
            try:
                response = await self._exchange(self._request(operation))
            except httpx.TransportError as error:
                wait = attempts.after_error(error)
            else:
                outcome = attempts.after_response(response)
                if isinstance(outcome, Stream):
                    return outcome
                wait = outcome
            await self._sleep(wait.seconds)

    async def aclose(self) -> None:
        """Close the connections, unless the httpx client was passed in by the caller."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class CallStreams(Generic[Result]):
    """`client.streams`: streams on live calls. Async clients return awaitables."""

    def __init__(self, client: _Sender[Result]) -> None:
        self._client = client

    def create(
        self,
        call_sid: str,
        url: str,
        *,
        name: str | None = None,
        track: Track = "both_tracks",
        status_callback: str | None = None,
        status_callback_method: StatusCallbackMethod = "POST",
        parameters: Mapping[str, str] | None = None,
        authorization_bearer_token: str | None = None,
        extra_fields: Mapping[str, str] | None = None,
        max_retries: int | None = None,
        retry_ambiguous: bool | None = None,
    ) -> Result:
        """Start streaming a live call's audio to the WebSocket server at `url` (wss://).

        `parameters` reach the server in the `start` message, in order (at most 99);
        `authorization_bearer_token` is sent to it as `Authorization: Bearer ...`;
        `extra_fields` passes undocumented form fields through. `max_retries` and
        `retry_ambiguous` override the client's for this call. Checked before sending.
        """
        return self._client._send(
            _core.create_stream(
                self._client.project_id,
                "call",
                call_sid,
                url,
                name=name,
                track=track,
                status_callback=status_callback,
                status_callback_method=status_callback_method,
                parameters=parameters,
                authorization_bearer_token=authorization_bearer_token,
                extra_fields=extra_fields,
                max_retries=max_retries,
                retry_ambiguous=retry_ambiguous,
            )
        )

    def stop(self, call_sid: str, stream: str, *, max_retries: int | None = None) -> Result:
        """Stop a call's stream, given its sid or its name; idempotent, so always retried."""
        return self._client._send(
            _core.stop_stream(
                self._client.project_id, "call", call_sid, stream, max_retries=max_retries
            )
        )


class ConferenceStreams(Generic[Result]):
    """`client.conference_streams`: streams on live conferences."""

    def __init__(self, client: _Sender[Result]) -> None:
        self._client = client

    def create(
        self,
        conference_sid: str,
        url: str,
        *,
        name: str | None = None,
        track: Track = "both_tracks",
        status_callback: str | None = None,
        status_callback_method: StatusCallbackMethod = "POST",
        parameters: Mapping[str, str] | None = None,
        authorization_bearer_token: str | None = None,
        extra_fields: Mapping[str, str] | None = None,
        codec: Codec | None = None,
        real_time: bool | None = None,
        max_retries: int | None = None,
        retry_ambiguous: bool | None = None,
    ) -> Result:
        """Start streaming a conference's audio; as `CallStreams.create`, plus the
        conference's `codec` (`StreamCodec`) and `real_time` (`StreamRealTime`)."""
        return self._client._send(
            _core.create_stream(
                self._client.project_id,
                "conference",
                conference_sid,
                url,
                name=name,
                track=track,
                status_callback=status_callback,
                status_callback_method=status_callback_method,
                parameters=parameters,
                authorization_bearer_token=authorization_bearer_token,
                extra_fields=extra_fields,
                codec=codec,
                real_time=real_time,
                max_retries=max_retries,
                retry_ambiguous=retry_ambiguous,
            )
        )

    def stop(self, conference_sid: str, stream: str, *, max_retries: int | None = None) -> Result:
        """Stop a conference's stream, given its sid or its name; idempotent, so always retried."""
        return self._client._send(
            _core.stop_stream(
                self._client.project_id,
                "conference",
                conference_sid,
                stream,
                max_retries=max_retries,
            )
        )
