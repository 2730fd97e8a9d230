"""Status callbacks: parsing their fields and checking X-SignalWire-Signature."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from multidict import MultiDict
from signalwire_streams import ProtocolError
from signalwire_streams.callbacks import (
    StatusCallback,
    StreamEvent,
    compute_signature,
    parse_status_callback,
    validate_signature,
    validate_webhook,
)
from signalwire_streams.testing._callbacks import sign
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict as WerkzeugMultiDict

KEY = "PSK_not_a_real_signing_key"
FIELDS = {
    "AccountSid": "b08dacad-2f6c-4de1-93d6-cc732e0c69c5",
    "CallSid": "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad",
    "StreamSid": "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
    "StreamName": "asr",
    "StreamEvent": "stream-error",
    "StreamError": "connection_refused",
    "StreamTrack": "both_tracks",
    "Timestamp": "2025-09-26T16:25:04.792Z",
    "Unique-ID": "abc",
}


def test_a_callback_parses_into_a_typed_event() -> None:
    callback = parse_status_callback(FIELDS)
    assert callback == StatusCallback(
        event=StreamEvent.ERROR,
        stream_sid=FIELDS["StreamSid"],
        account_sid=FIELDS["AccountSid"],
        call_sid=FIELDS["CallSid"],
        stream_name="asr",
        error="connection_refused",
        track="both_tracks",
        timestamp=datetime(2025, 9, 26, 16, 25, 4, 792000, tzinfo=UTC),
        extra={"Unique-ID": "abc"},
        timestamp_text="2025-09-26T16:25:04.792Z",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # What real signed Compatibility callbacks carry.
        ("Thu, 09 Nov 2023 17:05:04 +0000", datetime(2023, 11, 9, 17, 5, 4, tzinfo=UTC)),
        ("Thu, 09 Nov 2023 17:05:04 GMT", datetime(2023, 11, 9, 17, 5, 4, tzinfo=UTC)),
        ("Thu, 09 Nov 2023 17:05:04 -0000", datetime(2023, 11, 9, 17, 5, 4, tzinfo=UTC)),
        (
            "Thu, 09 Nov 2023 18:05:04 +0100",
            datetime(2023, 11, 9, 17, 5, 4, tzinfo=UTC),
        ),
        ("Tue, 25 Sept 2018 20:00:00 +0000", datetime(2018, 9, 25, 20, tzinfo=UTC)),
        # What the cXML <Stream> page documents.
        ("2025-09-26T16:25:04.792Z", datetime(2025, 9, 26, 16, 25, 4, 792000, tzinfo=UTC)),
        ("2025-09-26T16:25:04.792+00:00", datetime(2025, 9, 26, 16, 25, 4, 792000, tzinfo=UTC)),
        ("2025-09-26T16:25:04", datetime(2025, 9, 26, 16, 25, 4, tzinfo=UTC)),  # taken as UTC
    ],
)
def test_a_timestamp_is_read_from_rfc_2822_or_iso_8601(text: str, expected: datetime) -> None:
    callback = parse_status_callback(
        {"StreamSid": "S", "StreamEvent": "stream-started", "Timestamp": text}
    )
    assert callback.timestamp == expected
    assert callback.timestamp is not None and callback.timestamp.tzinfo is not None
    assert callback.timestamp_text == text
    assert "Timestamp" not in callback.extra


@pytest.mark.parametrize("text", ["yesterday", "2025-13-01", "Thu, 32 Nov 2023 17:05:04", " "])
def test_an_unreadable_timestamp_is_kept_as_text(text: str) -> None:
    callback = parse_status_callback(
        {"StreamSid": "S", "StreamEvent": "stream-started", "Timestamp": text}
    )
    assert callback.timestamp is None
    assert callback.timestamp_text == text


def test_pairs_work_like_a_mapping_and_unknown_events_stay_strings() -> None:
    callback = parse_status_callback(
        [("StreamSid", "S"), ("StreamEvent", "stream-paused"), ("ConferenceSid", "CF")]
    )
    assert callback.event == "stream-paused" and not isinstance(callback.event, StreamEvent)
    assert callback.conference_sid == "CF" and callback.call_sid is None
    assert callback.timestamp is None and callback.error is None
    assert callback.timestamp_text is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"StreamEvent": "stream-started"}, "no StreamSid"),
        ({"StreamSid": "S"}, "no StreamEvent"),
        ([("StreamSid", "S", "x")], "pairs"),
        ({"StreamSid": 5, "StreamEvent": "x"}, "strings"),
    ],
)
def test_a_malformed_callback_raises_protocol_error(fields: object, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        parse_status_callback(fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/status",
        "https://example.com/status?tenant=7&x=%20y",
        "http://example.com:8080/cb",
        "https://user:pw@example.com/cb",
    ],
)
@pytest.mark.parametrize(
    "fields",
    [{}, FIELDS, {"Z": "1", "a": "2", "É": "ü & = % \n"}],
)
def test_signatures_match_twilios_independent_implementation(
    url: str, fields: dict[str, str]
) -> None:
    signature = compute_signature(KEY, url, fields)
    assert signature == RequestValidator(KEY).compute_signature(url, fields)
    assert validate_signature(KEY, url, fields, signature)


def test_a_signature_fails_when_anything_changes() -> None:
    url = "https://example.com/status"
    signature = compute_signature(KEY, url, FIELDS)
    assert not validate_signature("another key", url, FIELDS, signature)
    assert not validate_signature(KEY, url + "x", FIELDS, signature)
    assert not validate_signature(KEY, url, {**FIELDS, "StreamName": "other"}, signature)
    assert not validate_signature(KEY, url, {**FIELDS, "Extra": ""}, signature)
    assert not validate_signature(KEY, url, FIELDS, signature[:-2] + "==")
    assert not validate_signature(KEY, url, FIELDS, None)
    assert not validate_signature(KEY, url, FIELDS, "")


def test_a_proxy_adding_or_removing_the_default_port_still_validates() -> None:
    fields = {"StreamSid": "S"}
    signed_without = compute_signature(KEY, "https://example.com/cb", fields)
    signed_with = compute_signature(KEY, "https://example.com:443/cb", fields)
    assert validate_signature(KEY, "https://example.com:443/cb", fields, signed_without)
    assert validate_signature(KEY, "https://example.com/cb", fields, signed_with)
    assert not validate_signature(KEY, "https://example.org:443/cb", fields, signed_without)
    # As in SignalWire's validator (unlike Twilio's), a non-default port is never removed.
    assert not validate_signature(KEY, "https://example.com:8443/cb", fields, signed_without)
    signed_8443 = compute_signature(KEY, "https://example.com:8443/cb", fields)
    assert validate_signature(KEY, "https://example.com:8443/cb", fields, signed_8443)
    assert not validate_signature(KEY, "https://example.com/cb", fields, signed_8443)


def test_repeated_fields_are_signed_in_submission_order_and_twilio_s_is_accepted() -> None:
    url = "https://x.test/"
    sent = [("b", "2"), ("a", "1"), ("b", "1")]
    submission = compute_signature(KEY, url, sent)  # a1 b2 b1: by name, b's in sent order
    assert submission == compute_signature(KEY, url, [("a", "1"), ("b", "2"), ("b", "1")])
    twilio = RequestValidator(KEY).compute_signature(url, MultiDict(sent))
    assert submission != twilio  # a1 b1 b2: Twilio sorts the values
    assert validate_signature(KEY, url, sent, submission)
    assert validate_signature(KEY, url, sent, twilio)
    # Neither order: b1 before b2 in the submission, but not Twilio's value order either.
    reversed_values = compute_signature(KEY, url, [("a", "1"), ("b", "1"), ("b", "2")])
    assert reversed_values == twilio
    lonely = compute_signature(KEY, url, [("a", "1"), ("b", "2")])
    assert not validate_signature(KEY, url, sent, lonely)


def test_a_multi_mapping_gives_every_value_of_a_name() -> None:
    """Frameworks hand the form over as a multi-mapping whose items() keeps one value."""
    url = "https://x.test/"
    sent = [("To", "b"), ("From", "x"), ("To", "a")]
    signature = compute_signature(KEY, url, sent)
    assert validate_signature(KEY, url, WerkzeugMultiDict(sent), signature)
    assert validate_signature(KEY, url, MultiDict(sent), signature)
    assert not validate_signature(KEY, url, dict(sent), signature)


def test_a_body_sha256_url_needs_the_raw_body() -> None:
    """The form cannot show a JSON body's hash: validate_webhook, given the body, can."""
    body = '{"event": "call.state"}'
    url = "https://example.com/hook?bodySHA256=" + hashlib.sha256(body.encode()).hexdigest()
    signature = compute_signature(KEY, url)
    assert not validate_signature(KEY, url, {}, signature)
    assert validate_webhook(KEY, signature, url, body)
    assert not validate_webhook(KEY, signature, url, body + " ")


def test_the_emulator_s_signed_callbacks_validate_from_the_raw_body() -> None:
    """The emulator signs with its own code (signalwire_streams.testing._callbacks.sign)."""
    url = "https://hooks.example.com/status?tenant=7"
    signature = sign(KEY, url, FIELDS)
    assert validate_webhook(KEY, signature, url, urlencode(FIELDS))
    assert validate_webhook(KEY, signature, url, urlencode(FIELDS).encode())
    assert validate_signature(KEY, url, FIELDS, signature)
    tampered = urlencode({**FIELDS, "StreamEvent": "stream-started"})
    assert not validate_webhook(KEY, signature, url, tampered)


def test_an_empty_signing_key_is_refused() -> None:
    """As SignalWire's validator does, before it looks at the signature: a missing key is a
    mistake in the caller's setup, not a request to refuse."""
    with pytest.raises(ValueError, match="signing_key"):
        compute_signature("", "https://x.test/")
    for signature in ("c2ln", None):
        with pytest.raises(ValueError, match="signing_key"):
            validate_signature("", "https://x.test/", {}, signature)
        with pytest.raises(ValueError, match="signing_key"):
            validate_webhook("", signature, "https://x.test/", "")
