"""Profile files that the engine's decoder (src/profile/format.ts) and the Python reader
(python/xpeft_bank/profile.py) must both accept, or both refuse.

Writes tests/fixtures/profiles/*.xpeft and manifest.json, which lists every file with whether it must be
accepted; what it decodes to if so; if not, what is wrong with it and a part of the message both readers
refuse it with. The bytes are laid out here, apart from either reader; the refused ones are valid
profiles with one thing broken (the checksum recomputed unless the checksum is the thing broken).

Usage: python3 scripts/profile_fixtures.py   (needs numpy)
"""

import json
import struct
import zlib
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "profiles"
MODEL_FP = bytes(range(32)).hex()
BANK_FP = bytes(range(255, 223, -1)).hex()
MODES = ("hard", "soft")
PLACEMENTS = ("pfeiffer", "houlsby", "seq-bn")
HEADER_BYTES = 78
FP16_NAN, FP16_INF, FP16_NEG_INF = 0x7E00, 0x7C00, 0xFC00


def fp16(values) -> bytes:
    return np.asarray(values, dtype="<f2").tobytes()


def body(p: dict) -> bytearray:
    """A profile's bytes before the checksum: the engine's encodeProfile layout."""
    flags = (1 if "head" in p else 0) | (2 if "offset" in p else 0) | (4 if p.get("mix") == "outputs" else 0)
    out = bytearray(b"XPFT")
    out += bytes([1, MODES.index(p["mode"]), PLACEMENTS.index(p["placement"]), flags])
    out += struct.pack("<HHH", p["sites"], p["n"], p["k"])
    out += bytes.fromhex(p["modelFingerprint"]) + bytes.fromhex(p["bankFingerprint"])
    scores = np.asarray(p["scores"], dtype=np.float32)
    if p["mode"] == "hard":
        out += np.packbits(scores.astype(np.uint8), bitorder="little").tobytes()
    else:
        out += fp16(scores)
    if "head" in p:
        h = p["head"]
        out += struct.pack("<HH", h["inputs"], h["outputs"]) + fp16(h["weight"]) + fp16(h["bias"])
    if "offset" in p:
        out += struct.pack("<H", len(p["offset"])) + fp16(p["offset"])
    return out


def seal(data: bytes) -> bytes:
    return bytes(data) + struct.pack("<I", zlib.crc32(data))


def profile(mode, placement, sites, n, k, scores, **extra) -> dict:
    return {"mode": mode, "placement": placement, "sites": sites, "n": n, "k": k, "modelFingerprint": MODEL_FP,
            "bankFingerprint": BANK_FP, "scores": scores, **extra}


# Hard: 2 sites × 3 adapters, one chosen per row: 12 bits, 4 of padding.
HARD = profile("hard", "pfeiffer", 2, 3, 1, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0])
# Hard, 1 site × 4 adapters, two chosen per row (8 bits, no padding), outputs mixed, a bias offset.
HARD_OFFSET = profile("hard", "seq-bn", 1, 4, 2, [1, 0, 1, 0, 0, 1, 1, 0], mix="outputs", offset=[0.5, -1.25])
# Soft: 1 site × 2 adapters' scores and a 2 → 3 head, every value exact in fp16.
SOFT_HEAD = profile(
    "soft", "houlsby", 1, 2, 0, [0.25, -2.0, 1.5, 0.0],
    head={"inputs": 2, "outputs": 3, "weight": [1.0, -0.5, 0.125, 3.0, -4.0, 0.75], "bias": [0.0, -1.0, 2.5]},
)
VALID = {"hard-pfeiffer": HARD, "hard-seq-bn-outputs-offset": HARD_OFFSET, "soft-houlsby-head": SOFT_HEAD}


def patched(p: dict, at: int, values: bytes) -> bytes:
    data = body(p)
    data[at : at + len(values)] = values
    return seal(data)


def flipped_checksum(p: dict) -> bytes:
    data = seal(body(p))
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def u16(v: int) -> bytes:
    return struct.pack("<H", v)


SOFT_HEAD_AT = HEADER_BYTES + 2 * 4  # the soft profile's head section
HARD_OFFSET_AT = HEADER_BYTES + 1  # the hard profile's offset section
# name: (what is wrong, a part of both readers' messages, the bytes)
REFUSED = {
    "too-short": ("fewer bytes than the fixed header and checksum", "81 bytes", seal(body(HARD))[:81]),
    "bad-magic": ("does not start with XPFT", '"XPFT"', patched(HARD, 0, b"XPFU")),
    "version-2": ("an unknown format version", "version 2", patched(HARD, 4, bytes([2]))),
    "bad-checksum": ("the checksum does not match", "checksum", flipped_checksum(HARD)),
    "mode-2": ("an unknown mask mode", "mode byte is 2", patched(HARD, 5, bytes([2]))),
    "placement-3": ("an unknown placement", "placement byte is 3", patched(HARD, 6, bytes([3]))),
    "unknown-flag": ("an undefined flag bit", "flags byte is 0x8", patched(HARD, 7, bytes([8]))),
    "head-and-offset": ("flags declare both a head and an offset", "both a head and a bias offset",
                        patched(SOFT_HEAD, 7, bytes([3]))),
    "sites-0": ("no sites", "sites is 0", seal(body({**HARD, "sites": 0, "scores": []}))),
    "n-0": ("an empty bank", "n is 0", seal(body({**HARD, "n": 0, "scores": []}))),
    "hard-k-0": ("a hard mask choosing no adapters", "k is 0", patched(HARD, 12, u16(0))),
    "hard-k-above-n": ("k larger than n", "k is 4", patched(HARD, 12, u16(4))),
    "soft-k-1": ("k set on a soft mask", "k is 1", patched(SOFT_HEAD, 12, u16(1))),
    "hard-row-count": ("a mask row with two ones where k is 1", "row 0 (A mask of site 0) has 2 ones",
                       seal(body({**HARD, "scores": [1, 1, 0] + HARD["scores"][3:]}))),
    "hard-padding": ("a padding bit after the last mask bit set", "padding bits",
                     patched(HARD, HEADER_BYTES + 1, bytes([body(HARD)[HEADER_BYTES + 1] | 0x80]))),
    "head-inputs-0": ("a head with no inputs", "head is 0→3", patched(SOFT_HEAD, SOFT_HEAD_AT, u16(0))),
    "offset-length-0": ("a bias offset of length 0", "0 values", seal(body(HARD_OFFSET)[:HARD_OFFSET_AT] + u16(0))),
    "head-cut-off": ("the head flag set and no room for the head's sizes", "before the head section",
                     patched(HARD, 7, bytes([1]))),
    "truncated": ("one byte of the head's bias missing", "declares 112 bytes but only 111",
                  seal(body(SOFT_HEAD)[:-1])),
    "trailing-byte": ("a byte after the declared end", "1 trailing bytes", seal(body(SOFT_HEAD) + b"\x00")),
    "soft-score-nan": ("a NaN score", "scores[1] is fp16 NaN", patched(SOFT_HEAD, HEADER_BYTES + 2, u16(FP16_NAN))),
    "head-weight-inf": ("an infinite head weight", "head.weight[5] is fp16 infinity",
                        patched(SOFT_HEAD, SOFT_HEAD_AT + 4 + 2 * 5, u16(FP16_INF))),
    "offset-minus-inf": ("a -infinity offset", "offset[0] is fp16 infinity",
                         patched(HARD_OFFSET, HARD_OFFSET_AT + 2, u16(FP16_NEG_INF))),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, p in VALID.items():
        (OUT / f"{name}.xpeft").write_bytes(seal(body(p)))
        expected = {**p, "mix": p.get("mix", "weights"), "head": p.get("head"), "offset": p.get("offset")}
        cases.append({"file": f"{name}.xpeft", "accept": True, "expected": expected})
    for name, (why, message, data) in REFUSED.items():
        (OUT / f"{name}.xpeft").write_bytes(data)
        cases.append({"file": f"{name}.xpeft", "accept": False, "why": why, "message": message})
    manifest = {"format": "xpeft-profile-fixtures/1", "cases": cases}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {len(cases)} profiles and manifest.json to {OUT}")


if __name__ == "__main__":
    main()
