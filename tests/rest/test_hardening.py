"""Small holes a hostile caller or a careless one could find, each closed.

- `repr()` of a client whose construction failed works, so that an error tracker that
  renders the locals of the failing frame (`self` included) does not fail in turn.
- A project id containing `:` is refused: it is the Basic auth user name, and a colon there
  silently moves the rest of it into the password.
- A `str` subclass whose `__str__` (or `encode`) says something else cannot smuggle other
  text into a path or a form: what is checked is what is sent.
"""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from signalwire_streams import AsyncClient, Client, ValidationError
from signalwire_streams.testing import Emulator


class Liar(str):
    """Text that claims, to str() and encode(), to be something else."""

    def __str__(self) -> str:
        return "../../evil"

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        return b"../../evil"


@pytest.mark.parametrize("client_type", [Client, AsyncClient])
def test_the_repr_of_a_half_made_client_works(client_type: type) -> None:
    client = object.__new__(client_type)
    assert repr(client) == f"<{client_type.__name__} (not set up)>"
    try:
        client.__init__("project", "token", "not a space!")
    except ValidationError as error:
        rendered = traceback.TracebackException.from_exception(error, capture_locals=True)
        assert "(not set up)" in "".join(rendered.format())
    else:
        raise AssertionError("the bad space was accepted")


@pytest.mark.parametrize("project", ["user:pass", "a:", ":b"])
def test_a_project_id_with_a_colon_is_refused(project: str) -> None:
    with pytest.raises(ValidationError, match="project_id: must not contain ':'"):
        Client(project, "token", "example")


def test_what_is_checked_is_what_is_sent() -> None:
    with Emulator(media=False) as emulator:
        call = emulator.add_call()
        with Client(emulator.project_id, emulator.api_token, emulator.base_url) as client:
            stream = client.streams.create(
                Liar(call), Liar("wss://receiver.example.com/audio"), name=Liar("asr")
            )
            client.streams.stop(Liar(call), Liar("asr"))
        (record,) = emulator.streams(call)
    assert (stream.call_sid, record.url, record.name) == (
        call,
        "wss://receiver.example.com/audio",
        "asr",
    )
    assert record.status == "stopped"
    assert all("evil" not in request.path for request in emulator.requests)
