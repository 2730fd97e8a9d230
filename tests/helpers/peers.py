"""A loopback HTTP peer that misbehaves on purpose, for transport and retry tests."""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading

from tests.helpers.scripted_server import read_request

PROJECT = "6f2a4c1e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
CALL = "9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
STREAM = {
    "sid": "a3c1e0f2-7d4b-4c5a-9e8f-1b2c3d4e5f60",
    "account_sid": PROJECT,
    "call_sid": CALL,
    "name": "t",
    "status": "in-progress",
    "date_updated": "Thu, 21 Nov 2024 19:38:00 +0000",
    "uri": "/x.json",
}


def _response(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


OK = _response("200 OK", json.dumps(STREAM).encode(), "Content-Type: application/json")
GZIPPED = _response(
    "200 OK",
    gzip.compress(json.dumps(STREAM).encode()),
    "Content-Type: application/json",
    "Content-Encoding: gzip",
)


class Peer:
    """A loopback server that records each request, then answers as told.

    `ok` and `gzip` keep the connection for more requests; `hang` reads and says nothing;
    `hang up` closes, `reset` aborts (RST); `garbage` and `truncated` send a broken answer.
    """

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.connections = 0
        self._open: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            buffer = b""
            while True:
                request, buffer = read_request(connection, buffer)
                if request is None:
                    return
                self.requests.append(request)
                if self.behaviour in ("ok", "gzip"):
                    connection.sendall(OK if self.behaviour == "ok" else GZIPPED)
                    continue
                if self.behaviour == "hang":
                    connection.recv(1)  # until the client gives up and closes
                elif self.behaviour == "reset":
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                elif self.behaviour == "garbage":
                    connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                elif self.behaviour == "truncated":
                    connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"sid":')
                return

    def close(self) -> None:
        self._server.close()
        for connection in self._open:
            connection.close()
