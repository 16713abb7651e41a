"""AdapterHub bottleneck adapters as the engine's placements, and saved adapters as a bank.

What AdapterHub's adapters library (1.3.0) computes at a site, read from its source
(adapters/methods/modeling.py, Adapter.pre_forward/forward/post_forward, and
adapters/methods/bottleneck.py, bottleneck_layer_forward; docs/adapterhub.md has the derivation),
with s the sublayer's output projection, x its input, LN its pretrained LayerNorm and
f(v) = up(act(down(v))) * scaling:

- SeqBnConfig ("Pfeiffer"): feed-forward site only; v = s + x, output LN(f(LN(v)) + v).
  The engine's placement "seq-bn".
- DoubleSeqBnConfig ("Houlsby"): attention and feed-forward sites; output LN(f(s) + s + x).
  The engine's placement "houlsby".
- The same flags as DoubleSeqBnConfig without the attention site: the engine's "pfeiffer".

Only these flag sets, scaling 1.0, no gating, no PHM, no invertible adapters and sequential (not
parallel) adapters are accepted; leave_out may skip the lowest layers only (the engine's first layer).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from .bankfile import BankShape
from .finite import require_finite

# The BnConfig flags that decide the arithmetic, per engine placement.
_COMMON = {"original_ln_after": True, "residual_before_ln": True, "adapter_residual_before_ln": False,
           "ln_before": False, "ln_after": False}
PLACEMENT_FLAGS = {
    "seq-bn": {**_COMMON, "mh_adapter": False, "output_adapter": True, "original_ln_before": True},
    "houlsby": {**_COMMON, "mh_adapter": True, "output_adapter": True, "original_ln_before": False},
    "pfeiffer": {**_COMMON, "mh_adapter": False, "output_adapter": True, "original_ln_before": False},
}
# Flags that must hold for any placement (the engine has no gating, PHM, parallel or invertible adapters).
REQUIRED = {"is_parallel": False, "use_gating": False, "phm_layer": False, "inv_adapter": None, "scaling": 1.0}
ACTIVATION_NAMES = {"relu": "relu", "gelu": "gelu", "swish": "swish", "silu": "swish"}


class AdapterMismatch(ValueError):
    """A saved adapter that cannot join the bank; the message names the field and the folder."""


def config_for(placement: str, activation: str, reduction_factor: float, first_layer: int = 0) -> dict:
    """An AdapterHub BnConfig (as a dict for adapters.BnConfig) computing the engine's placement."""
    acts = {v: k for k, v in ACTIVATION_NAMES.items() if k != "silu"}
    return {
        **PLACEMENT_FLAGS[placement],
        **{k: v for k, v in REQUIRED.items() if k != "inv_adapter"},
        "non_linearity": acts[activation],
        "reduction_factor": reduction_factor,
        "leave_out": list(range(first_layer)),
    }


def placement_of(config: dict, where: str) -> tuple[str, str, int]:
    """(placement, activation, first layer) of an AdapterHub bottleneck config; refuses anything else."""
    for key, want in REQUIRED.items():
        if config.get(key, want) != want:
            raise AdapterMismatch(f"{where}: config.{key} is {config.get(key)!r}; the engine needs {want!r}")
    placement = next(
        (p for p, flags in PLACEMENT_FLAGS.items() if all(config.get(k) == v for k, v in flags.items())), None
    )
    if placement is None:
        shown = {k: config.get(k) for k in PLACEMENT_FLAGS["seq-bn"]}
        raise AdapterMismatch(
            f"{where}: config flags {shown} match none of SeqBnConfig (seq-bn), DoubleSeqBnConfig (houlsby) "
            "or DoubleSeqBnConfig without mh_adapter (pfeiffer)"
        )
    activation = ACTIVATION_NAMES.get(str(config.get("non_linearity", "")).lower())
    if activation is None:
        raise AdapterMismatch(
            f"{where}: config.non_linearity is {config.get('non_linearity')!r}; the engine has {sorted(ACTIVATION_NAMES)}"
        )
    leave_out = sorted(int(x) for x in config.get("leave_out") or [])
    if leave_out != list(range(len(leave_out))):
        raise AdapterMismatch(
            f"{where}: config.leave_out is {leave_out}; the engine can leave out only the lowest layers (0, 1, …)"
        )
    return placement, activation, len(leave_out)


def read_saved_adapter(folder: str | Path) -> tuple[dict, dict[str, np.ndarray]]:
    """An adapter saved by save_adapter(): its adapter_config.json and its weights by key (all finite)."""
    folder = Path(folder)
    config_path = folder / "adapter_config.json"
    if not config_path.exists():
        raise AdapterMismatch(f"{folder}: no adapter_config.json (not a saved AdapterHub adapter)")
    saved = json.loads(config_path.read_text())
    if (folder / "adapter.safetensors").exists():
        from safetensors.numpy import load_file

        weights = load_file(str(folder / "adapter.safetensors"))
    elif (folder / "pytorch_adapter.bin").exists():
        import torch

        state = torch.load(folder / "pytorch_adapter.bin", map_location="cpu", weights_only=True)
        weights = {k: v.float().numpy() for k, v in state.items()}
    else:
        raise AdapterMismatch(f"{folder}: neither adapter.safetensors nor pytorch_adapter.bin")
    for key, value in weights.items():
        require_finite(f"{folder}: {key}", value)
    return saved, weights


_KEY = re.compile(r"(?:^|\.)encoder\.layer\.(\d+)\.(attention\.output|output)\.adapters\.([^.]+)\.(.+)$")


def site_arrays(weights: dict[str, np.ndarray], name: str, placement: str, layers: int, first: int, where: str):
    """Per site, in the engine's order: (down [d, r], down bias [r], up [r, d], up bias [d])."""
    found: dict[tuple[int, str], dict[str, np.ndarray]] = {}
    for key, value in weights.items():
        m = _KEY.search(key)
        if m and m.group(3) == name:
            found.setdefault((int(m.group(1)), m.group(2)), {})[m.group(4)] = value
    kinds = ["attention.output", "output"] if placement == "houlsby" else ["output"]
    sites = []
    for layer in range(first, layers):
        for kind in kinds:
            part = found.pop((layer, kind), None)
            if part is None:
                raise AdapterMismatch(f"{where}: no adapter weights at encoder.layer.{layer}.{kind}")
            try:
                down, down_bias = part["adapter_down.0.weight"], part["adapter_down.0.bias"]
                up, up_bias = part["adapter_up.weight"], part["adapter_up.bias"]
            except KeyError as e:
                raise AdapterMismatch(f"{where}: encoder.layer.{layer}.{kind} has no {e.args[0]}") from None
            sites.append((down.T, down_bias, up.T, up_bias))  # torch Linear weights are [out, in]
    if found:
        layer, kind = sorted(found)[0]
        raise AdapterMismatch(f"{where}: weights at encoder.layer.{layer}.{kind}, where {placement} has no site")
    return sites


def import_adapters(folders: list[str | Path], model_config: dict) -> tuple[BankShape, dict[str, np.ndarray], str]:
    """Saved AdapterHub adapters (one per folder, same model and configuration) as one bank's arrays."""
    if not folders:
        raise AdapterMismatch("no adapter folders given")
    d, layers = int(model_config["hidden_size"]), int(model_config["num_hidden_layers"])
    shape: BankShape | None = None
    per_adapter = []
    names = []
    for folder in folders:
        where = str(folder)
        saved, weights = read_saved_adapter(folder)
        if saved.get("type", "bottleneck") not in ("bottleneck", None) or "config" not in saved:
            raise AdapterMismatch(f"{where}: type is {saved.get('type')!r}; only bottleneck adapters go in a bank")
        if saved.get("model_type") != model_config.get("model_type"):
            raise AdapterMismatch(
                f"{where}: model_type is {saved.get('model_type')!r}; the model is {model_config.get('model_type')!r}"
            )
        if int(saved.get("hidden_size", -1)) != d:
            raise AdapterMismatch(f"{where}: hidden_size is {saved.get('hidden_size')}; the model's is {d}")
        placement, activation, first = placement_of(saved["config"], where)
        if first >= layers:
            raise AdapterMismatch(f"{where}: config.leave_out leaves out all {layers} layers")
        sites = site_arrays(weights, saved["name"], placement, layers, first, where)
        r = sites[0][0].shape[1]
        for down, down_bias, up, up_bias in sites:
            if down.shape != (d, r) or down_bias.shape != (r,) or up.shape != (r, d) or up_bias.shape != (d,):
                raise AdapterMismatch(
                    f"{where}: adapter sizes differ across sites ({down.shape}, {up.shape}); the engine needs one r"
                )
        mine = BankShape(placement, activation, len(sites), len(folders), d, r, first)
        if shape is None:
            shape = mine
        else:
            for field in ("placement", "activation", "r", "first_layer"):
                if getattr(mine, field) != getattr(shape, field):
                    raise AdapterMismatch(
                        f"{where}: {field} is {getattr(mine, field)!r}, but {folders[0]} has {getattr(shape, field)!r}"
                    )
        per_adapter.append(sites)
        names.append(saved["name"])
    assert shape is not None
    arrays = {
        name: np.stack(
            [np.stack([per_adapter[i][s][j].reshape(-1) for i in range(shape.n)]) for s in range(shape.sites)]
        ).astype(np.float32)
        for j, name in enumerate(("down", "downBias", "up", "upBias"))
    }
    return shape, arrays, f"AdapterHub adapters: {', '.join(names)}"
