"""Status callbacks: `stream-started`, `stream-stopped`, `stream-error`, posted and signed.

The signature is the emulator's own (Twilio's scheme: HMAC-SHA1 of the URL followed by the
sorted POST fields, base64), not `signalwire_streams.callbacks`', so that the receiver's
`validate_signature` is tested against an independent signer rather than against itself.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx

from ._models import StreamPlan
from ._vocabulary import SIGNATURE_HEADER, StreamError, StreamEvent

__all__ = ["SentCallback", "StatusCallbacks", "sign"]

_TIMEOUT = 5.0
_LONE = "surrogatepass"


def sign(signing_key: str, url: str, fields: Mapping[str, str] | None = None) -> str:
    """The `X-SignalWire-Signature` of a request to `url` with these POST fields.

    Text with no UTF-8 form (a lone surrogate, in a sid a test chose) is hashed as
    "surrogatepass" UTF-8 rather than failing the callback.
    """
    fields = fields or {}
    text = url + "".join(name + fields[name] for name in sorted(fields))
    key, data = signing_key.encode(errors=_LONE), text.encode(errors=_LONE)
    digest = hmac.new(key, data, hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class SentCallback:
    """A status callback the emulator sent, and how the receiver answered (`status`)."""

    url: str
    method: str
    fields: dict[str, str]
    status: int | None
    failure: str | None = None


class StatusCallbacks:
    """Posts streams' status callbacks on the media engine's loop, each stream's in order.

    `tls` gives the context https callbacks are verified with (made when first needed);
    `posted` is told of each callback once answered.
    """

    def __init__(
        self,
        signing_key: str,
        tls: Callable[[], ssl.SSLContext],
        posted: Callable[[SentCallback], object] = lambda sent: None,
    ) -> None:
        self._signing_key = signing_key
        self._tls = tls
        self._posted = posted
        self._http: httpx.AsyncClient | None = None
        self._sent: list[SentCallback] = []
        self._lock = threading.Lock()

    @property
    def sent(self) -> list[SentCallback]:
        """Every callback sent so far, with the receiver's answer (a copy; any thread)."""
        with self._lock:
            return list(self._sent)

    def post(
        self,
        plan: StreamPlan,
        event: StreamEvent,
        error: StreamError | None = None,
        *,
        after: asyncio.Task[None] | None = None,
    ) -> asyncio.Task[None] | None:
        """Queue a stream's callback after its previous one (`after`), so they arrive in
        order; the task that sends it, or None when the stream asked for no callbacks."""
        if plan.status_callback is None:
            return after
        fields = {
            "AccountSid": plan.account_sid,
            "ConferenceSid" if plan.conference else "CallSid": plan.parent_sid,
            "StreamSid": plan.stream_sid,
            "StreamName": plan.name,
            "StreamEvent": event,
            "StreamTrack": plan.track,
            "Timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
        if error is not None:
            fields["StreamError"] = error
        return asyncio.get_running_loop().create_task(
            self._send(after, plan.status_callback, plan.status_callback_method, fields)
        )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def _send(
        self,
        after: asyncio.Task[None] | None,
        url: str,
        method: str,
        fields: dict[str, str],
    ) -> None:
        if after is not None:
            await asyncio.gather(after, return_exceptions=True)
        if self._http is None:
            self._http = httpx.AsyncClient(verify=self._tls(), timeout=_TIMEOUT)
        if method == "GET":
            target = url + ("&" if "?" in url else "?") + urlencode(fields)
            headers = {SIGNATURE_HEADER: sign(self._signing_key, target)}
            request = self._http.build_request("GET", target, headers=headers)
        else:
            target = url
            headers = {SIGNATURE_HEADER: sign(self._signing_key, target, fields)}
            request = self._http.build_request("POST", target, data=fields, headers=headers)
        try:
            response = await self._http.send(request)
            sent = SentCallback(target, method, fields, response.status_code)
        except httpx.HTTPError as error:
            sent = SentCallback(target, method, fields, None, type(error).__name__)
        with self._lock:
            self._sent.append(sent)
        self._posted(sent)
