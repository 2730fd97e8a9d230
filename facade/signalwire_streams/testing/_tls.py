"""Certificates made on the spot, so a local `wss://` receiver needs no real CA."""

from __future__ import annotations

import ssl
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from ._errors import EmulatorError

__all__ = ["LocalTLS"]


class LocalTLS:
    """A throwaway certificate authority and a server certificate for loopback names.

    Give `server_context()` to the receiver (`media.serve(..., ssl=...)`), or `cert_file` and
    `key_file` to a server that takes paths, and `ca_file` to the `Emulator`, which then
    verifies the receiver like SignalWire verifies yours. The files last until `close()`.
    Needs the `trustme` package: `pip install 'signalwire-streams[testing]'`.
    """

    def __init__(self, hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")) -> None:
        try:
            import trustme
        except ImportError:
            raise EmulatorError(
                "LocalTLS needs trustme: pip install 'signalwire-streams[testing]'"
            ) from None
        self._ca = trustme.CA(organization_name="signalwire-streams local CA")
        self._certificate = self._ca.issue_cert(*hosts)
        self._folder = tempfile.TemporaryDirectory(prefix="signalwire-streams-tls-")
        folder = Path(self._folder.name)
        self.ca_file = folder / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))
        # The same certificate as files, for servers that take paths (uvicorn's --ssl-*).
        self.cert_file = folder / "cert.pem"
        self.key_file = folder / "key.pem"
        with self.cert_file.open("wb") as chain:
            for pem in self._certificate.cert_chain_pems:
                chain.write(pem.bytes())
        self._certificate.private_key_pem.write_to_path(str(self.key_file))

    def __repr__(self) -> str:
        return f"LocalTLS(ca_file={str(self.ca_file)!r})"

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting the certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._certificate.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client-side context that trusts the certificate (and nothing else)."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_file))
        return context

    def close(self) -> None:
        """Delete the CA file."""
        self._folder.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
