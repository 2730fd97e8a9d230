"""G.711 and L16 codecs and the WAV writer, against the standard's values and audioop."""

from __future__ import annotations

import io
import struct
import sys
import warnings
import wave
from pathlib import Path

import pytest
from signalwire_streams.media import (
    decode_alaw,
    decode_l16,
    decode_mulaw,
    encode_alaw,
    encode_l16,
    encode_mulaw,
    write_wav,
)

ALL_CODES = bytes(range(256))
ALL_SAMPLES = struct.pack("<65536h", *range(-32768, 32768))


def samples(pcm: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(pcm) // 2}h", pcm))


# G.711 µ-law: the code's bits are inverted; 0x00 and 0x80 are the loudest, 0xFF and 0x7F zero.
MULAW_KNOWN = {
    0x00: -32124,
    0x80: 32124,
    0xFF: 0,
    0x7F: 0,
    0x0F: -16764,
    0x8F: 16764,
    0xF0: 120,
    0x70: -120,
    0xFE: 8,
    0x7E: -8,
}
# G.711 A-law: even bits are inverted (xor 0x55); 0xD5 and 0x55 are the smallest magnitudes.
ALAW_KNOWN = {0xD5: 8, 0x55: -8, 0xAA: 32256, 0x2A: -32256, 0x80: 5504, 0x00: -5504}


@pytest.mark.parametrize(("code", "value"), sorted(MULAW_KNOWN.items()))
def test_known_mulaw_values(code: int, value: int) -> None:
    assert samples(decode_mulaw(bytes([code]))) == [value]


@pytest.mark.parametrize(("code", "value"), sorted(ALAW_KNOWN.items()))
def test_known_alaw_values(code: int, value: int) -> None:
    assert samples(decode_alaw(bytes([code]))) == [value]


def test_mulaw_round_trips_for_all_256_codes() -> None:
    decoded = decode_mulaw(ALL_CODES)
    assert len(decoded) == 512
    # Every code survives decode then encode, except 0x7F ("negative zero"), which is 0xFF.
    assert encode_mulaw(decoded) == ALL_CODES.replace(b"\x7f", b"\xff")
    assert decode_mulaw(encode_mulaw(decoded)) == decoded


def test_alaw_round_trips_for_all_256_codes() -> None:
    decoded = decode_alaw(ALL_CODES)
    assert encode_alaw(decoded) == ALL_CODES
    assert decode_alaw(encode_alaw(decoded)) == decoded


def test_mulaw_decoding_is_monotonic_and_symmetric() -> None:
    positive = samples(decode_mulaw(bytes(range(0xFF, 0x7F, -1))))
    negative = samples(decode_mulaw(bytes(range(0x7F, -1, -1))))
    assert positive == sorted(positive) and negative == [-v for v in positive]


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="audioop is gone from Python 3.13")
def test_every_code_and_every_sample_agree_with_audioop() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    assert decode_mulaw(ALL_CODES) == audioop.ulaw2lin(ALL_CODES, 2)
    assert decode_alaw(ALL_CODES) == audioop.alaw2lin(ALL_CODES, 2)
    assert encode_mulaw(ALL_SAMPLES) == audioop.lin2ulaw(ALL_SAMPLES, 2)
    assert encode_alaw(ALL_SAMPLES) == audioop.lin2alaw(ALL_SAMPLES, 2)


def test_codecs_take_any_bytes_like_object() -> None:
    expected = decode_mulaw(ALL_CODES)
    assert decode_mulaw(bytearray(ALL_CODES)) == expected
    assert decode_mulaw(memoryview(ALL_CODES)) == expected
    assert encode_mulaw(memoryview(expected)) == encode_mulaw(expected)
    assert decode_mulaw(b"") == b"" and encode_mulaw(b"") == b""


def test_l16_is_little_endian_by_default_and_big_endian_on_request() -> None:
    little = struct.pack("<3h", 1, -2, 300)
    big = struct.pack(">3h", 1, -2, 300)
    assert decode_l16(little) == little
    assert decode_l16(big, "big") == little
    assert encode_l16(little, "big") == big
    assert decode_l16(bytearray(little)) == little


@pytest.mark.parametrize("function", [encode_mulaw, encode_alaw, decode_l16])
def test_odd_length_pcm_is_refused_with_a_clear_error(function: object) -> None:
    with pytest.raises(ValueError, match="even number of bytes"):
        function(b"\x00\x01\x02")  # type: ignore[operator]


def test_an_unknown_byte_order_is_refused() -> None:
    with pytest.raises(ValueError, match="byteorder"):
        decode_l16(b"\x00\x01", "middle")  # type: ignore[arg-type]


def test_write_wav_mono(tmp_path: Path) -> None:
    pcm = struct.pack("<4h", 0, 1000, -1000, 32767)
    write_wav(tmp_path / "mono.wav", pcm, sample_rate=8000)
    with wave.open(str(tmp_path / "mono.wav"), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.readframes(10) == pcm


def test_write_wav_interleaves_tracks_and_pads_the_shorter_one(tmp_path: Path) -> None:
    left = struct.pack("<3h", 1, 2, 3)
    right = struct.pack("<2h", -1, -2)
    buffer = io.BytesIO()
    write_wav(buffer, [left, right], sample_rate=16000)
    buffer.seek(0)
    with wave.open(buffer, "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (2, 16000, 3)
        assert samples(wav.readframes(3)) == [1, -1, 2, -2, 3, 0]


@pytest.mark.parametrize(
    ("channels", "rate", "message"),
    [
        ([], 8000, "at least one channel"),
        (b"\x00", 8000, "even number of bytes"),
        (b"\x00\x00", 0, "sample_rate"),
        (b"\x00\x00", True, "sample_rate"),
    ],
)
def test_write_wav_refuses_bad_input_before_writing(
    tmp_path: Path, channels: bytes | list[bytes], rate: int, message: str
) -> None:
    target = tmp_path / "bad.wav"
    with pytest.raises(ValueError, match=message):
        write_wav(target, channels, sample_rate=rate)
    assert not target.exists()
