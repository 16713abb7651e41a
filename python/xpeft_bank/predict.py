"""A profile's answers in PyTorch: its mask composes the bank's adapters into one AdapterHub adapter
per site (the weighted mean of the chosen adapters, as the engine composes them), which runs on the
model; the mean-pooled vectors go through the bank's shared head (or the profile's own) plus the
profile's bias offset. Used to check that a profile trained in the browser answers the same here.
Profiles that mix their adapters' outputs instead (mix "outputs") are refused.
"""

from __future__ import annotations

import adapters
import numpy as np
import torch
from adapters import BnConfig
from transformers import BertModel, BertTokenizerFast

from .adapterhub import config_for
from .bankfile import bank_identity, model_fingerprint, read_bank_file
from .build import mean_pool
from .profile import Profile


def predict(model_dir: str, bank_path: str, profile: Profile, texts: list, max_length: int = 128) -> np.ndarray:
    """Raw outputs [texts, outputs] of the profile's model, as the engine's Engine.outputs gives them."""
    if profile.mix != "weights":
        raise ValueError(f"the profile mixes its adapters' {profile.mix}; predict composes only their weights")
    shape, arrays, meta = read_bank_file(bank_path)
    if profile.bank_fingerprint != bank_identity(meta["fingerprint"], arrays):
        raise ValueError(f"the profile is for bank {profile.bank_fingerprint}, not {bank_path}")
    if profile.model_fingerprint != model_fingerprint(model_dir):
        raise ValueError("the profile is for another model")
    wa, wb = profile.weights()
    mixed = {
        "down": np.einsum("sn,snx->sx", wa, arrays["down"]),
        "downBias": np.einsum("sn,snx->sx", wa, arrays["downBias"]),
        "up": np.einsum("sn,snx->sx", wb, arrays["up"]),
        "upBias": np.einsum("sn,snx->sx", wb, arrays["upBias"]),
    }
    model = BertModel.from_pretrained(model_dir).eval()
    adapters.init(model)
    config = config_for(shape.placement, shape.activation, shape.d / shape.r, shape.first_layer)
    model.add_adapter("profile", config=BnConfig(**config))
    kinds = ["attention.output", "output"] if shape.placement == "houlsby" else ["output"]
    where = [(layer, kind) for layer in range(shape.first_layer, model.config.num_hidden_layers) for kind in kinds]
    params = dict(model.named_parameters())
    with torch.no_grad():
        for s, (layer, kind) in enumerate(where):
            p = f"encoder.layer.{layer}.{kind}.adapters.profile."
            params[p + "adapter_down.0.weight"].copy_(torch.from_numpy(mixed["down"][s].reshape(shape.d, shape.r).T.copy()))
            params[p + "adapter_down.0.bias"].copy_(torch.from_numpy(mixed["downBias"][s]))
            params[p + "adapter_up.weight"].copy_(torch.from_numpy(mixed["up"][s].reshape(shape.r, shape.d).T.copy()))
            params[p + "adapter_up.bias"].copy_(torch.from_numpy(mixed["upBias"][s]))
    model.set_active_adapters("profile")
    tokenizer = BertTokenizerFast.from_pretrained(model_dir)
    with torch.no_grad():
        enc = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        pooled = mean_pool(model(**enc).last_hidden_state, enc["attention_mask"]).numpy()
    weight, bias = profile.head if profile.head is not None else (arrays["head.weight"], arrays["head.bias"])
    out = pooled @ weight + bias
    return out + profile.offset if profile.offset is not None else out

