"""16-bit PCM from one sample rate to another, in pure Python.

A polyphase filter: conceptually the audio is upsampled by `up` (zeros between samples),
low-passed, and kept every `down`th sample, with up/down the ratio of the two rates in
lowest terms. The low-pass is a windowed sinc (Kaiser, beta 7: about -70 dB outside the
pass band, 24 zero crossings a side) cut off at 0.47 of the lower rate: telephone audio
made from 16 or 24 kHz speech keeps the whole voice band (to 3.4 kHz, within 0.01 dB) and
nothing folds back from above 4.1 kHz. Each output sample is one dot product
(`sum(map(mul, ...))`, a C loop), no numpy: about 60 ms of CPU per second of 8 kHz output
from 24 kHz, so ask a speech engine for the stream's own format where it offers it. Each
call is resampled on its own (no state across calls): give whole utterances, not 20 ms
slices.
"""

from __future__ import annotations

import math
import sys
from array import array
from functools import cache
from operator import mul

__all__ = ["ZERO_CROSSINGS", "resample"]

ZERO_CROSSINGS = 24  # of the sinc, each side, at the lower rate: the filter's length
_BETA = 7.0
_CUTOFF = 0.47  # of the lower rate


def _bessel_i0(x: float) -> float:
    """The modified Bessel function of order 0, for the Kaiser window (power series)."""
    total = term = 1.0
    k = 0
    while term > 1e-12 * total:
        k += 1
        term *= (x / (2 * k)) ** 2
        total += term
    return total


@cache
def _phases(up: int, down: int) -> tuple[tuple[float, ...], ...]:
    """The filter's taps split into `up` phases, each reversed for a forward dot product."""
    factor = max(up, down)
    half = ZERO_CROSSINGS * factor
    cutoff = _CUTOFF / factor  # cycles per sample at the upsampled rate
    norm = _bessel_i0(_BETA)
    taps = []
    for n in range(-half, half + 1):
        x = 2 * cutoff * n
        sinc = 1.0 if n == 0 else math.sin(math.pi * x) / (math.pi * x)
        window = _bessel_i0(_BETA * math.sqrt(max(0.0, 1 - (n / half) ** 2))) / norm
        taps.append(2 * cutoff * up * sinc * window)  # gain `up` restores the level
    # Phase p holds taps p, p + up, p + 2 up, ... of the prototype.
    return tuple(tuple(reversed(taps[phase::up])) for phase in range(up))


def resample(pcm: bytes, source_rate: int, target_rate: int) -> bytes:
    """Mono 16-bit little-endian PCM at `source_rate`, as the same at `target_rate`."""
    if source_rate == target_rate:
        return bytes(pcm)
    common = math.gcd(source_rate, target_rate)
    up, down = target_rate // common, source_rate // common
    phases = _phases(up, down)
    samples = array("h")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    half = ZERO_CROSSINGS * max(up, down)  # the prototype's centre, in upsampled samples
    # Padding so that every dot product has its full window, zeros before and after.
    pad = half // up + 2
    x = [0.0] * pad + list(samples) + [0.0] * pad
    count = len(samples) * up // down
    out = array("h", bytes(2 * count))
    for n in range(count):
        position = n * down + half  # upsampled index of the filter's first tap
        phase = (position) % up
        taps = phases[phase]
        start = (position - phase) // up - len(taps) + 1 + pad
        value = sum(map(mul, taps, x[start : start + len(taps)]))
        out[n] = -32768 if value < -32768 else 32767 if value > 32767 else round(value)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()
