"""No signing key in the locals of a frame of ours that a traceback can show.

`compute_signature`, `validate_signature` and `validate_webhook` rebind the signing key to a
`Secret` on their first line and check it with `reveal_checked`, as the clients do with the
API token (tests/rest/test_traceback_locals.py). Each case below makes one of them raise with
a signing key in play, and renders the traceback with `capture_locals=True`: no frame of this
package may show the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from signalwire_streams import ProtocolError, ValidationError
from signalwire_streams.callbacks import compute_signature, validate_signature, validate_webhook

from tests.helpers.tracebacks import assert_locals_clean, raised

KEY = "signing-key-5d1e8c9b0a7f"
URL = "https://hooks.example.com/status"
BAD_FIELDS: Any = [("StreamSid", "S", "three")]


CASES: dict[str, tuple[Callable[[], Any], type[Exception], str | None]] = {
    "compute-bad-fields": (lambda: compute_signature(KEY, URL, BAD_FIELDS), ProtocolError, None),
    "compute-bad-url": (lambda: compute_signature(KEY, 7, {}), ValidationError, "url"),  # type: ignore[arg-type]
    "validate-bad-fields": (
        lambda: validate_signature(KEY, URL, BAD_FIELDS, "c2lnbmF0dXJl"),
        ProtocolError,
        None,
    ),
    "validate-bad-url": (
        lambda: validate_signature(KEY, b"https://x", {}, "c2lnbmF0dXJl"),  # type: ignore[arg-type]
        ValidationError,
        "url",
    ),
    "webhook-parsed-body": (
        lambda: validate_webhook(KEY, "c2lnbmF0dXJl", URL, {"StreamSid": "S"}),  # type: ignore[arg-type]
        ValidationError,
        "raw_body",
    ),
    "webhook-bad-url": (
        lambda: validate_webhook(KEY, "c2lnbmF0dXJl", None, ""),  # type: ignore[arg-type]
        ValidationError,
        "url",
    ),
    # The key itself refused: as bytes, its repr would show its text.
    "compute-key-as-bytes": (
        lambda: compute_signature(KEY.encode(), URL),  # type: ignore[arg-type]
        ValidationError,
        "signing_key",
    ),
    "validate-key-as-bytes": (
        lambda: validate_signature(KEY.encode(), URL, {}, "c2lnbmF0dXJl"),  # type: ignore[arg-type]
        ValidationError,
        "signing_key",
    ),
    "webhook-key-as-bytes": (
        lambda: validate_webhook(KEY.encode(), "c2lnbmF0dXJl", URL, ""),  # type: ignore[arg-type]
        ValidationError,
        "signing_key",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_failed_signature_call_shows_no_signing_key(
    case: tuple[Callable[[], Any], type[Exception], str | None],
) -> None:
    call, error_type, field = case
    error = raised(call)
    assert isinstance(error, error_type)
    if field is not None:
        assert isinstance(error, ValidationError) and error.field == field
    assert KEY not in str(error) and KEY not in repr(error)
    assert_locals_clean(error, KEY)


def test_the_check_sees_a_key_held_in_plain_text() -> None:
    """Without the rebinding, the raising frame would hold the key: the check catches it."""

    def careless(signing_key: str) -> None:
        compute_signature(signing_key, 7)  # type: ignore[arg-type]

    careless.__code__ = careless.__code__.replace(
        co_filename=compute_signature.__code__.co_filename
    )
    with pytest.raises(AssertionError, match="shows a secret"):
        assert_locals_clean(raised(lambda: careless(KEY)), KEY)
