"""Weights must be finite numbers: a NaN or an infinity written into a bank, a head or an adapter, or read
from a bank or a profile, would reach every answer computed from it."""

from __future__ import annotations

import numpy as np


class NonFiniteTensorError(ValueError):
    """A tensor holds NaN or ±infinity; the message names the tensor and its first such value."""


def require_finite(name: str, values) -> None:
    """Raises NonFiniteTensorError naming `name` if `values` (an array or a tensor) holds NaN or ±inf."""
    array = np.asarray(values.detach().cpu() if hasattr(values, "detach") else values)
    bad = ~np.isfinite(array)
    if bad.any():
        at = np.unravel_index(int(np.argmax(bad)), array.shape)
        raise NonFiniteTensorError(
            f"{name} holds {int(bad.sum())} non-finite value(s): {array[at]} at index {tuple(int(i) for i in at)}"
        )
