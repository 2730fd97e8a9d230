"""`Client` and `AsyncClient`: thin shells that send what `_core` builds.

Everything but sending, sleeping and closing lives in `_core`. The resources
(`client.streams`, `client.conference_streams`) are shared by both clients: they build an
operation and hand it to the client's `_send`, which returns a `Stream` for `Client` and an
awaitable of one for `AsyncClient`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Mapping
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

import httpx

from . import _core
from ._config import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, Settings, resolve_settings
from ._core import Operation
from ._errors import ValidationError
from ._models import Codec, StatusCallbackMethod, Stream, Track
from ._version import __version__

__all__ = ["AsyncClient", "CallStreams", "Client", "ConferenceStreams"]

USER_AGENT = f"signalwire-streams/{__version__} python-httpx/{httpx.__version__}"
_NOT_GIVEN: Any = object()

HttpClient = TypeVar("HttpClient", httpx.Client, httpx.AsyncClient)
Result = TypeVar("Result", covariant=True)
# What the async resources return: `await` it for the `Stream`.
AwaitableStream = Coroutine[Any, Any, Stream]


class _Sender(Protocol[Result]):
    @property
    def project_id(self) -> str: ...

    def _send(self, operation: Operation) -> Result: ...


class _BaseClient(Generic[HttpClient]):
    """Settings, the connection pool and how a request is addressed; no I/O."""

    _http_type: type[HttpClient]
    _http: HttpClient
    _settings: Settings

    def __init__(
        self,
        project_id: str | None = None,
        api_token: str | None = None,
        space: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: HttpClient | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise ValidationError("http_client", f"must be an httpx.{self._http_type.__name__}")
        settings = resolve_settings(
            project_id, api_token, space, timeout=timeout, max_retries=max_retries
        )
        if http_client is None:
            self._setup(settings, self._http_type(headers={"User-Agent": USER_AGENT}), owns=True)
        else:
            self._setup(settings, http_client, owns=False)

    def _setup(self, settings: Settings, http: HttpClient, *, owns: bool) -> None:
        self._settings = settings
        self._auth = settings.auth
        self._http = http
        self._owns_http = owns

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

    def with_options(
        self, *, timeout: float | httpx.Timeout = _NOT_GIVEN, max_retries: int = _NOT_GIVEN
    ) -> Self:
        """A client sharing this one's connections, with another timeout or retry count.

        Closing the copy leaves the shared connections open; close the original.
        """
        current = self._settings
        settings = resolve_settings(
            current.project_id,
            current.api_token,
            current.base_url,
            timeout=current.timeout if timeout is _NOT_GIVEN else timeout,
            max_retries=current.max_retries if max_retries is _NOT_GIVEN else max_retries,
        )
        copy = object.__new__(type(self))
        copy._setup(settings, self._http, owns=False)
        return copy

    def _request_args(self, operation: Operation) -> dict[str, Any]:
        headers = operation.headers
        if not self._owns_http:
            headers = {**headers, "User-Agent": USER_AGENT}
        return {
            "method": operation.method,
            "url": self._settings.base_url + operation.path,
            "data": operation.form,
            "headers": headers,
            "auth": self._auth,
            "timeout": self._settings.timeout,
        }

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} base_url={self._settings.base_url!r} "
            f"project_id={self._settings.project_id!r}>"
        )


class Client(_BaseClient[httpx.Client]):
    """A synchronous client for SignalWire's stream endpoints.

    Credentials not passed come from SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and
    SIGNALWIRE_SPACE. `space` is a Space name (`example`), its host, or a base URL
    (http:// only on loopback). Use it as a context manager, or call `close()`. An
    `http_client` passed in is used as is (proxies, certificates) and left open.
    """

    _http_type = httpx.Client

    def _setup(self, settings: Settings, http: httpx.Client, *, owns: bool) -> None:
        super()._setup(settings, http, owns=owns)
        self.streams: CallStreams[Stream] = CallStreams(self)
        self.conference_streams: ConferenceStreams[Stream] = ConferenceStreams(self)

    def _send(self, operation: Operation) -> Stream:
        attempts = _core.Attempts(operation, self._settings.max_retries)
        while True:
            try:
                response = self._http.request(**self._request_args(operation))
            except httpx.TransportError as error:
                wait = attempts.after_error(error)
            else:
                outcome = attempts.after_response(response)
                if isinstance(outcome, Stream):
                    return outcome
                wait = outcome
            time.sleep(wait.seconds)

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


class AsyncClient(_BaseClient[httpx.AsyncClient]):
    """An asyncio client for SignalWire's stream endpoints; otherwise as `Client`.

    `await client.streams.create(...)`; use `async with`, or call `aclose()`.
    """

    _http_type = httpx.AsyncClient

    def _setup(self, settings: Settings, http: httpx.AsyncClient, *, owns: bool) -> None:
        super()._setup(settings, http, owns=owns)
        self.streams: CallStreams[AwaitableStream] = CallStreams(self)
        self.conference_streams: ConferenceStreams[AwaitableStream] = ConferenceStreams(self)

    async def _send(self, operation: Operation) -> Stream:
        attempts = _core.Attempts(operation, self._settings.max_retries)
        while True:
            try:
                response = await self._http.request(**self._request_args(operation))
            except httpx.TransportError as error:
                wait = attempts.after_error(error)
            else:
                outcome = attempts.after_response(response)
                if isinstance(outcome, Stream):
                    return outcome
                wait = outcome
            await asyncio.sleep(wait.seconds)

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
    ) -> Result:
        """Start streaming a live call's audio to the WebSocket server at `url` (wss://).

        `parameters` reach the server in the `start` message, in order (at most 99);
        `authorization_bearer_token` is sent to it as `Authorization: Bearer ...`;
        `extra_fields` passes undocumented form fields through. Checked before sending.
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
            )
        )

    def stop(self, call_sid: str, stream: str) -> Result:
        """Stop a call's stream, given its sid or its name."""
        return self._client._send(
            _core.stop_stream(self._client.project_id, "call", call_sid, stream)
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
            )
        )

    def stop(self, conference_sid: str, stream: str) -> Result:
        """Stop a conference's stream, given its sid or its name."""
        return self._client._send(
            _core.stop_stream(self._client.project_id, "conference", conference_sid, stream)
        )
