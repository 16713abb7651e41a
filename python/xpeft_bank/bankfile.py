"""The engine's bank file (src/bank/file.ts), written and read from Python.

A bank file is safetensors with four float32 arrays stacked site-major then adapter-major
(down [sites, n, d*r], downBias [sites, n, r], up [sites, n, r*d], upBias [sites, n, d]; each adapter's
down is [d, r] row-major, applied as h @ down) and string metadata. Its fingerprint is the sha256 of
the JSON of its dimensions followed by the four arrays' little-endian bytes, exactly as
bankFingerprint in src/bank/bank.ts computes it, so the engine accepts the file and profiles name it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from .finite import require_finite

BANK_FORMAT = "xpeft-bank/1"
ARRAY_NAMES = ("down", "downBias", "up", "upBias")
PLACEMENTS = ("pfeiffer", "houlsby", "seq-bn")
ACTIVATIONS = ("relu", "gelu", "swish")


@dataclass(frozen=True)
class BankShape:
    placement: str
    activation: str
    sites: int
    n: int
    d: int
    r: int
    first_layer: int = 0

    def array_shapes(self) -> dict[str, tuple[int, int, int]]:
        return {
            "down": (self.sites, self.n, self.d * self.r),
            "downBias": (self.sites, self.n, self.r),
            "up": (self.sites, self.n, self.r * self.d),
            "upBias": (self.sites, self.n, self.d),
        }


def bank_fingerprint(shape: BankShape, arrays: dict[str, np.ndarray]) -> str:
    dims: list = [shape.placement, shape.activation, shape.sites, shape.n, shape.d, shape.r]
    # Banks over every layer keep the digest they had before first layers existed (as in the engine).
    if shape.first_layer:
        dims.append(shape.first_layer)
    digest = hashlib.sha256(json.dumps(dims, separators=(",", ":")).encode())
    for name in ARRAY_NAMES:
        digest.update(np.ascontiguousarray(arrays[name], dtype="<f4").tobytes())
    return digest.hexdigest()


def bank_identity(weights_digest: str, arrays: dict[str, np.ndarray]) -> str:
    """What profiles record as their bank: the weights' digest, or with a shared head the digest of
    both (bankIdentity in src/bank/bank.ts)."""
    if "head.weight" not in arrays:
        return weights_digest
    w, b = arrays["head.weight"], arrays["head.bias"]
    digest = hashlib.sha256(json.dumps([weights_digest, w.shape[0], w.shape[1]], separators=(",", ":")).encode())
    digest.update(np.ascontiguousarray(w, "<f4").tobytes())
    digest.update(np.ascontiguousarray(b, "<f4").tobytes())
    return digest.hexdigest()


def model_fingerprint(model_dir: str | Path) -> str:
    """The engine's model fingerprint: sha256 of the folder's model.safetensors."""
    digest = hashlib.sha256()
    with open(Path(model_dir) / "model.safetensors", "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_bank_file(
    path: str | Path,
    shape: BankShape,
    arrays: dict[str, np.ndarray],
    model_fp: str,
    trained_on: str,
    head: tuple[np.ndarray, np.ndarray] | None = None,
) -> str:
    """Writes a bank file (with the shared head [d, outputs] and [outputs], if given); returns its fingerprint.
    Refuses arrays holding NaN or ±inf (NonFiniteTensorError)."""
    if shape.placement not in PLACEMENTS:
        raise ValueError(f"placement {shape.placement!r} is not one of {PLACEMENTS}")
    if shape.activation not in ACTIVATIONS:
        raise ValueError(f"activation {shape.activation!r} is not one of {ACTIVATIONS}")
    tensors = {}
    for name, want in shape.array_shapes().items():
        a = np.ascontiguousarray(arrays[name], dtype=np.float32)
        if a.shape != want:
            raise ValueError(f"bank array {name} has shape {a.shape}; expected {want}")
        tensors[name] = a
    if head is not None:
        weight, bias = (np.ascontiguousarray(x, dtype=np.float32) for x in head)
        if weight.ndim != 2 or weight.shape[0] != shape.d or bias.shape != (weight.shape[1],):
            raise ValueError(f"head weight {weight.shape} and bias {bias.shape} do not fit d={shape.d}")
        tensors["head.weight"], tensors["head.bias"] = weight, bias
    for name, a in tensors.items():
        require_finite(f"bank array {name}", a)
    fingerprint = bank_fingerprint(shape, tensors)
    metadata = {
        "format": BANK_FORMAT,
        "placement": shape.placement,
        "activation": shape.activation,
        "sites": str(shape.sites),
        **({"firstLayer": str(shape.first_layer)} if shape.first_layer else {}),
        "n": str(shape.n),
        "d": str(shape.d),
        "r": str(shape.r),
        "fingerprint": fingerprint,
        "modelFingerprint": model_fp,
        "trainedOn": trained_on,
    }
    save_file(tensors, str(path), metadata=metadata)
    return fingerprint


def read_bank_file(path: str | Path) -> tuple[BankShape, dict[str, np.ndarray], dict[str, str]]:
    """Reads a bank file and checks its fingerprint and that its arrays are finite; returns its shape, arrays
    and metadata."""
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as f:
        meta = dict(f.metadata() or {})
    if meta.get("format") != BANK_FORMAT:
        raise ValueError(f"{path} is not an X-PEFT bank file (format {meta.get('format')!r})")
    shape = BankShape(
        placement=meta["placement"],
        activation=meta["activation"],
        sites=int(meta["sites"]),
        n=int(meta["n"]),
        d=int(meta["d"]),
        r=int(meta["r"]),
        first_layer=int(meta.get("firstLayer", "0")),
    )
    arrays = load_file(str(path))
    if bank_fingerprint(shape, arrays) != meta["fingerprint"]:
        raise ValueError(f"{path} is corrupt: its weights do not hash to its fingerprint")
    for name, a in arrays.items():
        require_finite(f"{path}: bank array {name}", a)
    return shape, arrays, meta
