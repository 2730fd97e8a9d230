"""Hostile arguments and settings: a create, a stop or a client ends in a request, a client
or ValidationError, whatever it is given.

Property-based (hypothesis), with the strategies of tests/helpers/strategies.py: valid
values, near-valid ones and arbitrary objects. Creates and stops go through a public
`Client` on a canned transport (tests/helpers/canned.py), and what is checked is the request
it actually sent. The minimal examples of the bugs these found stay at the end as plain
regression tests.
"""

from __future__ import annotations

import asyncio
import math
import re
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from signalwire_streams import AsyncClient, Client, SignalWireError, ValidationError, _config

from tests.helpers.canned import ACCOUNT, CALL, Canned, answer, form_of, path_of
from tests.helpers.clients import WSS_URL
from tests.helpers.strategies import (
    ANY_CHAR,
    ANY_OBJECT,
    CREATE_ARGS,
    CREATE_FIELDS,
    KINDS,
    NEAR_SIDS,
    SID,
    TEXT,
    arg,
    examples,
    mostly_valid,
    parent_field,
    url,
)

PARAMETER_FIELD = re.compile(r"Parameter[0-9]+\.(Name|Value)")


def resource(client: Client, kind: str, args: dict[str, Any]) -> Any:
    """`client.streams` or `client.conference_streams`; only the latter takes a codec and
    real_time (a create of a call stream never read them), so they leave `args` for a call."""
    if kind == "call":
        args.pop("codec", None), args.pop("real_time", None)
        return client.streams
    return client.conference_streams


@examples(800)
@given(kind=KINDS, args=CREATE_ARGS)
def test_create_builds_a_request_or_refuses_with_a_validation_error(
    kind: str, args: dict[str, Any]
) -> None:
    args = dict(args)
    parent = args.pop("parent_sid")
    target = args.pop("url")
    canned = Canned(answer())
    streams = resource(canned.client(), kind, args)
    try:
        streams.create(parent, target, **args)
    except ValidationError as error:
        event("refused")
        assert not canned.requests
        assert error.field in CREATE_FIELDS | {parent_field(kind)}
        assert isinstance(error.rule, str) and error.rule
        # Messages never echo a bearer token (unless another argument, echoed, holds it).
        token = args.pop("authorization_bearer_token", None)
        if isinstance(token, str) and len(token) >= 8 and token not in repr((parent, args)):
            assert token not in str(error)
        return
    event("accepted")
    [request] = canned.requests
    assert request.method == "POST"
    segments = path_of(request).split("/")
    collection = "Calls" if kind == "call" else "Conferences"
    assert segments[:4] == ["", "Accounts", ACCOUNT, collection] and segments[5:] == ["Streams"]
    assert unquote(segments[4], errors="strict") == parent
    form = form_of(request)
    fields = dict(form)
    assert fields["Url"] == target
    if args.get("name") is not None:
        assert fields["Name"] == args["name"]
    # Parameter{N} pairs in any place in the body: N gives the order.
    sent = sorted((k, v) for k, v in form if PARAMETER_FIELD.fullmatch(k))
    given_parameters = list((args.get("parameters") or {}).items())
    assert sent == sorted(
        (f"Parameter{i}.{part}", text)
        for i, (name, value) in enumerate(given_parameters, start=1)
        for part, text in (("Name", name), ("Value", value))
    )


@examples(500)
@given(
    kind=KINDS,
    parent=arg(SID, *NEAR_SIDS),
    stream=arg(st.one_of(SID, TEXT), *NEAR_SIDS),
    max_retries=arg(st.integers(0, 5), -1, True, "2", None),
)
def test_stop_builds_a_request_or_refuses_with_a_validation_error(
    kind: str, parent: object, stream: object, max_retries: object
) -> None:
    canned = Canned(answer())
    streams = resource(canned.client(), kind, {})
    try:
        streams.stop(parent, stream, max_retries=max_retries)
    except ValidationError as error:
        assert not canned.requests
        assert error.field in {parent_field(kind), "stream", "max_retries"}
        return
    [request] = canned.requests
    segments = path_of(request).split("/")
    assert len(segments) == 7 and segments[5] == "Streams"
    assert unquote(segments[4], errors="strict") == parent
    assert unquote(segments[6], errors="strict") == stream
    assert form_of(request) == [("Status", "stopped")]


# Settings

TIMEOUTS = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan, 1e300, 1e10, 10**400, 2**1024, 1e-300]),
    st.sampled_from([-1, 0, 0.0, -0.0, True, False, "30", None]),
    st.floats(),
    st.floats(min_value=1e-3, max_value=600),
    st.integers(),
    st.builds(httpx.Timeout, st.sampled_from([math.inf, math.nan, -1.0, 0.0])),
    st.builds(httpx.Timeout, st.floats(0.1, 60) | st.none()),
    st.builds(
        httpx.Timeout,
        st.floats(0.1, 60),
        connect=st.floats(0.1, 60) | st.none(),
        read=st.floats(0.1, 60) | st.none(),
        write=st.floats(0.1, 60) | st.none(),
        pool=st.floats(0.1, 60) | st.none(),
    ),
    ANY_OBJECT,
)
SPACES = st.one_of(
    st.sampled_from(
        ["https://\x00", "https://xn--a.example", "https://a..b", "https://a\u200db.x"]
    ),
    st.sampled_from(["example", "my-space", "example.signalwire.com", "EXAMPLE.signalwire.com"]),
    st.sampled_from(["-x", "x-", "a" * 64, "a_b", "例", "localhost", "http://localhost:8080"]),
    url(("https", "http", "HTTPS", "ftp", "wss", "")),
    st.builds(
        lambda scheme, host, tail: f"{scheme}://{host}{tail}",
        st.sampled_from(["http", "https"]),
        st.sampled_from(["127.0.0.1:1", "[::1]:1", "localhost", "a.localhost", "127.1.2.3"]),
        st.sampled_from(["", "/", "/api/laml/2010-04-01", "//", "?x", "#y", "/%zz"]),
    ),
)
SETTINGS_FIELDS = {"project_id", "api_token", "space", "timeout", "max_retries", "retry_ambiguous"}
ENVIRONMENT = st.dictionaries(
    st.sampled_from(["SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "SIGNALWIRE_SPACE"]),
    st.one_of(SID, SPACES, TEXT),
    max_size=3,
)
SETTINGS_ARGS = mostly_valid(
    {
        "project_id": arg(SID, *NEAR_SIDS, None),
        "api_token": arg(st.text(ANY_CHAR, min_size=1, max_size=40) | TEXT, *NEAR_SIDS, None),
        "space": arg(SPACES, None, ""),
        "timeout": TIMEOUTS,
        "max_retries": arg(st.integers(0, 10), -1, 2**100, 2.0, None, "2"),
        "retry_ambiguous": arg(st.booleans(), 0, 1, None, "true"),
    },
    {},
    {
        "project_id": SID,
        "api_token": st.text(st.characters(exclude_categories=["Cs", "Zs", "Cc"]), min_size=1),
        "space": st.sampled_from(
            ["example", "h.example.com", "https://h.example", "http://[::1]:1"]
        ),
        "timeout": st.one_of(st.floats(1e-3, 600), st.builds(httpx.Timeout, st.floats(0.1, 60))),
        "max_retries": st.integers(0, 10),
        "retry_ambiguous": st.booleans(),
    },
)


@examples(800)
@given(args=SETTINGS_ARGS, env=ENVIRONMENT)
def test_settings_resolve_to_usable_settings_or_a_validation_error(
    args: dict[str, Any], env: dict[str, str]
) -> None:
    try:
        # Private: env= takes what os.environ cannot hold (NUL, lone surrogates), unpatched.
        settings = _config.resolve_settings(**args, env=env)
    except ValidationError as error:
        event("refused")
        assert error.field in SETTINGS_FIELDS
        if isinstance(args["api_token"], str) and len(args["api_token"]) >= 8:
            assert args["api_token"] not in str(error)
        return
    event("accepted")
    # Accepted settings must work: a URL httpx can send to, a Basic auth header, a timeout.
    request = httpx.Request("POST", settings.base_url + "/Accounts/a/Calls/b/Streams")
    assert request.url.scheme in ("http", "https")
    f"{settings.project_id}:{settings.api_token}".encode()
    timeouts = settings.timeout.as_dict().values()
    assert all(isinstance(t, float) and 0 < t <= 1e9 for t in timeouts)
    assert isinstance(settings.max_retries, int) and settings.max_retries >= 0


@examples(80)
@given(client_type=st.sampled_from([Client, AsyncClient]), args=SETTINGS_ARGS)
def test_clients_are_made_or_refused_with_a_validation_error(
    client_type: type[Client] | type[AsyncClient], args: dict[str, Any]
) -> None:
    try:
        client = client_type(**args)
    except ValidationError as error:
        assert error.field in SETTINGS_FIELDS
        return
    if isinstance(client, Client):
        client.close()
    else:
        asyncio.run(client.aclose())


# The minimal examples of bugs the properties above found, kept after their fixes.


def test_a_huge_int_timeout_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Client("p", "t", "example", timeout=10**400, max_retries=0)


@pytest.mark.parametrize(
    "timeout",
    [
        math.inf,
        1e300,
        1e10,
        httpx.Timeout(math.inf),
        httpx.Timeout(1.0, read=math.inf),
        httpx.Timeout(-1.0),
        httpx.Timeout(math.nan),
    ],
)
def test_a_timeout_that_cannot_be_used_is_a_validation_error(timeout: object) -> None:
    with pytest.raises(ValidationError):
        Client("p", "t", "example", timeout=timeout, max_retries=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "space", ["https://\x00", "https://xn--a.example", "https://a..b", "https://a\u200db.example"]
)
def test_an_unusable_space_is_a_validation_error(space: str) -> None:
    # Each fails before any DNS lookup: UnicodeError, InvalidURL or idna's InvalidCodepoint.
    with pytest.raises(SignalWireError), Client("p", "t", space, max_retries=0, timeout=1) as sw:
        sw.streams.create(CALL, WSS_URL)


def test_an_api_token_that_is_not_utf8_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Client("p", "\ud800", "example")


# A lone surrogate in any text argument escaped as UnicodeEncodeError from the form or path
# encoding, instead of ValidationError.
@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"parent_sid": "\ud800"}, "call_sid"),
        ({"url": "wss://\ud800.example.com/"}, "url"),
        ({"name": "\ud800"}, "name"),
        ({"status_callback": "https://h.example/\udfff"}, "status_callback"),
        ({"authorization_bearer_token": "t\udc80"}, "authorization_bearer_token"),
        ({"parameters": {"a": "\udfff"}}, "parameters"),
        ({"parameters": {"\ud800": "v"}}, "parameters"),
        ({"extra_fields": {"X": "\ud800"}}, "extra_fields"),
    ],
)
def test_a_lone_surrogate_in_a_create_is_a_validation_error(
    arguments: dict[str, Any], field: str
) -> None:
    arguments = {"parent_sid": CALL, "url": WSS_URL, **arguments}
    canned = Canned(answer())
    with pytest.raises(ValidationError) as caught:
        canned.client().streams.create(arguments.pop("parent_sid"), **arguments)
    assert caught.value.field == field
    assert not canned.requests


@pytest.mark.parametrize(
    ("parent", "stream", "field"),
    [("\ud800", "asr", "conference_sid"), (CALL, "\ud800", "stream")],
)
def test_a_lone_surrogate_in_a_stop_is_a_validation_error(
    parent: str, stream: str, field: str
) -> None:
    canned = Canned(answer())
    with pytest.raises(ValidationError) as caught:
        canned.client().conference_streams.stop(parent, stream)
    assert caught.value.field == field
    assert not canned.requests


# An id or name whose percent-encoded path made the URL longer than httpx allows raised
# httpx.InvalidURL ("URL too long") from the client instead of ValidationError.
@pytest.mark.parametrize(
    ("parent", "stream", "field"),
    [("\u0800" * 9000, "asr", "call_sid"), (CALL, "&" * 20_001, "stream")],
)
def test_a_path_segment_too_long_for_a_url_is_a_validation_error(
    parent: str, stream: str, field: str
) -> None:
    canned = Canned(answer())
    with pytest.raises(ValidationError, match="percent-encoded") as caught:
        canned.client().streams.stop(parent, stream)
    assert caught.value.field == field
    canned.client().streams.stop(CALL, "&" * 6_666)
    [request] = canned.requests
    assert path_of(request).endswith("%26" * 6_666)
