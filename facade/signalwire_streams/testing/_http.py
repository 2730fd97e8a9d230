"""The HTTP shell: `http.server` threads that read requests, ask the service, and write.

It owns what needs the socket: reading exactly the declared body (refusing chunked bodies,
bad or duplicate lengths and bodies over 1 MiB), and the fault behaviours the service can only
ask for: hanging up before or after reading, a truncated body, a late answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._faults import drops_before_read
from ._models import Refusal, Request, Response
from ._service import Service

__all__ = ["MAX_BODY", "HttpShell"]

MAX_BODY = 1024 * 1024


class _Disconnected(Exception):
    """The client went away before sending the whole request."""


class HttpShell:
    """Serves a `Service` over HTTP/1.1 on one address, from a daemon thread."""

    def __init__(
        self, service: Service, host: str, port: int, tls: ssl.SSLContext | None = None
    ) -> None:
        self.service = service
        self._address = (host, port)
        self.tls = tls
        """Serve https with this server context; None: plain http."""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        """Set when stopping: a delayed answer waits on it, so stop() is not held up."""

    def start(self) -> int:
        """Bind and serve in a background thread; returns the bound port."""
        server = _Server(self._address, self)
        port = int(server.server_address[1])
        thread = threading.Thread(
            target=server.serve_forever,
            # A short poll makes stop() quick; the idle cost is negligible.
            kwargs={"poll_interval": 0.01},
            name=f"signalwire-streams-emulator:{port}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return port

    def stop(self) -> None:
        """Stop serving, close the socket and drop open connections."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        self.stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        thread.join(timeout=5)

    def track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Joining handler threads on close would hang on idle keep-alive connections.
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], shell: HttpShell) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.shell = shell
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept; with TLS, wrap the socket, leaving the handshake to the handler's thread
        so that a client that never completes one cannot hold up the accept loop."""
        connection, address = super().get_request()
        tls = self.shell.tls
        if tls is not None:
            connection = tls.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up, or failing the TLS handshake, is routine for a test server;
        anything else is a bug to show."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError | ssl.SSLError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "signalwire-streams-emulator"
    timeout = 120
    # Headers and body go out in separate writes: without this, delayed ACKs cost 40 ms each.
    disable_nagle_algorithm = True

    def _shell(self) -> HttpShell:
        server = self.server
        assert isinstance(server, _Server)
        return server.shell

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: an access log on stderr is noise in a test run."""

    def setup(self) -> None:
        super().setup()  # sets the timeout, which bounds the TLS handshake too
        self._shell().track(self.connection, add=True)
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except BaseException:
                self._shell().track(self.connection, add=False)
                raise

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._shell().track(self.connection, add=False)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _read_body(self) -> tuple[bytes, Refusal | None]:
        """Read exactly the declared body, or say why it cannot be read safely."""
        if self.headers.get("Transfer-Encoding") is not None:
            return b"", Refusal(411, "Send the body with a Content-Length, not Transfer-Encoding")
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return b"", None
        if len(set(lengths)) != 1 or not re.fullmatch(r"\s*[0-9]+\s*", lengths[0]):
            return b"", Refusal(400, "Invalid Content-Length")
        length = int(lengths[0])
        if length > MAX_BODY:
            return b"", Refusal(413, f"Request body is larger than {MAX_BODY} bytes")
        body = self.rfile.read(length)
        if len(body) < length:
            raise _Disconnected
        return body, None

    def _handle(self) -> None:
        shell = self._shell()
        head = Request.of(self.command, self.path, self.headers.items())
        fault = shell.service.take_fault()
        if drops_before_read(fault):
            shell.service.answer(head, fault)
            self._hang_up()
            return
        try:
            body, refusal = self._read_body()
        except _Disconnected:
            self.close_connection = True
            return
        request = dataclasses.replace(head, body=body, refusal=refusal)
        response = shell.service.answer(request, fault)
        if response is None:
            self._hang_up()
            return
        if response.delay:
            shell.stopping.wait(response.delay)
        self._send(response)
        if response.truncated:
            self._hang_up()

    def _hang_up(self) -> None:
        """Close the connection now, with no answer (or no more of one)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status not in (204, 304):
            if response.content_type is not None:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        if response.close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.body:
            body = response.body
            self.wfile.write(body[: len(body) // 2] if response.truncated else body)

    do_GET = _handle
    do_HEAD = _handle
    do_POST = _handle
    do_PUT = _handle
    do_PATCH = _handle
    do_DELETE = _handle
    do_OPTIONS = _handle
