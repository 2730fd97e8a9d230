"""Hostile status callbacks: any fields parse into a `StatusCallback` or raise
ProtocolError, and signatures are computed and checked, or refused with our errors.

Property-based (hypothesis), with the strategies of tests/helpers/strategies.py. The
minimal examples of the bugs these found stay at the end as plain regression tests.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from signalwire_streams import ProtocolError, SignalWireError, ValidationError
from signalwire_streams.callbacks import (
    _KNOWN_FIELDS,
    StatusCallback,
    StreamEvent,
    compute_signature,
    parse_status_callback,
    validate_signature,
    validate_webhook,
)

from tests.helpers.strategies import ANY_CHAR, ANY_OBJECT, HASHABLE, TEXT, examples, url

# The fields the parser knows, one it does not, and one in the wrong letter case.
CALLBACK_NAMES = (*sorted(_KNOWN_FIELDS), "Unique-ID", "streamsid")
CALLBACK_VALUES = st.one_of(
    TEXT,
    st.sampled_from([e.value for e in StreamEvent] + ["stream-paused", "STREAM-STARTED"]),
    st.datetimes(timezones=st.none() | st.just(UTC)).map(datetime.isoformat),
    st.sampled_from(
        [
            "2025-09-26T16:25:04.792Z",
            "Thu, 09 Nov 2023 17:05:04 +0000",
            "Tue, 25 Sept 2018 20:00:00 +0000",
            "Mon, 01 Jan 2147483648 00:00:00 GMT",
            "2025-13-01",
            "now",
            "+10000-01-01",
        ]
    ),
)
CALLBACK_NAME = st.one_of(st.sampled_from(CALLBACK_NAMES), TEXT)
COMPLETE = st.fixed_dictionaries(
    {"StreamSid": st.uuids().map(str), "StreamEvent": CALLBACK_VALUES},
    optional={
        name: CALLBACK_VALUES for name in CALLBACK_NAMES if name not in ("StreamSid", "StreamEvent")
    },
)
FIELDS = st.one_of(
    COMPLETE,
    COMPLETE.map(lambda d: list(d.items())),
    st.dictionaries(CALLBACK_NAME, CALLBACK_VALUES, max_size=8),
    st.lists(st.tuples(CALLBACK_NAME, CALLBACK_VALUES), max_size=8),
    st.lists(st.tuples(CALLBACK_NAME, CALLBACK_VALUES), max_size=8).map(tuple),
    st.dictionaries(HASHABLE, st.one_of(TEXT, ANY_OBJECT), max_size=4),
    st.lists(st.one_of(st.tuples(ANY_OBJECT, ANY_OBJECT), ANY_OBJECT), max_size=4),
    st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=2),
    TEXT,
    st.binary(max_size=10),
)


@examples(600)
@given(fields=FIELDS)
def test_a_callback_parses_or_raises_protocol_error(fields: Any) -> None:
    try:
        callback = parse_status_callback(fields)
    except ProtocolError as error:
        assert isinstance(error.reason, str)
        return
    assert isinstance(callback, StatusCallback)
    assert isinstance(callback.event, str) and callback.event
    assert isinstance(callback.stream_sid, str) and callback.stream_sid
    assert callback.timestamp is None or isinstance(callback.timestamp, datetime)
    assert callback.timestamp is None or callback.timestamp.tzinfo is not None
    assert callback.timestamp_text == dict(fields).get("Timestamp")
    for value in (callback.account_sid, callback.call_sid, callback.stream_name, callback.error):
        assert value is None or isinstance(value, str)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in callback.extra.items())


SIGNATURES = st.one_of(
    st.none(),
    TEXT,
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", max_size=30),
)


@examples(500)
@given(key=TEXT, target=st.one_of(url(), TEXT), fields=FIELDS, signature=SIGNATURES)
def test_signatures_are_computed_and_checked_or_refused_with_our_errors(
    key: str, target: str, fields: Any, signature: str | None
) -> None:
    try:
        computed = compute_signature(key, target, fields)
    except SignalWireError:
        pass
    else:
        assert isinstance(computed, str) and len(base64.b64decode(computed)) == 20
        assert validate_signature(key, target, fields, computed) is True
        assert validate_signature(key, target, fields, f" {computed}\n") is True
    try:
        result = validate_signature(key, target, fields, signature)
    except SignalWireError:
        return
    assert isinstance(result, bool)


@examples(200)
@given(
    key=st.text(ANY_CHAR, min_size=1, max_size=20),
    scheme=st.sampled_from(["http", "https"]),
    host=st.sampled_from(["hooks.example.com", "127.0.0.1", "[::1]", "u:p@h.example"]),
    with_port=st.booleans(),
    # A URL as received has no raw tab, CR or LF (urlsplit would drop them), nor / ? #.
    path=st.text(ANY_CHAR.filter(lambda c: c not in "\t\r\n/?#"), max_size=20),
    fields=st.dictionaries(TEXT, TEXT, max_size=4),
)
def test_a_signature_still_matches_with_the_port_added_or_removed(
    key: str, scheme: str, host: str, with_port: bool, path: str, fields: dict[str, str]
) -> None:
    port = ":443" if scheme == "https" else ":80"
    signed = f"{scheme}://{host}{port if with_port else ''}/{path}"
    other = f"{scheme}://{host}{'' if with_port else port}/{path}"
    signature = compute_signature(key, signed, fields)
    assert validate_signature(key, other, fields, signature)


BODIES = st.one_of(
    TEXT,
    st.binary(max_size=40),
    st.dictionaries(TEXT, TEXT, max_size=4).map(lambda d: urlencode(d, errors="surrogatepass")),
    st.sampled_from(['{"event": "call.state"}', "", "a=1&a=2", "=", "&&", "%zz=%"]),
    ANY_OBJECT,
)


@examples(500)
@given(
    key=st.one_of(TEXT, ANY_OBJECT),
    signature=st.one_of(SIGNATURES, ANY_OBJECT),
    target=st.one_of(url(), TEXT, ANY_OBJECT),
    body=BODIES,
)
def test_validate_webhook_answers_a_bool_or_refuses_with_our_errors(
    key: Any, signature: Any, target: Any, body: Any
) -> None:
    try:
        result = validate_webhook(key, signature, target, body)
    except SignalWireError:
        return
    assert isinstance(result, bool)


@examples(300)
@given(
    key=st.text(ANY_CHAR, min_size=1, max_size=20),
    target=url(),
    pairs=st.lists(st.tuples(TEXT, TEXT), max_size=5),
)
def test_a_computed_signature_validates_from_the_raw_form_body(
    key: str, target: str, pairs: list[tuple[str, str]]
) -> None:
    """What compute_signature signs, validate_webhook accepts from the encoded body: the
    body parses back to the same pairs (text with no UTF-8 form aside)."""
    body = urlencode(pairs, errors="surrogatepass")
    if parse_qsl(body, keep_blank_values=True) != pairs:
        return  # e.g. a name that is empty, which a form cannot carry
    signature = compute_signature(key, target, pairs)
    assert validate_webhook(key, signature, target, body) is True
    assert validate_webhook(key, signature, target, body.encode(errors="surrogatepass")) is True


# The minimal examples of bugs the properties above found, kept after their fixes.


# A lone surrogate in the URL, a field or the signature escaped from compute_signature and
# validate_signature as UnicodeEncodeError; an empty signing key raised a bare ValueError.
@pytest.mark.parametrize(
    ("url", "fields", "signature"),
    [
        ("https://h.example/\ud800", {}, "x"),
        ("https://h.example/", {"StreamEvent": "\ud800"}, "x"),
        ("https://h.example/", {}, "\ud800"),
    ],
)
def test_text_that_is_not_unicode_does_not_validate(
    url: str, fields: dict[str, str], signature: str
) -> None:
    assert validate_signature("key", url, fields, signature) is False
    computed = compute_signature("key", url, fields)
    assert validate_signature("key", url, fields, computed) is True


def test_an_empty_signing_key_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        compute_signature("", "https://h.example/")
    assert caught.value.field == "signing_key"
