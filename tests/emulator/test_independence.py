"""The emulator's own codec and signer against the receiver's: each is the other's check.

The emulator encodes audio and signs callbacks with code of its own, so that a bug in the
receiver (`signalwire_streams.media`, `signalwire_streams.callbacks`) is not mirrored by the
emulator that tests it. These tests hold the two sides to each other.
"""

from __future__ import annotations

import ast
import base64
import itertools
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from signalwire_streams import testing
from signalwire_streams.callbacks import compute_signature, validate_signature
from signalwire_streams.media import decode_alaw, decode_l16, decode_mulaw
from signalwire_streams.testing._audio import encode, encode_alaw, encode_mulaw, frames
from signalwire_streams.testing._callbacks import sign
from signalwire_streams.testing._vocabulary import ALAW, L16, MULAW

EVERY_SAMPLE = array("h", range(-32768, 32768))


def _decoded(pcm: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(pcm)
    return samples


def _mulaw_step(code: int) -> int:
    """The width, in 16-bit units, of the interval a µ-law code stands for."""
    return 8 << ((~code >> 4) & 7)


def _alaw_step(code: int) -> int:
    """The width, in 16-bit units, of the interval an A-law code stands for."""
    return 16 << max(((code ^ 0x55) >> 4 & 7) - 1, 0)


def test_the_receiver_decodes_what_the_emulator_encodes_in_mulaw() -> None:
    """Within half a step of G.711's µ-law, plus the 2 bits dropped to make 14-bit samples."""
    codes = encode_mulaw(EVERY_SAMPLE)
    decoded = _decoded(decode_mulaw(codes))
    for sample, code, value in zip(EVERY_SAMPLE, codes, decoded, strict=True):
        if abs(sample) > 32635:  # beyond the last decision level: the extreme code
            assert code in (0x00, 0x80), sample
        else:
            assert abs(value - sample) <= _mulaw_step(code) // 2 + 3, sample


def test_the_receiver_decodes_what_the_emulator_encodes_in_alaw() -> None:
    """Within half a step of G.711's A-law (its segments reach every 16-bit sample)."""
    codes = encode_alaw(EVERY_SAMPLE)
    decoded = _decoded(decode_alaw(codes))
    for sample, code, value in zip(EVERY_SAMPLE, codes, decoded, strict=True):
        assert abs(value - sample) <= _alaw_step(code) // 2, sample


@pytest.mark.parametrize(
    ("encoder", "decoder", "unkept"),
    [(encode_mulaw, decode_mulaw, {0x7F}), (encode_alaw, decode_alaw, set())],
)
def test_each_code_comes_back_through_decode_and_encode(
    encoder: Callable[[array[int]], bytes], decoder: Callable[[bytes], bytes], unkept: set[int]
) -> None:
    """Each code's value encodes to that code again (µ-law's 0x7F is a second zero)."""
    codes = bytes(range(256))
    again = encoder(_decoded(decoder(codes)))
    assert [c for c in range(256) if again[c] != c] == sorted(unkept)


def test_the_codes_rise_with_the_samples() -> None:
    """Quantising keeps order: a larger sample never gets a code for a smaller value."""
    for codes, decoder in (
        (encode_mulaw(EVERY_SAMPLE), decode_mulaw),
        (encode_alaw(EVERY_SAMPLE), decode_alaw),
    ):
        values = _decoded(decoder(codes))
        assert all(a <= b for a, b in itertools.pairwise(values))


def test_l16_is_little_endian_pcm() -> None:
    samples = array("h", [0, 1, -1, 32767, -32768, 0x1234])
    packed = encode(samples, L16)
    assert packed[-2:] == b"\x34\x12"
    assert _decoded(decode_l16(packed)) == samples


@pytest.mark.parametrize(("encoding", "rate", "size"), [(MULAW, 8000, 160), (ALAW, 8000, 160)])
def test_frames_hold_20_ms_each(encoding: str, rate: int, size: int) -> None:
    cut = frames(array("h", range(500)), encoding, rate)
    assert [len(base64.b64decode(f)) for f in cut] == [size] * 4  # 500 samples, padded to 640


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("https://example.com/status", {"StreamEvent": "stream-started", "CallSid": "CA1"}),
        ("https://example.com/status?x=1&StreamSid=s", {}),
        ("https://example.com:8443/status", {"StreamName": "ü & =", "AccountSid": "a"}),
    ],
)
def test_the_receiver_accepts_the_emulators_signature(url: str, fields: dict[str, str]) -> None:
    key = "signing-key"
    signature = sign(key, url, fields)
    assert validate_signature(key, url, fields, signature)
    assert signature == compute_signature(key, url, fields)
    assert not validate_signature(key + "x", url, fields, signature)


def test_the_emulator_imports_nothing_from_the_receiver_or_the_signer() -> None:
    """`media` and `callbacks` are what the emulator tests: it keeps codes of its own."""
    folder = Path(testing.__file__).parent
    for module in folder.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
                if node.level >= 2:
                    assert not any(n.split(".")[0] in ("media", "callbacks") for n in names), (
                        f"{module.name} imports {names}"
                    )
                assert not (node.module or "").startswith(
                    ("signalwire_streams.media", "signalwire_streams.callbacks")
                ), module.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(
                        ("signalwire_streams.media", "signalwire_streams.callbacks")
                    ), module.name


def test_the_emulator_reads_no_private_attribute_of_another_object() -> None:
    """No `transport._ssl_protocol` and the like: asyncio's and websockets' insides change."""
    folder = Path(testing.__file__).parent
    for module in folder.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                owner = node.value
                own = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
                assert own or node.attr.startswith("__"), f"{module.name}: {ast.unparse(node)}"
