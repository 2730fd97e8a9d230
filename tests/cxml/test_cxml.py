"""cXML `<Start><Stream>` and `<Connect><Stream>`: parsed back and held to the cXML page."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
from signalwire_streams import ValidationError, cxml

URL = "wss://agent.example.com/media"

# Every attribute of `<Stream>` on the cXML page (fern/products/compatibility-api/pages/
# cxml/voice/stream.mdx), for a call: each keyword argument must write exactly one of them.
DOCUMENTED = {
    "url",
    "authBearerToken",
    "codec",
    "name",
    "realtime",
    "statusCallback",
    "statusCallbackMethod",
    "track",
}


def stream_of(document: str, verb: str) -> ElementTree.Element:
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ElementTree.fromstring(document.encode())
    assert root.tag == "Response"
    assert root[0].tag == verb
    (stream,) = list(root[0])
    assert stream.tag == "Stream"
    return stream


def test_the_smallest_documents_are_the_pages_examples() -> None:
    assert cxml.start_stream(URL).endswith(
        f'<Response><Start><Stream url="{URL}" /></Start></Response>'
    )
    assert cxml.connect_stream(URL).endswith(
        f'<Response><Connect><Stream url="{URL}" /></Connect></Response>'
    )


@pytest.mark.parametrize(
    ("build", "verb", "track"),
    [
        (cxml.start_stream, "Start", "both_tracks"),
        (cxml.connect_stream, "Connect", "inbound_track"),
    ],
)
def test_every_argument_is_written_as_the_documented_attribute(
    build: object, verb: str, track: str
) -> None:
    assert callable(build)
    document = build(
        URL,
        name="agent",
        track=track,
        status_callback="https://hooks.example.com/stream-events",
        status_callback_method="GET",
        authorization_bearer_token="t0k3n",
        codec="L16@16000h",
        realtime=True,
        parameters={"caller": "+15551234567", "lang": "en"},
    )
    stream = stream_of(document, verb)
    assert set(stream.attrib) == DOCUMENTED
    assert stream.attrib == {
        "url": URL,
        "name": "agent",
        "track": track,
        "statusCallback": "https://hooks.example.com/stream-events",
        "statusCallbackMethod": "GET",
        "authBearerToken": "t0k3n",
        "codec": "L16@16000h",
        "realtime": "true",
    }
    assert [(p.tag, p.attrib) for p in stream] == [
        ("Parameter", {"name": "caller", "value": "+15551234567"}),
        ("Parameter", {"name": "lang", "value": "en"}),
    ]


def test_values_that_are_markup_come_back_as_the_same_text() -> None:
    hostile = {
        'a"b': "<Hangup/>",
        "c&d": "x' y\n\tz\r",
        "é ü 漢": "]]> &amp; <!-- -->",
    }
    document = cxml.start_stream(URL, name="<&\">'", parameters=hostile)
    stream = stream_of(document, "Start")
    assert stream.get("name") == "<&\">'"
    assert [(p.get("name"), p.get("value")) for p in stream] == list(hostile.items())
    assert "<Hangup" not in document  # escaped, not an instruction


def test_then_follows_the_verb_and_is_kept_as_given() -> None:
    document = cxml.start_stream(URL, then='<Say>Hello &amp; welcome</Say><Pause length="60"/>')
    root = ElementTree.fromstring(document)
    assert [child.tag for child in root] == ["Start", "Say", "Pause"]
    assert root[1].text == "Hello & welcome" and root[2].get("length") == "60"


def test_a_relative_status_callback_is_kept_for_signalwire_to_resolve() -> None:
    stream = stream_of(cxml.connect_stream(URL, status_callback="/events?x=1"), "Connect")
    assert stream.get("statusCallback") == "/events?x=1"


def test_ninety_nine_parameters_fit_and_a_hundredth_is_refused() -> None:
    many = {f"p{i}": str(i) for i in range(99)}
    assert len(list(stream_of(cxml.start_stream(URL, parameters=many), "Start"))) == 99
    with pytest.raises(ValidationError, match=r"parameters.*99"):
        cxml.start_stream(URL, parameters={**many, "one-more": "x"})


@pytest.mark.parametrize(
    ("arguments", "field", "rule"),
    [
        ({"url": "ws://agent.example.com/media"}, "url", "wss://"),
        ({"url": "https://agent.example.com/media"}, "url", "wss://"),
        ({"url": 42}, "url", "must be a string"),
        ({"track": "inbound"}, "track", "inbound_track, outbound_track, both_tracks"),
        ({"codec": "PCMU"}, "codec", "PCMU@8000h, L16@16000h, L16@24000h"),
        ({"realtime": "yes"}, "realtime", "True or False"),
        ({"status_callback_method": "PUT"}, "status_callback_method", "POST"),
        ({"status_callback": "ftp://x.example.com/"}, "status_callback", "http"),
        ({"name": "a/b"}, "name", "'/'"),
        ({"parameters": {"k": 1}}, "parameters", "must be a string"),
        ({"parameters": {"k": "bell\x07"}}, "parameters", "characters XML can carry"),
        ({"authorization_bearer_token": ""}, "authorization_bearer_token", "empty"),
        ({"then": "<Pause>"}, "then", "well-formed"),
        ({"then": "Pause"}, "then", "no bare text"),
    ],
)
def test_bad_arguments_name_the_field_and_the_rule(
    arguments: dict[str, object], field: str, rule: str
) -> None:
    url = arguments.pop("url", URL)
    with pytest.raises(ValidationError) as caught:
        cxml.start_stream(url, **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert rule in str(caught.value)


def test_a_bidirectional_stream_takes_only_the_inbound_track() -> None:
    with pytest.raises(ValidationError, match=r"track.*inbound_track"):
        cxml.connect_stream(URL, track="both_tracks")


def test_a_bad_token_is_refused_without_being_shown() -> None:
    with pytest.raises(ValidationError) as caught:
        cxml.connect_stream(URL, authorization_bearer_token="s3cr3t\x00")
    assert caught.value.field == "authorization_bearer_token"
    assert "s3cr3t" not in str(caught.value) and "s3cr3t" not in repr(caught.value)


def test_a_misspelt_option_is_a_type_error_as_for_any_function() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'status_callbak'"):
        cxml.connect_stream(URL, status_callbak="https://hooks.example.com/")  # type: ignore[call-arg]
