"""G.711 (µ-law, A-law) and L16 audio, as 16-bit little-endian PCM, in pure Python.

Decoding is table-driven byte translation: `bytes.translate` runs in C, once for the low
bytes and once for the high bytes of the output samples, and slice assignment interleaves
them. That is hundreds of times faster than a per-sample loop and needs neither `audioop`
(removed in Python 3.13) nor numpy. Encoding looks each sample up in a 64 KiB table.
"""

from __future__ import annotations

import os
import sys
import wave
from array import array
from collections.abc import Callable, Sequence
from functools import cache
from os import PathLike
from typing import BinaryIO, Literal

from .._errors import ValidationError

__all__ = [
    "decode_alaw",
    "decode_l16",
    "decode_mulaw",
    "encode_alaw",
    "encode_l16",
    "encode_mulaw",
    "write_wav",
]

ByteOrder = Literal["little", "big"]

_MULAW_BIAS = 0x84
_MULAW_CLIP = 8159


def _mulaw_to_linear(code: int) -> int:
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + _MULAW_BIAS) << ((code >> 4) & 0x07)
    return _MULAW_BIAS - magnitude if code & 0x80 else magnitude - _MULAW_BIAS


def _linear_to_mulaw(sample: int) -> int:
    """The reference G.711 encoder (Sun's g711.c, as audioop did it), on 14-bit magnitudes."""
    value = sample >> 2
    mask = 0x7F if value < 0 else 0xFF
    value = min(abs(value), _MULAW_CLIP) + (_MULAW_BIAS >> 2)
    segment = max(value.bit_length() - 6, 0)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask


def _alaw_to_linear(code: int) -> int:
    code ^= 0x55
    segment = (code & 0x70) >> 4
    value = ((code & 0x0F) << 4) + 8
    if segment:
        value = (value + 0x100) << (segment - 1)
    return value if code & 0x80 else -value


def _linear_to_alaw(sample: int) -> int:
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    segment = max(value.bit_length() - 5, 0)
    if segment >= 8:
        return 0x7F ^ mask
    shift = 1 if segment < 2 else segment
    return ((segment << 4) | ((value >> shift) & 0x0F)) ^ mask


def _split_table(decode: list[int]) -> tuple[bytes, bytes]:
    """Low and high bytes of each code's 16-bit sample, as two translation tables."""
    return bytes(v & 0xFF for v in decode), bytes((v >> 8) & 0xFF for v in decode)


_MULAW_LOW, _MULAW_HIGH = _split_table([_mulaw_to_linear(c) for c in range(256)])
_ALAW_LOW, _ALAW_HIGH = _split_table([_alaw_to_linear(c) for c in range(256)])


@cache
def _encode_table(encode: Callable[[int], int]) -> bytes:
    """Each code, indexed by the sample read as an unsigned 16-bit number (two's
    complement). Made on first use (a tenth of a second): receiving never needs one."""
    return bytes(encode(u - 0x10000 if u & 0x8000 else u) for u in range(0x10000))


def _expand(data: bytes | bytearray | memoryview, low: bytes, high: bytes) -> bytes:
    raw = data if isinstance(data, bytes) else bytes(data)
    out = bytearray(2 * len(raw))
    out[0::2] = raw.translate(low)
    out[1::2] = raw.translate(high)
    return bytes(out)


def _samples(pcm: bytes | bytearray | memoryview, field: str) -> array[int]:
    """16-bit little-endian PCM as unsigned native numbers, for table lookups."""
    if len(pcm) % 2:
        raise ValidationError(
            field, f"16-bit PCM must have an even number of bytes, not {len(pcm)}"
        )
    samples = array("H")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def decode_mulaw(data: bytes | bytearray | memoryview) -> bytes:
    """G.711 µ-law bytes to 16-bit little-endian PCM (two bytes per input byte)."""
    return _expand(data, _MULAW_LOW, _MULAW_HIGH)


def encode_mulaw(pcm: bytes | bytearray | memoryview) -> bytes:
    """16-bit little-endian PCM to G.711 µ-law (one byte per sample)."""
    return bytes(map(_encode_table(_linear_to_mulaw).__getitem__, _samples(pcm, "pcm")))


def decode_alaw(data: bytes | bytearray | memoryview) -> bytes:
    """G.711 A-law bytes to 16-bit little-endian PCM (two bytes per input byte)."""
    return _expand(data, _ALAW_LOW, _ALAW_HIGH)


def encode_alaw(pcm: bytes | bytearray | memoryview) -> bytes:
    """16-bit little-endian PCM to G.711 A-law (one byte per sample)."""
    return bytes(map(_encode_table(_linear_to_alaw).__getitem__, _samples(pcm, "pcm")))


def _swap_pairs(data: bytes | bytearray | memoryview) -> bytes:
    raw = data if isinstance(data, bytes) else bytes(data)
    out = bytearray(len(raw))
    out[0::2] = raw[1::2]
    out[1::2] = raw[0::2]
    return bytes(out)


def decode_l16(data: bytes | bytearray | memoryview, byteorder: ByteOrder = "little") -> bytes:
    """L16 audio to 16-bit little-endian PCM.

    SignalWire's L16 byte order is not documented; little-endian is the default because that
    is what its streams are believed to carry. RFC 3551's L16 is big-endian: pass "big".
    """
    if len(data) % 2:
        raise ValidationError(
            "data", f"L16 audio must have an even number of bytes, not {len(data)}"
        )
    if byteorder == "little":
        return data if isinstance(data, bytes) else bytes(data)
    if byteorder == "big":
        return _swap_pairs(data)
    raise ValidationError("byteorder", f"must be 'little' or 'big', not {byteorder!r:.40}")


def encode_l16(pcm: bytes | bytearray | memoryview, byteorder: ByteOrder = "little") -> bytes:
    """16-bit little-endian PCM to L16 in the given byte order (the inverse of decode_l16)."""
    return decode_l16(pcm, byteorder)


def _interleave(channels: Sequence[bytes]) -> bytes:
    """Frames of one 16-bit sample per channel; shorter channels are padded with silence."""
    length = max(len(c) for c in channels)
    count = len(channels)
    out = bytearray(length * count)
    for index, channel in enumerate(channels):
        for byte in (0, 1):
            start = 2 * index + byte
            out[start : start + 2 * count * (len(channel) // 2) : 2 * count] = channel[byte::2]
    return bytes(out)


def write_wav(
    destination: str | PathLike[str] | BinaryIO,
    channels: bytes | Sequence[bytes],
    *,
    sample_rate: int,
) -> None:
    """Write 16-bit little-endian PCM to a WAV file: one bytes object per channel.

    Several channels (say the inbound and outbound tracks) become one multi-channel file,
    the shorter ones padded with silence at the end.
    """
    tracks = [channels] if isinstance(channels, bytes | bytearray) else list(channels)
    if not tracks:
        raise ValidationError("channels", "give at least one channel of PCM")
    for pcm in tracks:
        if len(pcm) % 2:
            raise ValidationError("channels", "16-bit PCM must have an even number of bytes")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
        raise ValidationError("sample_rate", f"must be a positive integer, not {sample_rate!r:.40}")
    frames = bytes(tracks[0]) if len(tracks) == 1 else _interleave([bytes(t) for t in tracks])
    if sys.byteorder == "big":
        frames = _swap_pairs(frames)  # wave takes native-order samples and swaps them itself
    target = os.fspath(destination) if isinstance(destination, str | PathLike) else destination
    with wave.open(target, "wb") as wav:
        wav.setnchannels(len(tracks))
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(frames)
