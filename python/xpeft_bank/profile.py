"""Reads the engine's binary profiles (src/profile/format.ts): header, mask, and a head or bias offset.

Layout (little-endian): "XPFT", version 1, mode (0 hard, 1 soft), placement (0 pfeiffer, 1 houlsby,
2 seq-bn), flags (1 head, 2 offset, 4 the adapters' outputs mixed), sites, n, k (u16 each), the model's
and the bank's sha256 (32 bytes each); then the masks (hard: 2·sites·n bits, rows of n: sites A rows then
sites B rows, zero padding; soft: fp16 scores), then the head (inputs, outputs u16; fp16 weight
[inputs, outputs] and bias) or the offset (length u16; fp16 values), then a CRC-32 of everything before it.

The reader is as strict as the engine's decodeProfile: it accepts only bytes the engine's encoder could
have written (tests/fixtures/profiles holds cases both readers are tested on).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from .finite import NonFiniteTensorError

MAGIC = b"XPFT"
VERSION = 1
MODES = ("hard", "soft")
PLACEMENTS = ("pfeiffer", "houlsby", "seq-bn")
FLAG_HEAD, FLAG_OFFSET, FLAG_MIX_OUTPUTS = 1, 2, 4
HEADER_BYTES = 78
CHECKSUM_BYTES = 4


class ProfileFormatError(ValueError):
    """Bytes the engine's encoder could not have written; the message says what is wrong."""


@dataclass
class Profile:
    mode: str
    placement: str
    sites: int
    n: int
    k: int
    model_fingerprint: str
    bank_fingerprint: str
    scores: np.ndarray  # [2·sites, n]: hard 0/1 bits, or soft scores
    head: tuple[np.ndarray, np.ndarray] | None = None  # weight [inputs, outputs], bias [outputs]
    offset: np.ndarray | None = None
    mix: str = "weights"  # how the chosen adapters combine: "weights" (X-PEFT's) or "outputs"

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Each site's adapter weights over the bank for the down (A) and up (B) projections: [sites, n]."""
        if self.mode == "hard":
            w = self.scores / self.k
        else:
            e = np.exp(self.scores - self.scores.max(axis=1, keepdims=True))
            w = e / e.sum(axis=1, keepdims=True)
        return w[: self.sites], w[self.sites :]


def fail(message: str):
    raise ProfileFormatError(f"invalid X-PEFT profile: {message}")


def read_fp16(data: bytes, at: int, count: int, field: str) -> np.ndarray:
    raw = np.frombuffer(data, "<u2", count, at)
    bad = np.flatnonzero((raw & 0x7C00) == 0x7C00)
    if bad.size:
        h = int(raw[bad[0]])
        kind = "NaN" if h & 0x3FF else "infinity"
        raise NonFiniteTensorError(f"invalid X-PEFT profile: {field}[{bad[0]}] is fp16 {kind} (0x{h:04x}); "
                                   "values must be finite")
    return raw.view("<f2").astype(np.float32)


def read_hard_mask(data: bytes, at: int, sites: int, n: int, k: int) -> np.ndarray:
    count = 2 * sites * n
    bits = np.unpackbits(np.frombuffer(data, np.uint8, (count + 7) // 8, at), bitorder="little")
    if bits[count:].any():
        fail("padding bits after the last mask bit are not zero")
    rows = bits[:count].reshape(2 * sites, n)
    for r, ones in enumerate(rows.sum(axis=1)):
        if ones != k:
            row = f"A mask of site {r}" if r < sites else f"B mask of site {r - sites}"
            fail(f"hard mask row {r} ({row}) has {ones} ones; k is {k}")
    return rows.astype(np.float32)


def read_profile(data: bytes) -> Profile:
    """Parses profile bytes; raises ProfileFormatError (or NonFiniteTensorError, for a NaN or an infinity)
    for anything the engine's encoder could not have written."""
    data = bytes(data)
    minimum = HEADER_BYTES + CHECKSUM_BYTES
    if len(data) < minimum:
        fail(f"{len(data)} bytes is shorter than the {minimum}-byte minimum (truncated?)")
    if data[:4] != MAGIC:
        fail('the bytes do not start with "XPFT"')
    if data[4] != VERSION:
        fail(f"format version {data[4]} is not supported; this reader knows version {VERSION}")
    body = len(data) - CHECKSUM_BYTES
    (stored,) = struct.unpack_from("<I", data, body)
    if zlib.crc32(data[:body]) != stored:
        fail("the checksum does not match; the profile is corrupted")
    mode_code, placement_code, flags = data[5], data[6], data[7]
    if mode_code >= len(MODES):
        fail(f"mode byte is {mode_code}; expected 0 (hard) or 1 (soft)")
    if placement_code >= len(PLACEMENTS):
        fail(f"placement byte is {placement_code}; expected 0 (pfeiffer), 1 (houlsby) or 2 (seq-bn)")
    if flags & ~(FLAG_HEAD | FLAG_OFFSET | FLAG_MIX_OUTPUTS):
        fail(f"flags byte is 0x{flags:x}; only bits 0 (head), 1 (bias offset) and 2 (outputs mixed) are defined")
    if flags & FLAG_HEAD and flags & FLAG_OFFSET:
        fail("flags declare both a head and a bias offset; a profile has at most one of them")
    mode = MODES[mode_code]
    sites, n, k = struct.unpack_from("<HHH", data, 8)
    if sites < 1 or n < 1:
        fail(f"sites is {sites} and n is {n}; both must be 1..65535")
    if mode == "hard" and not 1 <= k <= n:
        fail(f"k is {k}; a hard mask needs 1..n = 1..{n}")
    if mode == "soft" and k != 0:
        fail(f"k is {k}; a soft mask needs 0")

    values = 2 * sites * n
    at = HEADER_BYTES + ((values + 7) // 8 if mode == "hard" else 2 * values)
    inputs = outputs = length = 0
    if flags & FLAG_HEAD:
        if at + 4 > body:
            fail(f"{len(data)} bytes ends before the head section (truncated)")
        inputs, outputs = struct.unpack_from("<HH", data, at)
        if inputs < 1 or outputs < 1:
            fail(f"head is {inputs}→{outputs}; both dimensions must be 1..65535")
    if flags & FLAG_OFFSET:
        if at + 2 > body:
            fail(f"{len(data)} bytes ends before the bias offset section (truncated)")
        (length,) = struct.unpack_from("<H", data, at)
        if length < 1:
            fail("the bias offset has 0 values; expected 1..65535")
    tail = (4 + 2 * (inputs * outputs + outputs) if flags & FLAG_HEAD else 0) + (2 + 2 * length if length else 0)
    expected = at + tail + CHECKSUM_BYTES
    if len(data) < expected:
        fail(f"the header declares {expected} bytes but only {len(data)} are present (truncated)")
    if len(data) > expected:
        fail(f"{len(data) - expected} trailing bytes after the declared {expected}")

    if mode == "hard":
        scores = read_hard_mask(data, HEADER_BYTES, sites, n, k)
    else:
        scores = read_fp16(data, HEADER_BYTES, values, "scores").reshape(2 * sites, n)
    head = offset = None
    if flags & FLAG_HEAD:
        weight = read_fp16(data, at + 4, inputs * outputs, "head.weight").reshape(inputs, outputs)
        head = (weight, read_fp16(data, at + 4 + 2 * inputs * outputs, outputs, "head.bias"))
    if length:
        offset = read_fp16(data, at + 2, length, "offset")
    return Profile(mode, PLACEMENTS[placement_code], sites, n, k, data[14:46].hex(), data[46:78].hex(), scores,
                   head, offset, "outputs" if flags & FLAG_MIX_OUTPUTS else "weights")
