"""Reads the engine's binary profiles (src/profile/format.ts): header, mask, and a head or bias offset.

Layout (little-endian): "XPFT", version 1, mode (0 hard, 1 soft), placement (0 pfeiffer, 1 houlsby,
2 seq-bn), flags (1 head, 2 offset), sites, n, k (u16 each), the model's and the bank's sha256 (32 bytes
each); then the masks (hard: 2·sites·n bits, rows of n: sites A rows then sites B rows; soft: fp16
scores), then the head (inputs, outputs u16; fp16 weight [inputs, outputs] and bias) or the offset
(length u16; fp16 values), then a CRC-32 of everything before it.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

MODES = ("hard", "soft")
PLACEMENTS = ("pfeiffer", "houlsby", "seq-bn")


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

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Each site's adapter weights over the bank for the down (A) and up (B) projections: [sites, n]."""
        if self.mode == "hard":
            w = self.scores / self.k
        else:
            e = np.exp(self.scores - self.scores.max(axis=1, keepdims=True))
            w = e / e.sum(axis=1, keepdims=True)
        return w[: self.sites], w[self.sites :]


def read_profile(data: bytes) -> Profile:
    if len(data) < 82 or data[:4] != b"XPFT":
        raise ValueError("not an X-PEFT profile (no XPFT magic)")
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        raise ValueError("the profile's checksum does not match (corrupt or truncated)")
    version, mode, placement, flags = data[4], data[5], data[6], data[7]
    if version != 1:
        raise ValueError(f"profile version {version}; this reader knows 1")
    sites, n, k = struct.unpack_from("<HHH", data, 8)
    at = 78
    rows = 2 * sites
    if MODES[mode] == "hard":
        bits = np.unpackbits(np.frombuffer(data, np.uint8, (rows * n + 7) // 8, at), bitorder="little")
        scores = bits[: rows * n].reshape(rows, n).astype(np.float32)
        at += (rows * n + 7) // 8
    else:
        scores = np.frombuffer(data, "<f2", rows * n, at).astype(np.float32).reshape(rows, n)
        at += 2 * rows * n
    head = offset = None
    if flags & 1:
        inputs, outputs = struct.unpack_from("<HH", data, at)
        weight = np.frombuffer(data, "<f2", inputs * outputs, at + 4).astype(np.float32).reshape(inputs, outputs)
        bias = np.frombuffer(data, "<f2", outputs, at + 4 + 2 * inputs * outputs).astype(np.float32)
        head = (weight, bias)
    if flags & 2:
        (length,) = struct.unpack_from("<H", data, at)
        offset = np.frombuffer(data, "<f2", length, at + 2).astype(np.float32)
    return Profile(MODES[mode], PLACEMENTS[placement], sites, n, k, data[14:46].hex(), data[46:78].hex(),
                   scores, head, offset)
