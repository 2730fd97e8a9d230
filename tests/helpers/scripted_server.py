"""A loopback HTTP server that misbehaves by script, for the hostile-server suite.

Each connection reads one request at a time and hands the socket to the script's answer,
which may drip bytes, never finish, send gigabytes, redirect, or reset the connection at any
point. `requests` counts the requests that were read in full: what the service "saw".
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from functools import cache

__all__ = ["SCRIPTS", "ScriptedServer", "gzip_bomb", "read_request"]

Answer = Callable[[socket.socket, "ScriptedServer"], None]

_STREAM_JSON = (
    b'{"sid": "a3c1e0f2-7d4b-4c5a-9e8f-1b2c3d4e5f60", "status": "in-progress",'
    b' "name": "t", "date_updated": "Thu, 21 Nov 2024 19:38:00 +0000"}'
)
_ZEROS = b"\0" * 65536


def _head(status: str, *headers: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers]) + "\r\n\r\n").encode()


def _ok(sock: socket.socket, server: ScriptedServer) -> None:
    length = f"Content-Length: {len(_STREAM_JSON)}"
    sock.sendall(_head("200 OK", "Content-Type: application/json", length) + _STREAM_JSON)


def _until_closed(send: Callable[[], None], server: ScriptedServer, pause: float = 0.0) -> None:
    """Send forever (or until the client goes away or the server closes)."""
    while not server.closed:
        try:
            send()
        except OSError:
            return
        if pause:
            time.sleep(pause)


def _drip_headers(sock: socket.socket, server: ScriptedServer) -> None:
    head = _head("200 OK", "Content-Type: application/json", "X-Padding: " + "a" * 5000)
    for byte in head:
        if server.closed:
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return
        time.sleep(0.2)


def _drip_body(sock: socket.socket, server: ScriptedServer) -> None:
    sock.sendall(_head("200 OK", "Content-Type: application/json", "Content-Length: 100000"))
    _until_closed(lambda: sock.sendall(b" "), server, pause=0.2)


def _endless_continue(sock: socket.socket, server: ScriptedServer) -> None:
    _until_closed(lambda: sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n"), server, pause=0.01)


def _huge_length(sock: socket.socket, server: ScriptedServer) -> None:
    sock.sendall(_head("200 OK", "Content-Type: application/json", "Content-Length: 2147483648"))
    _until_closed(lambda: sock.sendall(_ZEROS), server)


def _endless_chunked(sock: socket.socket, server: ScriptedServer) -> None:
    sock.sendall(_head("200 OK", "Content-Type: application/json", "Transfer-Encoding: chunked"))
    chunk = b"%x\r\n" % len(_ZEROS) + _ZEROS + b"\r\n"
    _until_closed(lambda: sock.sendall(chunk), server)


def _bomb(sock: socket.socket, server: ScriptedServer) -> None:
    body = gzip_bomb()
    head = _head(
        "200 OK",
        "Content-Type: application/json",
        "Content-Encoding: gzip",
        f"Content-Length: {len(body)}",
    )
    try:
        sock.sendall(head + body)
    except OSError:
        return


def _redirect(status: str) -> Answer:
    def answer(sock: socket.socket, server: ScriptedServer) -> None:
        target = server.redirect_to or "http://127.0.0.1:9/elsewhere"
        body = _STREAM_JSON
        sock.sendall(
            _head(
                status,
                f"Location: {target}/api/laml/2010-04-01/x?token=leak",
                "Content-Type: application/json",
                f"Content-Length: {len(body)}",
            )
            + body
        )

    return answer


def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _reset_after_read(sock: socket.socket, server: ScriptedServer) -> None:
    _reset(sock)


def _reset_mid_headers(sock: socket.socket, server: ScriptedServer) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: appl")
    time.sleep(0.05)
    _reset(sock)


def _reset_mid_body(sock: socket.socket, server: ScriptedServer) -> None:
    sock.sendall(_head("200 OK", "Content-Type: application/json", "Content-Length: 500"))
    sock.sendall(_STREAM_JSON[:20])
    time.sleep(0.05)
    _reset(sock)


SCRIPTS: dict[str, Answer] = {
    "ok": _ok,
    "drip-headers": _drip_headers,
    "drip-body": _drip_body,
    "endless-100-continue": _endless_continue,
    "huge-content-length": _huge_length,
    "endless-chunked": _endless_chunked,
    "gzip-bomb": _bomb,
    "redirect-301": _redirect("301 Moved Permanently"),
    "redirect-302": _redirect("302 Found"),
    "redirect-303": _redirect("303 See Other"),
    "redirect-307": _redirect("307 Temporary Redirect"),
    "redirect-308": _redirect("308 Permanent Redirect"),
    "reset-after-request": _reset_after_read,
    "reset-mid-headers": _reset_mid_headers,
    "reset-mid-body": _reset_mid_body,
}
"""Scripts that answer after reading the request; "reset-before-request" is the server's
own mode (`ScriptedServer(reset_on_accept=True)`), since it never reads one."""


@cache
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to 1 GiB of zeros (made once, in a few seconds)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * 2**20
    parts = [compressor.compress(block) for _ in range(1024)]
    parts.append(compressor.flush())
    return b"".join(parts)


class ScriptedServer:
    """Answers every request on 127.0.0.1 with one script; counts the requests it read."""

    def __init__(
        self, script: str = "ok", *, reset_on_accept: bool = False, redirect_to: str = ""
    ) -> None:
        self.answer = SCRIPTS[script]
        self.reset_on_accept = reset_on_accept
        self.redirect_to = redirect_to
        self.requests = 0
        self.connections = 0
        self.closed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._sockets.append(sock)
            if self.reset_on_accept:
                _reset(sock)
                continue
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        buffer = b""
        while not self.closed:
            request, buffer = read_request(sock, buffer)
            if request is None:
                break
            with self._lock:
                self.requests += 1
            self.answer(sock, self)
            if self.answer is not _ok:
                break
        with contextlib.suppress(OSError):
            sock.close()

    def close(self) -> None:
        self.closed = True
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_request(sock: socket.socket, buffer: bytes) -> tuple[bytes | None, bytes]:
    """One whole request (headers and a Content-Length body), or None once the peer is gone."""
    while b"\r\n\r\n" not in buffer:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return None, b""
        if not chunk:
            return None, b""
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return None, b""
        if not chunk:
            return None, b""
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]
