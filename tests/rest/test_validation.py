"""Every bad argument raises `ValidationError` naming the field, and nothing is sent."""

from __future__ import annotations

from typing import Any

import pytest
from signalwire_streams import ValidationError

from tests.helpers.clients import WSS_URL, Api

CALL = "c0ffee00-0000-4000-8000-000000000000"

# (keyword arguments to streams.create beyond the call sid, field named, words in the rule)
BAD_CREATES: list[tuple[dict[str, Any], str, str]] = [
    ({"url": "ws://receiver.example.com/audio"}, "url", "wss://"),
    ({"url": "https://receiver.example.com/audio"}, "url", "wss://"),
    ({"url": "receiver.example.com/audio"}, "url", "absolute"),
    ({"url": "wss:///audio"}, "url", "host"),
    ({"url": "wss://receiver.example.com/a b"}, "url", "whitespace"),
    ({"url": " wss://receiver.example.com/audio"}, "url", "whitespace"),
    ({"url": "wss://receiver.example.com/audio\n"}, "url", "whitespace"),
    ({"url": "wss://receiver.example.com/au\x01dio"}, "url", "control characters"),
    ({"status_callback": "https://hooks.example.com/\x7f"}, "status_callback", "control"),
    ({"url": "wss://receiver.example.com/audio?token=1"}, "url", "query string"),
    ({"url": "wss://receiver.example.com/audio?"}, "url", "query string"),
    ({"url": "wss://receiver.example.com/audio#frag"}, "url", "fragment"),
    ({"url": "wss://receiver.example.com:port/audio"}, "url", "valid URL"),
    ({"url": ""}, "url", "empty"),
    ({"url": None}, "url", "string"),
    ({"url": b"wss://receiver.example.com"}, "url", "string"),
    ({"status_callback": "/relative/path"}, "status_callback", "absolute"),
    ({"status_callback": "ftp://hooks.example.com/x"}, "status_callback", "http"),
    ({"status_callback": "wss://hooks.example.com/x"}, "status_callback", "http"),
    ({"status_callback": "https://hooks.example.com/a b"}, "status_callback", "whitespace"),
    ({"status_callback": ""}, "status_callback", "empty"),
    ({"track": "inbound"}, "track", "one of inbound_track, outbound_track, both_tracks"),
    ({"track": None}, "track", "one of"),
    ({"status_callback_method": "PUT"}, "status_callback_method", "one of GET, POST"),
    ({"status_callback_method": "post"}, "status_callback_method", "one of GET, POST"),
    ({"parameters": {f"k{i}": "v" for i in range(100)}}, "parameters", "at most 99"),
    ({"parameters": {"": "v"}}, "parameters", "non-empty string"),
    ({"parameters": {1: "v"}}, "parameters", "non-empty string"),
    ({"parameters": {"customer": None}}, "parameters", "must be a string, not NoneType"),
    ({"parameters": {"customer": 42}}, "parameters", "must be a string, not int"),
    ({"parameters": [("customer", "42")]}, "parameters", "mapping"),
    ({"parameters": "customer=42"}, "parameters", "mapping"),
    ({"name": ""}, "name", "empty"),
    ({"name": "a/b"}, "name", "'/'"),
    ({"name": ".."}, "name", "'.' or '..'"),
    ({"name": "asr.json"}, "name", "'.json'"),
    ({"name": "asr.JSON"}, "name", "'.json'"),
    ({"name": 7}, "name", "string"),
    ({"authorization_bearer_token": ""}, "authorization_bearer_token", "empty"),
    ({"authorization_bearer_token": 123}, "authorization_bearer_token", "string"),
    ({"extra_fields": {"Url": "wss://x.example.com"}}, "extra_fields", "documented field"),
    ({"extra_fields": {"track": "inbound_track"}}, "extra_fields", "documented field"),
    ({"extra_fields": {"Parameter3.Name": "x"}}, "extra_fields", "documented field"),
    ({"extra_fields": {"parameter12.value": "x"}}, "extra_fields", "documented field"),
    ({"extra_fields": {"AuthorizationBearerToken": "x"}}, "extra_fields", "documented field"),
    ({"extra_fields": {"Codec": None}}, "extra_fields", "must be a string"),
    ({"extra_fields": {"": "x"}}, "extra_fields", "non-empty"),
    ({"extra_fields": ["Codec"]}, "extra_fields", "mapping"),
]


@pytest.mark.parametrize(("arguments", "field", "rule"), BAD_CREATES)
def test_bad_create_argument_is_refused_before_sending(
    api: Api, arguments: dict[str, Any], field: str, rule: str
) -> None:
    call = api.emulator.add_call()
    kwargs = {"url": WSS_URL, **arguments}
    with pytest.raises(ValidationError) as info:
        api.run(lambda c: c.streams.create(call, **kwargs))
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert rule in str(info.value)
    assert isinstance(info.value, ValueError)
    assert api.emulator.requests == []


@pytest.mark.parametrize(
    ("sid", "rule"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (" CA1", "whitespace"),
        ("a/b", "'/'"),
        ("..", "'.'"),
        (None, "string"),
        (42, "string"),
    ],
)
def test_bad_call_sid_is_refused(api: Api, sid: Any, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as info:
        api.run(lambda c: c.streams.create(sid, WSS_URL))
    assert info.value.field == "call_sid"
    with pytest.raises(ValidationError) as info:
        api.run(lambda c: c.streams.stop(sid, "stream"))
    assert info.value.field == "call_sid"
    with pytest.raises(ValidationError) as info:
        api.run(lambda c: c.conference_streams.create(sid, WSS_URL))
    assert info.value.field == "conference_sid"
    assert api.emulator.requests == []


@pytest.mark.parametrize("stream", ["", "a/b", ".", "..", None, 3])
def test_bad_stream_to_stop_is_refused(api: Api, stream: Any) -> None:
    with pytest.raises(ValidationError) as info:
        api.run(lambda c: c.streams.stop(CALL, stream))
    assert info.value.field == "stream"
    with pytest.raises(ValidationError):
        api.run(lambda c: c.conference_streams.stop(CALL, stream))
    assert api.emulator.requests == []


@pytest.mark.parametrize(
    ("arguments", "field", "rule"),
    [
        ({"codec": "opus"}, "codec", "one of PCMU, PCMA, L16, L16@16000h, L16@24000h"),
        ({"codec": "pcmu"}, "codec", "one of"),
        ({"real_time": "yes"}, "real_time", "True or False"),
        ({"real_time": 1}, "real_time", "True or False"),
        ({"extra_fields": {"StreamCodec": "PCMU"}}, "extra_fields", "documented field"),
        ({"extra_fields": {"streamrealtime": "true"}}, "extra_fields", "documented field"),
        ({"url": "ws://x.example.com"}, "url", "wss://"),
    ],
)
def test_bad_conference_argument_is_refused(
    api: Api, arguments: dict[str, Any], field: str, rule: str
) -> None:
    conference = api.emulator.add_conference()
    kwargs = {"url": WSS_URL, **arguments}
    with pytest.raises(ValidationError) as info:
        api.run(lambda c: c.conference_streams.create(conference, **kwargs))
    assert info.value.field == field and rule in str(info.value)
    assert api.emulator.requests == []


def test_validation_messages_do_not_echo_secret_values(api: Api) -> None:
    secret = "s3cr3t-value-never-shown"
    cases: list[dict[str, Any]] = [
        {"url": f"wss://user:{secret}@x.example.com/a?{secret}"},
        {"status_callback": f"ftp://{secret}.example.com"},
        {"parameters": {"k": secret, "j": None}},
        {"extra_fields": {"Codec": secret, "Url": secret}},
    ]
    for case in cases:
        kwargs = {"url": WSS_URL, **case}
        with pytest.raises(ValidationError) as info:
            api.run(lambda c, kwargs=kwargs: c.streams.create(CALL, **kwargs))
        assert secret not in str(info.value) and secret not in repr(info.value)
