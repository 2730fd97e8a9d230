"""The emulator over https, as a Space is: `Emulator(tls=LocalTLS())` or a server context.

Clients that insist on https (the `signalwire` 2.x SDK builds `https://` from any Space URL)
can then run against it; tests/rest/test_signalwire_sdk.py does.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from signalwire_streams import Client, ValidationError
from signalwire_streams.testing import Emulator, LocalTLS

WSS = "wss://receiver.example.com/audio"


@pytest.fixture(scope="module")
def tls() -> Iterator[LocalTLS]:
    with LocalTLS() as local:
        yield local


@pytest.fixture
def emu(tls: LocalTLS) -> Iterator[Emulator]:
    with Emulator(tls=tls, media=False) as emulator:
        yield emulator


def _client(emu: Emulator, tls: LocalTLS) -> httpx.Client:
    return httpx.Client(verify=tls.client_context(), auth=(emu.project_id, emu.api_token))


def test_base_url_is_https_and_both_prefixes_answer(emu: Emulator, tls: LocalTLS) -> None:
    assert emu.base_url == f"https://127.0.0.1:{emu.port}/api/laml/2010-04-01"
    call = emu.add_call()
    root = f"https://127.0.0.1:{emu.port}/2010-04-01"
    with _client(emu, tls) as client:
        for base in (emu.base_url, root):
            path = f"{base}/Accounts/{emu.project_id}/Calls/{call}/Streams.json"
            response = client.post(path, data={"Url": WSS})
            assert response.status_code == 200, response.text
            assert response.url.scheme == "https"
    assert [r.status for r in emu.requests] == [200, 200]
    assert len(emu.streams(call)) == 2


def test_the_facade_client_runs_over_https(emu: Emulator, tls: LocalTLS) -> None:
    call = emu.add_call()
    with (
        httpx.Client(verify=tls.client_context()) as http,
        Client(emu.project_id, emu.api_token, emu.base_url, http_client=http) as client,
    ):
        stream = client.streams.create(call, WSS, name="asr")
        assert client.streams.stop(call, "asr").sid == stream.sid


def test_a_server_context_works_as_well(tls: LocalTLS) -> None:
    with Emulator(tls=tls.server_context(), media=False) as emu, _client(emu, tls) as client:
        assert emu.base_url.startswith("https://")
        path = f"{emu.base_url}/Accounts/{emu.project_id}/Calls/{emu.add_call()}/Streams"
        assert client.post(path, data={"Url": WSS}).status_code == 200


def test_a_failed_or_stalled_handshake_does_not_stop_the_server(
    emu: Emulator, tls: LocalTLS
) -> None:
    """The handshake runs in the connection's own thread: a client that never starts one,
    or speaks plain http to the https port, holds up no one else."""
    stalled = socket.create_connection(("127.0.0.1", emu.port))
    try:
        with pytest.raises(httpx.HTTPError):
            httpx.post(emu.base_url.replace("https://", "http://", 1), timeout=2)
        with pytest.raises(httpx.ConnectError):  # our CA is not in the default trust store
            httpx.post(emu.base_url, timeout=2)
        with _client(emu, tls) as client:
            path = f"{emu.base_url}/Accounts/{emu.project_id}/Calls/{emu.add_call()}/Streams"
            assert client.post(path, data={"Url": WSS}, timeout=5).status_code == 200
    finally:
        stalled.close()


def test_tls_must_be_local_tls_or_a_context() -> None:
    with pytest.raises(ValidationError) as caught:
        Emulator(tls="cert.pem")  # type: ignore[arg-type]
    assert caught.value.field == "tls"
