"""The emulator's own audio: G.711 and L16 encoding, a tone, WAV files, 20 ms frames.

Written here from G.711's tables, not imported from the receiver (`signalwire_streams.media`):
a bug in the receiver's codec must not be mirrored by the emulator that tests it. A test
holds the two to each other instead (the receiver decodes what this encodes).

G.711 quantises a 14-bit (µ-law) or 13-bit (A-law) sample into one of 128 intervals per sign,
in 8 segments of 16, each segment's step twice the previous one's. A 16-bit sample is
brought to that width by dropping its low bits, as the reference encoders do.
"""

from __future__ import annotations

import functools
import sys
import wave
from array import array
from base64 import b64encode
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from math import pi, sin
from os import PathLike

from .._errors import ValidationError
from ._vocabulary import ALAW, CODEC_FORMATS, CXML_CODECS, DEFAULT_CODEC, FRAME_SECONDS, MULAW

__all__ = [
    "AudioSource",
    "Wav",
    "encode",
    "encode_alaw",
    "encode_mulaw",
    "load_wav",
    "media_format",
]

_TONES = {"inbound": 440, "outbound": 660}


def _mulaw_edges() -> list[int]:
    """The upper decision levels of µ-law's 128 intervals, in 14-bit magnitudes.

    Segment s starts at 32 * 2**s - 33 and has steps of 2 * 2**s; the first interval of
    segment 0 is the one that holds 0 alone (G.711 table 2a).
    """
    return [32 * 2**s - 33 + (k + 1) * 2 ** (s + 1) for s in range(8) for k in range(16)]


def _alaw_edges() -> list[int]:
    """The upper decision levels of A-law's 128 intervals, in 13-bit magnitudes.

    Segments 0 and 1 both have steps of 2 (from 0 and from 32); segment s > 1 starts at
    16 * 2**s with steps of 2**s (G.711 table 1a).
    """
    return [
        (0 if s == 0 else 16 * 2**s) + (k + 1) * 2 ** max(s, 1) for s in range(8) for k in range(16)
    ]


def _mulaw_code(sample: int, edges: list[int]) -> int:
    value = sample >> 2  # 16 to 14 bits
    sign, magnitude = (0x80, -value) if value < 0 else (0x00, value)
    interval = min(bisect_right(edges, magnitude), 127)
    return ~(sign | interval) & 0xFF  # µ-law sends every bit inverted


def _alaw_code(sample: int, edges: list[int]) -> int:
    value = sample >> 3  # 16 to 13 bits
    # A-law's negative side is the ones' complement of the positive side, sign bit clear.
    sign, magnitude = (0x00, ~value) if value < 0 else (0x80, value)
    interval = min(bisect_right(edges, magnitude), 127)
    return (sign | interval) ^ 0x55  # A-law inverts the even bits


@functools.cache
def _table(law: str) -> bytes:
    """Each 16-bit sample's code, indexed by the sample read as unsigned (made once)."""
    code: Callable[[int, list[int]], int]
    code, edges = (_mulaw_code, _mulaw_edges()) if law == MULAW else (_alaw_code, _alaw_edges())
    return bytes(code(u - 0x10000 if u & 0x8000 else u, edges) for u in range(0x10000))


def _encode_with(samples: array[int], law: str) -> bytes:
    unsigned = array("H", samples.tobytes())
    return bytes(map(_table(law).__getitem__, unsigned))


def encode_mulaw(samples: array[int]) -> bytes:
    """16-bit samples (an array of "h") to G.711 µ-law, one byte each."""
    return _encode_with(samples, MULAW)


def encode_alaw(samples: array[int]) -> bytes:
    """16-bit samples (an array of "h") to G.711 A-law, one byte each."""
    return _encode_with(samples, ALAW)


def _l16(samples: array[int]) -> bytes:
    """16-bit samples as little-endian bytes: the byte order SignalWire's L16 is believed
    to have."""
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def media_format(codec: str | None) -> tuple[str, int]:
    """The encoding and sample rate of a REST `StreamCodec` or a cXML `codec` (None: µ-law)."""
    codec = codec or DEFAULT_CODEC
    return CODEC_FORMATS.get(codec) or CXML_CODECS.get(codec) or CODEC_FORMATS[DEFAULT_CODEC]


def encode(samples: array[int], encoding: str) -> bytes:
    """Samples in a media format's encoding (`audio/x-mulaw`, `audio/x-alaw`, L16)."""
    if encoding == MULAW:
        return encode_mulaw(samples)
    if encoding == ALAW:
        return encode_alaw(samples)
    return _l16(samples)


@dataclass(frozen=True)
class Wav:
    """16-bit PCM channels read from a WAV file, at its own sample rate."""

    channels: tuple[array[int], ...]
    sample_rate: int


def load_wav(path: str | PathLike[str]) -> Wav:
    """Read a 16-bit PCM WAV file (mono, or stereo for distinct inbound/outbound audio)."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, count, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValidationError(
            "audio", f"{path} is not a WAV file this emulator reads: {error}"
        ) from None
    if width != 2:
        raise ValidationError("audio", f"{path} must be 16-bit PCM, not {8 * width}-bit")
    if count not in (1, 2):
        raise ValidationError("audio", f"{path} must be mono or stereo")
    samples = array("h")
    samples.frombytes(frames)  # wave gives samples in native byte order
    if not samples:
        raise ValidationError("audio", f"{path} holds no audio")
    return Wav(tuple(samples[i::count] for i in range(count)), rate)


def tone(frequency: int, sample_rate: int) -> array[int]:
    """One second of a sine: a whole number of periods, so it loops without a click."""
    step = 2 * pi * frequency / sample_rate
    return array("h", (round(8000 * sin(step * i)) for i in range(sample_rate)))


def _resample(samples: array[int], source_rate: int, target_rate: int) -> array[int]:
    if source_rate == target_rate:
        return samples
    length = max(1, len(samples) * target_rate // source_rate)
    return array("h", (samples[i * source_rate // target_rate] for i in range(length)))


def frames(samples: array[int], encoding: str, sample_rate: int) -> list[str]:
    """The samples encoded and cut into base64 frames of 20 ms, the last padded with silence.

    Padding happens before encoding, in samples, so silence is whatever the encoding makes of
    zero and every frame holds whole samples.
    """
    per_frame = round(sample_rate * FRAME_SECONDS)
    padded = samples + array("h", bytes(2 * (-len(samples) % per_frame)))
    audio = encode(padded, encoding)
    frame_bytes = len(audio) * per_frame // len(padded)
    return [
        b64encode(audio[i : i + frame_bytes]).decode("ascii")
        for i in range(0, len(audio), frame_bytes)
    ]


class AudioSource:
    """What each track streams, as base64 frames looped while a stream lasts (cached).

    A tone (440 Hz inbound, 660 Hz outbound), or a WAV: its first channel inbound, its
    second (if any) outbound, resampled to the stream's rate.
    """

    def __init__(self, wav: Wav | None) -> None:
        self._wav = wav
        self._cache: dict[tuple[str, int, str], list[str]] = {}

    def frames(self, encoding: str, sample_rate: int, track: str) -> list[str]:
        key = (encoding, sample_rate, track)
        cached = self._cache.get(key)
        if cached is None:
            if self._wav is None:
                samples = tone(_TONES[track], sample_rate)
            else:
                channels = self._wav.channels
                channel = channels[1] if track == "outbound" and len(channels) > 1 else channels[0]
                samples = _resample(channel, self._wav.sample_rate, sample_rate)
            cached = self._cache[key] = frames(samples, encoding, sample_rate)
        return cached
