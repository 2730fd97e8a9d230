"""A service that answers from a script, under the public `Client`: no socket, no emulator.

`Canned` is an `httpx.MockTransport` handler. It keeps each `httpx.Request` a client sends
and answers it with the next of its canned `httpx.Response`s, whose status, headers and body
a test chooses. `Canned.client()` is a public `Client` on it (`http_client=`), with a
`sleep=` that records each wait instead of waiting. Arguments, the request's path and form,
response parsing, status errors and Retry-After are then all checked through the public
API, at well under a millisecond a request.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

import httpx
from signalwire_streams import Client

ACCOUNT = "b08dacad-2f6c-4de1-93d6-cc732e0c69c5"
CALL = "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad"
TOKEN = "canned-token-not-a-secret"
SPACE = "example"
API_PATH = "/api/laml/2010-04-01"  # a Space's base URL's path, before /Accounts/...
STREAM = {
    "sid": "a3c1e0f2-7d4b-4c5a-9e8f-1b2c3d4e5f60",
    "account_sid": ACCOUNT,
    "call_sid": CALL,
    "name": "asr",
    "status": "in-progress",
    "date_updated": "Thu, 21 Nov 2024 19:38:00 +0000",
}


class OutOfAnswers(Exception):
    """The client sent a request the script has no answer for (it retried the last one)."""


def answer(
    status: int = 200, headers: Iterable[tuple[Any, Any]] = (), body: object = STREAM
) -> httpx.Response:
    """One answer: `body` as is if bytes, else as JSON; headers exactly as given.

    Streamed rather than read up front, as from a socket, so that the client reads it as it
    would a real one (and httpx adds no Content-Length of its own).
    """
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, headers=list(headers), stream=httpx.ByteStream(content))


class Canned:
    """Records every request; answers each with the next of `answers`, then raises
    `OutOfAnswers`. `sleeps` holds the waits of the clients made by `client()`."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = deque(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if not self.answers:
            raise OutOfAnswers(f"no answer for request {len(self.requests)}")
        return self.answers.popleft()

    def client(self, **settings: Any) -> Client:
        """A `Client` of ACCOUNT on this script; `settings` go to its constructor."""
        # trust_env=False: a proxy named in the environment must not take the requests.
        http = httpx.Client(transport=httpx.MockTransport(self), trust_env=False)
        return Client(ACCOUNT, TOKEN, SPACE, http_client=http, sleep=self.sleeps.append, **settings)


def path_of(request: httpx.Request) -> str:
    """The request's path below the API's base path, percent-encoded as it was sent."""
    path = request.url.raw_path.decode("ascii")
    assert path.startswith(API_PATH + "/"), path
    return path[len(API_PATH) :]


def form_of(request: httpx.Request) -> list[tuple[str, str]]:
    """The request's body read back as a form, strictly (as the emulator reads it)."""
    return parse_qsl(request.content.decode("ascii"), keep_blank_values=True, errors="strict")
