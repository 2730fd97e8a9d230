"""`Client` and `AsyncClient`: thin shells around the generated client and `_core`.

Everything but sending and sleeping lives in `_core` (checks, retries, errors) and in the
generated package (building requests, the wire, parsing answers). The resources
(`client.streams`, `client.conference_streams`) are shared by both clients: they build an
operation and hand it to the client's `_send`, which returns a `Stream` for `Client` and an
awaitable of one for `AsyncClient`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar, Unpack

import httpx
from signalwire_streams_api import Client as ApiClient

from ._config import (
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_RETRY_AMBIGUOUS,
    FROM_ENV,
    Settings,
    resolve_settings,
)
from ._core import TRANSPORT_ERRORS, Attempts, CreateOptions, Kind, Operation
from ._core import create_stream as _create_stream
from ._core import stop_stream as _stop_stream
from ._errors import ValidationError
from ._models import Codec, Stream
from ._secrets import Secret
from ._version import __version__

__all__ = ["AsyncClient", "CallStreams", "Client", "ConferenceStreams"]

USER_AGENT = f"signalwire-streams/{__version__} python/{sys.version_info[0]}.{sys.version_info[1]}"
_NOT_GIVEN: Any = object()

HttpClient = TypeVar("HttpClient", httpx.Client, httpx.AsyncClient)
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


def _api_client(
    settings: Settings,
    *,
    httpx_client: httpx.Client | None = None,
    async_httpx_client: httpx.AsyncClient | None = None,
) -> ApiClient:
    return ApiClient(
        settings.base_url,
        auth=(settings.project_id, settings.api_token.text()),
        timeout=settings.timeout,
        max_response_size=settings.max_response_size,
        headers={"User-Agent": USER_AGENT},
        httpx_client=httpx_client,
        async_httpx_client=async_httpx_client,
    )


class _Sender(Protocol[Result]):
    @property
    def project_id(self) -> str: ...

    def _send(self, operation: Operation) -> Result: ...


class _BaseClient(Generic[HttpClient, Sleep]):
    """Settings and the generated client that carries them; no I/O."""

    _http_type: type[HttpClient]
    # Class-level, so that `repr` works even on an instance whose __init__ raised.
    _settings: Settings | None = None
    _api: ApiClient
    _sleep: Sleep

    def __init__(
        self,
        project_id: str | None = None,
        api_token: str | None = None,
        space: str | None = None,
        *,
        timeout: float | httpx.Timeout = FROM_ENV,
        max_retries: int = FROM_ENV,
        retry_ambiguous: bool = DEFAULT_RETRY_AMBIGUOUS,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: HttpClient | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        token = Secret(api_token)  # no frame that can raise holds the token itself
        del api_token
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise ValidationError("http_client", f"must be an httpx.{self._http_type.__name__}")
        if sleep is not None and not callable(sleep):
            raise ValidationError("sleep", "must be a function taking seconds, or None")
        settings = resolve_settings(
            project_id,
            token,
            space,
            timeout=timeout,
            max_retries=max_retries,
            retry_ambiguous=retry_ambiguous,
            max_response_size=max_response_size,
        )
        api = self._new_api(settings, http_client)
        self._setup(settings, api, self._default_sleep() if sleep is None else sleep)

    def _new_api(self, settings: Settings, http_client: HttpClient | None) -> ApiClient:
        """The generated client that carries the settings (and `http_client`, if given)."""
        raise NotImplementedError

    def _default_sleep(self) -> Sleep:
        raise NotImplementedError

    def _setup(self, settings: Settings, api: ApiClient, sleep: Sleep) -> None:
        self._settings = settings
        self._api = api
        self._sleep = sleep

    @property
    def _current(self) -> Settings:
        assert self._settings is not None, "set in __init__"
        return self._settings

    @property
    def project_id(self) -> str:
        return self._current.project_id

    @property
    def base_url(self) -> str:
        return self._current.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._current.timeout

    @property
    def max_retries(self) -> int:
        return self._current.max_retries

    @property
    def retry_ambiguous(self) -> bool:
        return self._current.retry_ambiguous

    @property
    def max_response_size(self) -> int:
        return self._current.max_response_size

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout = _NOT_GIVEN,
        max_retries: int = _NOT_GIVEN,
        retry_ambiguous: bool = _NOT_GIVEN,
        max_response_size: int = _NOT_GIVEN,
    ) -> Self:
        """A client sharing this one's connections, with other timeouts, retries or cap.

        Closing the copy leaves the shared connections open; close the original.
        """
        current = self._current
        settings = resolve_settings(
            current.project_id,
            current.api_token,
            current.base_url,
            timeout=current.timeout if timeout is _NOT_GIVEN else timeout,
            max_retries=current.max_retries if max_retries is _NOT_GIVEN else max_retries,
            retry_ambiguous=(
                current.retry_ambiguous if retry_ambiguous is _NOT_GIVEN else retry_ambiguous
            ),
            max_response_size=(
                current.max_response_size if max_response_size is _NOT_GIVEN else max_response_size
            ),
        )
        api = self._api.with_options(
            timeout=settings.timeout, max_response_size=settings.max_response_size
        )
        copy = object.__new__(type(self))
        copy._setup(settings, api, self._sleep)
        return copy

    def __repr__(self) -> str:
        settings = self._settings
        if settings is None:
            return f"<{type(self).__name__} (not set up)>"
        return (
            f"<{type(self).__name__} base_url={settings.base_url!r} "
            f"project_id={settings.project_id!r}>"
        )


class Client(_BaseClient[httpx.Client, SyncSleep]):
    """A synchronous client for SignalWire's stream endpoints.

    Credentials not passed come from SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and
    SIGNALWIRE_SPACE; `timeout` and `max_retries` not passed from SIGNALWIRE_TIMEOUT and
    SIGNALWIRE_MAX_RETRIES if set (else 30 s and 2). `space` is a Space name (`example`),
    its host, or a base URL (http:// only on loopback). Use it as a context manager, or
    call `close()`. An `http_client` passed in is used as is (proxies, certificates) and
    left open.

    Each attempt ends within `timeout` (its longest part, all phases together), reads at
    most `max_response_size` bytes and never follows a redirect. Failed requests are retried
    up to `max_retries` times when that cannot duplicate a stream; `retry_ambiguous=True`
    also retries a create after a timeout, a dropped connection or a 500/502/504, accepting
    that risk (see the README's retry table). `sleep` is how the client waits between
    tries (`time.sleep`).
    """

    _http_type = httpx.Client

    def _new_api(self, settings: Settings, http_client: httpx.Client | None) -> ApiClient:
        return _api_client(settings, httpx_client=http_client)

    def _default_sleep(self) -> SyncSleep:
        return time.sleep

    def _setup(self, settings: Settings, api: ApiClient, sleep: SyncSleep) -> None:
        super()._setup(settings, api, sleep)
        self.streams: CallStreams[Stream] = CallStreams(self)
        self.conference_streams: ConferenceStreams[Stream] = ConferenceStreams(self)

    def _send(self, operation: Operation) -> Stream:
        attempts = Attempts(operation, self._current)
        while True:
            try:
                raw = self._api.send(operation.request)
            except TRANSPORT_ERRORS as error:
                wait = attempts.after_error(error)
            else:
                outcome = attempts.after_response(raw)
                if isinstance(outcome, Stream):
                    return outcome
                wait = outcome
            self._sleep(wait.seconds)

    def close(self) -> None:
        """Close the connections, unless the httpx client was passed in by the caller."""
        self._api.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_BaseClient[httpx.AsyncClient, AsyncSleep]):
    """An asyncio client for SignalWire's stream endpoints; otherwise as `Client`.

    `await client.streams.create(...)`; use `async with`, or call `aclose()`; `sleep` is
    awaited between tries (`asyncio.sleep`). Its own connections are aiohttp's (loaded with
    the first request): httpx's async pool costs many times the CPU with hundreds of
    requests in flight. An `http_client` passed in (an `httpx.AsyncClient`) is used as is.
    """

    _http_type = httpx.AsyncClient

    def _new_api(self, settings: Settings, http_client: httpx.AsyncClient | None) -> ApiClient:
        return _api_client(settings, async_httpx_client=http_client)

    def _default_sleep(self) -> AsyncSleep:
        return _sleep

    def _setup(self, settings: Settings, api: ApiClient, sleep: AsyncSleep) -> None:
        super()._setup(settings, api, sleep)
        self.streams: CallStreams[AwaitableStream] = CallStreams(self)
        self.conference_streams: ConferenceStreams[AwaitableStream] = ConferenceStreams(self)

    async def _send(self, operation: Operation) -> Stream:
        attempts = Attempts(operation, self._current)
        while True:
            try:
                raw = await self._api.asend(operation.request)
            except TRANSPORT_ERRORS as error:
                wait = attempts.after_error(error)
            else:
                outcome = attempts.after_response(raw)
                if isinstance(outcome, Stream):
                    return outcome
                wait = outcome
            await self._sleep(wait.seconds)

    async def aclose(self) -> None:
        """Close the connections, unless the httpx client was passed in by the caller."""
        await self._api.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class _Streams(Generic[Result]):
    _kind: Kind

    def __init__(self, client: _Sender[Result]) -> None:
        self._client = client

    def _stop(self, parent_sid: str, stream: str, max_retries: int | None) -> Result:
        client = self._client
        operation = _stop_stream(
            client.project_id, self._kind, parent_sid, stream, max_retries=max_retries
        )
        return client._send(operation)


class CallStreams(_Streams[Result]):
    """`client.streams`: streams on live calls. Async clients return awaitables."""

    _kind = "call"

    def create(self, call_sid: str, url: str, **options: Unpack[CreateOptions]) -> Result:
        """Start streaming a live call's audio to the WebSocket server at `url` (wss://).

        Options (`CreateOptions`): `name`, `track` (default `both_tracks`),
        `status_callback`, `status_callback_method` (default `POST`), `parameters` (reach
        the server in the `start` message, in order, at most 99),
        `authorization_bearer_token` (sent to it as `Authorization: Bearer ...`),
        `extra_fields` (undocumented form fields), and `max_retries` / `retry_ambiguous`
        for this call. Everything is checked before a byte is sent.
        """
        bearer = Secret(options.pop("authorization_bearer_token", None))
        client = self._client
        operation = _create_stream(
            client.project_id, "call", call_sid, url, bearer_token=bearer, **options
        )
        return client._send(operation)

    def stop(self, call_sid: str, stream: str, *, max_retries: int | None = None) -> Result:
        """Stop a call's stream, given its sid or its name; idempotent, so always retried."""
        return self._stop(call_sid, stream, max_retries)


class ConferenceStreams(_Streams[Result]):
    """`client.conference_streams`: streams on live conferences."""

    _kind = "conference"

    def create(
        self,
        conference_sid: str,
        url: str,
        *,
        codec: Codec | None = None,
        real_time: bool | None = None,
        **options: Unpack[CreateOptions],
    ) -> Result:
        """Start streaming a conference's audio; as `CallStreams.create`, plus the
        conference's `codec` (`StreamCodec`) and `real_time` (`StreamRealTime`)."""
        bearer = Secret(options.pop("authorization_bearer_token", None))
        client = self._client
        operation = _create_stream(
            client.project_id,
            "conference",
            conference_sid,
            url,
            codec=codec,
            real_time=real_time,
            bearer_token=bearer,
            **options,
        )
        return client._send(operation)

    def stop(self, conference_sid: str, stream: str, *, max_retries: int | None = None) -> Result:
        """Stop a conference's stream, given its sid or its name; idempotent, so always
        retried."""
        return self._stop(conference_sid, stream, max_retries)
