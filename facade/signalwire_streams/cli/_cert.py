"""`cert`: a local CA and a certificate for loopback names, as three PEM files.

`receive` needs a certificate to serve `wss://`, and the emulator needs the CA to trust it,
as SignalWire trusts a public CA. This writes both with trustme (the `testing` extra) and
prints the flags that use them. For local tests only: SignalWire itself will not trust it.
"""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import os
import shlex
from pathlib import Path
from typing import Any, TextIO

from ._args import output_dir
from ._messages import CommandError

__all__ = ["FILES", "add_parser"]

FILES = ("ca.pem", "cert.pem", "key.pem")
DEFAULT_NAMES = ("127.0.0.1", "localhost", "::1")


def _check_name(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    labels = name.rstrip(".").split(".")
    if (
        not name
        or len(name) > 253
        or not all(
            label and len(label) <= 63 and label.replace("-", "").replace("*", "").isalnum()
            for label in labels
        )
    ):
        raise CommandError(f"--name: {name[:80]!r} is not a host name or an IP address")
    return name


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    # The key is readable by its owner only, from the moment it exists.
    mode = 0o600 if private else 0o644
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _run(args: argparse.Namespace, out: TextIO) -> None:
    if importlib.util.find_spec("trustme") is None:
        raise CommandError(
            "cert makes its certificates with trustme, which is not installed",
            "pip install 'signalwire-streams[testing]'",
        )
    import trustme

    try:  # `cert --dir tls` makes the folder, as the files need one
        args.dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CommandError(f"--dir: cannot make the folder {args.dir}: {reason}") from None
    folder = output_dir(args.dir, "--dir")
    names = list(dict.fromkeys([*DEFAULT_NAMES, *(_check_name(n) for n in args.name)]))
    paths = [folder / name for name in FILES]
    existing = [str(path) for path in paths if path.exists()]
    if existing and not args.force:
        raise CommandError(
            f"--dir: {', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}",
            "pass --force to replace them, or choose another --dir",
        )
    authority = trustme.CA(organization_name="signalwire-streams local CA")
    certificate = authority.issue_cert(*names)
    ca, cert, key = paths
    _write(ca, authority.cert_pem.bytes())
    _write(cert, b"".join(pem.bytes() for pem in certificate.cert_chain_pems))
    _write(key, certificate.private_key_pem.bytes(), private=True)
    out.write(f"wrote {ca}, {cert} and {key}\n")
    out.write(f"  a local CA, and a certificate for {', '.join(names)}\n")
    out.write("receive streams over wss:// with:\n")
    out.write(
        f"  signalwire-streams receive --cert {shlex.quote(str(cert))} "
        f"--key {shlex.quote(str(key))}\n"
    )
    out.write("and let the emulator trust it with:\n")
    out.write(f"  signalwire-streams emulator --ca-file {shlex.quote(str(ca))}\n")
    out.write(
        "For local tests only: SignalWire trusts certificates from public CAs, not this one.\n"
    )


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    cert = commands.add_parser(
        "cert",
        help="make a local CA and a loopback certificate for receive and the emulator",
        description="Write ca.pem, cert.pem and key.pem: a local CA and a certificate it "
        "signed for 127.0.0.1, localhost and ::1 (and each --name). For local tests; needs "
        "trustme (pip install 'signalwire-streams[testing]').",
        parents=[common],
    )
    cert.add_argument(
        "--dir",
        type=Path,
        default=Path("."),
        help="folder to write in, made if need be (default: here)",
    )
    cert.add_argument(
        "--name",
        action="append",
        default=[],
        metavar="HOST",
        help="another host name or address for the certificate (repeatable)",
    )
    cert.add_argument("--force", action="store_true", help="replace files already there")
    cert.set_defaults(run=_run)
