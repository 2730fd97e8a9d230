"""Fake secrets, and the check that none of them shows up where it must not.

The REST side's end-to-end check is tests/rest/test_secrets.py; the media side's is in
tests/media/test_loop.py and the command line's in tests/cli/ (test_emulator_command.py at
-vv, test_receive.py, test_messages.py). Each pushes these through its inputs and runs
`assert_clean` over what comes out.
"""

from __future__ import annotations

import traceback

API_TOKEN = "FAKE-api-token-9f8e7d6c5b4a"
BEARER = "FAKE-bearer-token-1a2b3c4d5e"
SIGNING_KEY = "FAKE-signing-key-0f1e2d3c4b"
WRONG_API_TOKEN = "FAKE-wrong-api-token-77aa66"
WRONG_BEARER = "FAKE-wrong-bearer-5e6f7a8b9c"
SECRETS = (API_TOKEN, BEARER, SIGNING_KEY, WRONG_API_TOKEN, WRONG_BEARER)


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret leaked into {where}"


def exception_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error) + repr(vars(error))
