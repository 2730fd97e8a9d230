"""Where the repository is, for tests that run its scripts or read its files."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
README = ROOT / "README.md"
SPEC = ROOT / "openapi" / "streams.yaml"
# SignalWire's published OpenAPI for the four stream operations (openapi/vendor/README.md).
VENDOR_SPEC = ROOT / "openapi" / "vendor" / "signalwire-compatibility-streams.json"
