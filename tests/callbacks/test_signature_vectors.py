"""Known-answer vectors from SignalWire's and Twilio's own test suites, against our validators.

Sources, read from the public repositories:

- SignalWire: signalwire/signalwire-python, `tests/unit/security/test_webhook_validator.py`
  (the vectors A, B and C it calls canonical, "if they break, a port has a real bug"), for
  `signalwire/signalwire/core/security/webhook_validator.py`.
- Twilio: twilio/twilio-python, `tests/unit/test_request_validator.py`, for
  `twilio/request_validator.py` (whose form scheme SignalWire's Compatibility API copies).

`validate_webhook(key, signature, url, raw_body)` is our counterpart of SignalWire's
`validate_webhook_signature`; `validate_signature(key, url, fields, signature)` of its
`validate_request` with parsed fields. Where we decide otherwise than one of the two
validators, the case says so and why; each such case asserts our answer, not theirs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
from typing import Any
from urllib.parse import quote_plus

import pytest
from multidict import MultiDict
from signalwire_streams import ValidationError, callbacks
from signalwire_streams.callbacks import compute_signature, validate_signature, validate_webhook

# signalwire/signalwire-python tests/unit/security/test_webhook_validator.py

VECTOR_A = {
    "signing_key": "PSKtest1234567890abcdef",
    "url": "https://example.ngrok.io/webhook",
    "raw_body": '{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}',
    "expected": "c3c08c1fefaf9ee198a100d5906765a6f394bf0f",
}
VECTOR_B_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
VECTOR_B: dict[str, Any] = {
    "signing_key": "12345",
    "url": "https://mycompany.com/myapp.php?foo=1&bar=2",
    "params": VECTOR_B_PARAMS,
    "expected": "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
}
VECTOR_C = {
    "signing_key": "PSKtest1234567890abcdef",
    "raw_body": '{"event":"call.state"}',
    "url": (
        "https://example.ngrok.io/webhook?bodySHA256="
        "69f3cbfc18e386ef8236cb7008cd5a54b7fed637a8cb3373b5a1591d7f0fd5f4"
    ),
    "expected": "dfO9ek8mxyFtn2nMz24plPmPfIY=",
}


def _form_encoded(params: dict[str, Any]) -> str:
    """As the SignalWire suite encodes vector B's body (`+` becomes %2B)."""
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in params.items())


def _b64_sig(key: str, url: str, params: dict[str, str] | None = None) -> str:
    """The SignalWire suite's own helper for the port cases."""
    text = url + "".join(f"{k}{v}" for k, v in sorted((params or {}).items()))
    return base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha1).digest()).decode()


class TestSignalWireSchemeA:
    def test_vector_a(self) -> None:
        a = VECTOR_A
        assert validate_webhook(a["signing_key"], a["expected"], a["url"], a["raw_body"])
        assert validate_webhook(a["signing_key"], a["expected"], a["url"], a["raw_body"].encode())

    def test_vector_a_tampered_body(self) -> None:
        a = VECTOR_A
        tampered = a["raw_body"].replace("answered", "ringing")
        assert not validate_webhook(a["signing_key"], a["expected"], a["url"], tampered)

    def test_vector_a_wrong_key(self) -> None:
        a = VECTOR_A
        assert not validate_webhook("wrong-key", a["expected"], a["url"], a["raw_body"])

    def test_vector_a_wrong_url(self) -> None:
        a = VECTOR_A
        other = "https://example.ngrok.io/different"
        assert not validate_webhook(a["signing_key"], a["expected"], other, a["raw_body"])


class TestSignalWireSchemeB:
    def test_vector_b_from_the_raw_form_body(self) -> None:
        b = VECTOR_B
        body = _form_encoded(b["params"])
        assert validate_webhook(b["signing_key"], b["expected"], b["url"], body)

    def test_vector_b_from_parsed_fields(self) -> None:
        b = VECTOR_B
        assert validate_signature(b["signing_key"], b["url"], b["params"], b["expected"])
        pairs = list(b["params"].items())
        assert validate_signature(b["signing_key"], b["url"], pairs, b["expected"])
        assert compute_signature(b["signing_key"], b["url"], pairs) == b["expected"]

    def test_vector_c_body_sha256(self) -> None:
        c = VECTOR_C
        assert validate_webhook(c["signing_key"], c["expected"], c["url"], c["raw_body"])

    def test_vector_c_body_sha256_mismatch(self) -> None:
        c = VECTOR_C
        assert not validate_webhook(
            c["signing_key"], c["expected"], c["url"], '{"event":"DIFFERENT"}'
        )


class TestSignalWirePorts:
    def test_signed_with_443_accepted_for_a_url_without_a_port(self) -> None:
        sig = _b64_sig("test-key", "https://example.com:443/webhook")
        assert validate_webhook("test-key", sig, "https://example.com/webhook", "{}")

    def test_signed_without_a_port_accepted_for_a_url_with_443(self) -> None:
        sig = _b64_sig("test-key", "https://example.com/webhook")
        assert validate_webhook("test-key", sig, "https://example.com:443/webhook", "{}")

    def test_http_port_80(self) -> None:
        sig = _b64_sig("test-key", "http://example.com:80/path")
        assert validate_webhook("test-key", sig, "http://example.com/path", "")


class TestSignalWireRepeatedKeys:
    KEY = "test-key"
    URL = "https://example.com/hook"

    def _sig(self, text: str) -> str:
        digest = hmac.new(self.KEY.encode(), (self.URL + text).encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def test_repeated_keys_concat_in_submission_order(self) -> None:
        assert validate_webhook(self.KEY, self._sig("ToaTob"), self.URL, "To=a&To=b")

    def test_swapped_order_is_accepted_as_twilio_s_sorted_order(self) -> None:
        """Ours differs on purpose: SignalWire's suite refuses `To=b&To=a` signed as
        `ToaTob`, but that is exactly Twilio's order (values sorted), which the `signalwire`
        2.x SDK's validator (Twilio's) accepts, so we accept it too. The submission order of
        that body is still accepted, and an order that is neither is refused."""
        assert validate_webhook(self.KEY, self._sig("ToaTob"), self.URL, "To=a&To=b")
        assert validate_webhook(self.KEY, self._sig("ToaTob"), self.URL, "To=b&To=a")
        assert validate_webhook(self.KEY, self._sig("TobToa"), self.URL, "To=b&To=a")
        assert not validate_webhook(self.KEY, self._sig("TobToa"), self.URL, "To=a&To=b")


class TestSignalWireErrorModes:
    def test_missing_signature_is_false(self) -> None:
        a = VECTOR_A
        for missing in ("", None):
            assert not validate_webhook(a["signing_key"], missing, a["url"], a["raw_body"])

    def test_missing_signing_key_raises(self) -> None:
        """SignalWire raises ValueError; ours is a ValidationError, which is one."""
        for missing in ("", None):
            with pytest.raises(ValueError) as caught:
                validate_webhook(missing, "sig", VECTOR_A["url"], VECTOR_A["raw_body"])  # type: ignore[arg-type]
            assert isinstance(caught.value, ValidationError)
            assert caught.value.field == "signing_key"

    def test_a_parsed_body_is_refused(self) -> None:
        """SignalWire raises TypeError for a dict as the raw body; ours is a ValidationError."""
        with pytest.raises(ValidationError) as caught:
            validate_webhook("k", "sig", VECTOR_A["url"], {"event": "call.state"})  # type: ignore[arg-type]
        assert caught.value.field == "raw_body"

    @pytest.mark.parametrize("garbage", ["xyz", "!!!!", "a" * 100, "%%notbase64%%"])
    def test_malformed_signature_is_false(self, garbage: str) -> None:
        a = VECTOR_A
        assert not validate_webhook(a["signing_key"], garbage, a["url"], a["raw_body"])


def test_comparisons_are_constant_time() -> None:
    """As SignalWire's suite checks its own: hmac.compare_digest, never == on a signature."""
    source = inspect.getsource(callbacks)
    assert "hmac.compare_digest" in source
    assert "== given" not in source and "given ==" not in source


# twilio/twilio-python tests/unit/test_request_validator.py

TWILIO_KEY = "12345"
TWILIO_URI = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
TWILIO_EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
TWILIO_BODY = '{"property": "value", "boolean": true}'
TWILIO_BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"


class TestTwilioVectors:
    def test_compute_signature(self) -> None:
        assert compute_signature(TWILIO_KEY, TWILIO_URI, TWILIO_PARAMS) == TWILIO_EXPECTED

    def test_compute_hash(self) -> None:
        assert hashlib.sha256(TWILIO_BODY.encode()).hexdigest() == TWILIO_BODY_HASH

    def test_duplicates_in_a_multi_dict(self) -> None:
        """Twilio signs `Digits=5678&Digits=1234&Digits=1234` as Digits1234Digits5678
        (values sorted, duplicates once): accepted, as Twilio's order."""
        params = MultiDict(
            [
                ("Sid", "CA123"),
                ("SidAccount", "AC123"),
                ("Digits", "5678"),
                ("Digits", "1234"),
                ("Digits", "1234"),
            ]
        )
        assert validate_signature(TWILIO_KEY, TWILIO_URI, params, "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
        body = "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234"
        assert validate_webhook(TWILIO_KEY, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", TWILIO_URI, body)

    def test_validation(self) -> None:
        assert validate_signature(TWILIO_KEY, TWILIO_URI, TWILIO_PARAMS, TWILIO_EXPECTED)

    @pytest.mark.parametrize("scheme", ["https", "http"])
    def test_a_non_default_port_is_never_removed(self, scheme: str) -> None:
        """Twilio's validator removes any port (its test_validation_removes_port_on_https and
        _on_http accept a signature over the URL without `:1234`); SignalWire's never
        removes a non-default one, and neither do we: refused."""
        uri = TWILIO_URI.replace(".com", ".com:1234").replace("https", scheme)
        signature = compute_signature(TWILIO_KEY, uri.replace(":1234", ""), TWILIO_PARAMS)
        if scheme == "https":
            assert signature == TWILIO_EXPECTED
        assert not validate_signature(TWILIO_KEY, uri, TWILIO_PARAMS, signature)

    def test_a_url_with_its_non_default_port_signed_as_given(self) -> None:
        uri = TWILIO_URI.replace(".com", ".com:1234").replace("https", "http")
        # Twilio's comment: "hash of http uri with port 1234".
        assert validate_signature(TWILIO_KEY, uri, TWILIO_PARAMS, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")

    def test_adds_port_on_https(self) -> None:
        # "hash of uri with port 443"
        assert validate_signature(
            TWILIO_KEY, TWILIO_URI, TWILIO_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="
        )

    def test_adds_port_on_http(self) -> None:
        # "hash of uri with port 80"
        uri = TWILIO_URI.replace("https", "http")
        assert validate_signature(TWILIO_KEY, uri, TWILIO_PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4=")

    def test_validation_of_body(self) -> None:
        uri = TWILIO_URI + "&bodySHA256=" + TWILIO_BODY_HASH
        assert validate_webhook(TWILIO_KEY, "a9nBmqA0ju/hNViExpshrM61xv4=", uri, TWILIO_BODY)
        assert not validate_webhook(
            TWILIO_KEY, "a9nBmqA0ju/hNViExpshrM61xv4=", uri, TWILIO_BODY.replace("true", "false")
        )


# Where we are stricter than SignalWire's validator, on purpose.


def test_a_url_only_signature_does_not_cover_a_form_body() -> None:
    """SignalWire's validator also tries a scheme B signature over the URL alone for any
    body (its fallback for JSON on the Compatibility surface), so a signature over the bare
    URL would pass with any form fields at all. We take that fallback for a JSON (or empty)
    body, as it is meant, but not for a form with fields, whose fields would go unsigned."""
    key, url = "test-key", "https://example.com/hook"
    bare = _b64_sig(key, url)
    assert validate_webhook(key, bare, url, "")
    assert validate_webhook(key, bare, url, '{"event": "call.state"}')
    assert not validate_webhook(key, bare, url, "StreamSid=forged&StreamEvent=stream-stopped")
    fields = {"StreamSid": "S", "StreamEvent": "stream-stopped"}
    signed = _b64_sig(key, url, fields)
    assert validate_webhook(key, signed, url, "StreamSid=S&StreamEvent=stream-stopped")
