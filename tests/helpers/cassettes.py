"""Recording targets and the scrubber that keeps secrets, ids and hosts out of cassettes.

A cassette is recorded against the emulator, or against a real Space when
scripts/record_cassettes is given SIGNALWIRE_* credentials, and replayed offline in CI.
Every UUID is replaced by a placeholder numbered in order of first appearance, so the
account is always ...0001 and the call or conference ...0002; replayed tests use those.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from signalwire_streams import Client
from signalwire_streams.testing import Emulator

# Where pytest-recording keeps tests/rest/test_cassettes.py's recordings: beside the module,
# in cassettes/<module name>/.
CASSETTES = Path(__file__).resolve().parents[1] / "rest" / "cassettes"
PLACEHOLDER_PREFIX = "00000000-0000-4000-8000-"
REPLAY_HOST = "example.signalwire.com"
REPLAY_SPACE = f"https://{REPLAY_HOST}"
REPLAY_TOKEN = "replay-token-not-a-secret"
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
KEPT_RESPONSE_HEADERS = frozenset({"content-type", "retry-after"})

# What scripts/record_cassettes passes to a recording against a real Space.
RECORD_ENV = (
    "SWS_RECORD_PROJECT_ID",
    "SWS_RECORD_API_TOKEN",
    "SWS_RECORD_SPACE",
    "SWS_RECORD_CALL_SID",
    "SWS_RECORD_CONFERENCE_SID",
)


def placeholder(number: int) -> str:
    return f"{PLACEHOLDER_PREFIX}{number:012d}"


ACCOUNT = placeholder(1)
PARENT = placeholder(2)


@dataclass
class Scrubber:
    """Rewrites requests and responses on their way into (and, for requests, out of) a cassette."""

    real_host: str | None = None
    ids: dict[str, str] = field(default_factory=dict)

    def _id(self, match: re.Match[str]) -> str:
        found = match.group(0).lower()
        if found.startswith(PLACEHOLDER_PREFIX):
            return found
        if found not in self.ids:
            self.ids[found] = placeholder(len(self.ids) + 1)
        return self.ids[found]

    def text(self, text: str) -> str:
        text = UUID.sub(self._id, text)
        if self.real_host:
            text = text.replace(self.real_host, REPLAY_HOST)
        return text

    def request(self, request: Any) -> Any:
        parts = urlsplit(request.uri)
        request.uri = urlunsplit(("https", REPLAY_HOST, self.text(parts.path), parts.query, ""))
        if isinstance(request.body, bytes):
            request.body = self.text(request.body.decode()).encode()
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        response["headers"] = {
            name: value
            for name, value in response["headers"].items()
            if name.lower() in KEPT_RESPONSE_HEADERS
        }
        body = response["body"].get("string", b"")
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        response["body"]["string"] = self.text(body).encode()
        return response


@dataclass
class Target:
    """Where a cassette test sends its requests: recorded traffic, the emulator or a Space."""

    mode: str  # "replay", "emulator" or "space"
    settings: dict[str, Any]
    call_sid: str
    conference_sid: str
    emulator: Emulator | None = None

    @property
    def real_host(self) -> str | None:
        if self.mode == "replay":
            return None
        with Client(**self.settings) as client:  # the Space's host, as the client resolves it
            return urlsplit(client.base_url).netloc

    def fault(self, status: int, body: object = None, **options: Any) -> None:
        """Make the emulator fail the next request; recorded, so a replay needs nothing."""
        if self.emulator is not None:
            self.emulator.fail_next(status, body, **options)

    def end_call(self) -> None:
        if self.emulator is not None:
            self.emulator.end_call(self.call_sid)


def space_credentials() -> dict[str, str] | None:
    values = {name: os.environ.get(name, "") for name in RECORD_ENV}
    return values if all(values.values()) else None


def vcr_options(scrubber: Scrubber) -> dict[str, Any]:
    """vcrpy settings shared by the cassette tests and the cassette leak test."""
    return {
        "filter_headers": ["authorization", "host", "user-agent", "cookie", "content-length"],
        "filter_post_data_parameters": ["AuthorizationBearerToken"],
        "before_record_request": scrubber.request,
        "before_record_response": scrubber.response,
        "match_on": ["method", "path", "query", "body"],
        "decode_compressed_response": True,
    }
