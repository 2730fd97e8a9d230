"""An ASGI app under a real uvicorn, in a subprocess, over TLS on a free loopback port.

Used by tests/media/test_asgi.py (`media.asgi_app` with two workers) and by the examples'
tests (tests/examples/), which run each example's app as its docstring says to.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
from signalwire_streams.testing import LocalTLS


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


class Uvicorn:
    """`uvicorn APP` (`module:attribute`, imported from `cwd`) with `tls`'s certificate.

    `env` is added to this process's environment. `stop()` ends it and returns what it
    wrote: its stdout and stderr.
    """

    def __init__(
        self,
        app: str,
        tls: LocalTLS,
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "uvicorn", app, "--port", str(self.port)]
        command += ["--workers", str(workers), "--ws", "websockets", "--log-level", "warning"]
        command += ["--ssl-certfile", str(tls.cert_file), "--ssl-keyfile", str(tls.key_file)]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.https_url = f"https://127.0.0.1:{self.port}"
        self.url = f"wss://127.0.0.1:{self.port}"
        self._wait_until_listening(tls)

    def _wait_until_listening(self, tls: LocalTLS) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                httpx.get(f"{self.https_url}/", verify=tls.client_context())
                return
            except httpx.TransportError:
                time.sleep(0.1)
        output, errors = self.stop()
        raise AssertionError(f"uvicorn did not start:\n{output}{errors}")

    def stop(self) -> tuple[str, str]:
        """End the server (SIGTERM, then SIGKILL after 20 s); its stdout and stderr."""
        self.process.terminate()
        try:
            output, errors = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, errors = self.process.communicate()
        return output.decode(errors="replace"), errors.decode(errors="replace")
