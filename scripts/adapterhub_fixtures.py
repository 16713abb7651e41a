"""Reference outputs of AdapterHub adapters on the real model, for the engine's AdapterHub parity test.

Adds random bottleneck adapters to all-MiniLM-L6-v2 with AdapterHub's adapters library — SeqBnConfig
(relu, sites from layer 3) and DoubleSeqBnConfig (swish, sites from layer 4) — saves them with
save_adapter() (one bank's as safetensors, the other's as pytorch_adapter.bin), turns each bank's
folders into a bank file with `python -m xpeft_bank import`'s code, and records PyTorch's last hidden
states with each single adapter active and with one adapter whose weights are the mean of k of them
(what a hard k-of-N mask composes).

Writes tests/fixtures/adapterhub-{seq-bn,houlsby}.safetensors (bank files) and
tests/fixtures/adapterhub-reference.{json,safetensors}.

Usage: pip install -e python/ && python3 scripts/adapterhub_fixtures.py [model folder]
"""

import json
import sys
import tempfile
from pathlib import Path

import adapters
import numpy as np
import torch
from adapters import BnConfig
from safetensors.torch import save_file
from transformers import BertModel, BertTokenizerFast

from xpeft_bank.adapterhub import config_for, import_adapters
from xpeft_bank.bankfile import model_fingerprint, write_bank_file

ROOT = Path(__file__).resolve().parent.parent
MODEL = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "all-MiniLM-L6-v2"
OUT = ROOT / "tests" / "fixtures"
TEXTS = ["You are a complete idiot and everyone knows it.", "What a lovely day for a walk."]
# bank name: (placement, activation, first layer, adapters, the k averaged, save as safetensors)
BANKS = {
    "seq-bn": ("seq-bn", "relu", 3, 3, [0, 2], True),
    "houlsby": ("houlsby", "swish", 4, 2, [0, 1], False),
}
REDUCTION = 64  # r = 384 / 64 = 6: small fixtures


def randomize(model, name: str, gen: torch.Generator) -> None:
    """Weights large enough that every adapter changes the output clearly."""
    for key, p in model.named_parameters():
        if f".adapters.{name}." in key:
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=gen) * (0.2 if "adapter_up" in key else 0.05))


def main() -> None:
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(7)
    tokenizer = BertTokenizerFast.from_pretrained(MODEL)
    model = BertModel.from_pretrained(MODEL).eval()
    adapters.init(model)
    model_config = json.loads((MODEL / "config.json").read_text())
    enc = tokenizer(TEXTS, padding=True, return_tensors="pt")
    reference = {
        "input_ids": enc["input_ids"].to(torch.float32),
        "attention_mask": enc["attention_mask"].to(torch.float32),
    }
    with torch.no_grad():
        reference["plain.hidden"] = model(**enc).last_hidden_state[:, :, :].contiguous()
    index = {"texts": TEXTS, "banks": {}}
    for bank, (placement, activation, first, n, chosen, safetensors) in BANKS.items():
        config = BnConfig(**config_for(placement, activation, REDUCTION, first))
        names = [f"{bank}-{i}" for i in range(n)]
        with tempfile.TemporaryDirectory() as tmp:
            folders = []
            for name in names:
                model.add_adapter(name, config=config)
                randomize(model, name, gen)
                folder = Path(tmp) / name
                folder.mkdir()
                model.save_adapter(str(folder), name, use_safetensors=safetensors)
                folders.append(folder)
            shape, arrays, trained_on = import_adapters(folders, model_config)
        fingerprint = write_bank_file(
            OUT / f"adapterhub-{bank}.safetensors", shape, arrays, model_fingerprint(MODEL), trained_on
        )
        with torch.no_grad():
            for i, name in enumerate(names):
                model.set_active_adapters(name)
                reference[f"{bank}.single{i}.hidden"] = model(**enc).last_hidden_state.contiguous()
            # One adapter whose every weight is the mean of the chosen adapters' weights.
            model.add_adapter(f"{bank}-mean", config=config)
            params = dict(model.named_parameters())
            for key, p in params.items():
                if f".adapters.{bank}-mean." in key:
                    parts = [params[key.replace(f"{bank}-mean", names[i])] for i in chosen]
                    p.copy_(torch.stack(parts).mean(0))
            model.set_active_adapters(f"{bank}-mean")
            reference[f"{bank}.mean.hidden"] = model(**enc).last_hidden_state.contiguous()
            model.set_active_adapters(None)
        index["banks"][bank] = {
            "file": f"adapterhub-{bank}.safetensors",
            "fingerprint": fingerprint,
            "placement": placement,
            "activation": activation,
            "firstLayer": first,
            "n": n,
            "meanOf": chosen,
        }
    save_file(reference, str(OUT / "adapterhub-reference.safetensors"))
    (OUT / "adapterhub-reference.json").write_text(json.dumps(index, indent=2) + "\n")
    shift = {k: float((v - reference["plain.hidden"]).abs().max()) for k, v in reference.items() if k.endswith(".hidden")}
    print("max change from the plain model:", {k: round(v, 3) for k, v in shift.items()})


if __name__ == "__main__":
    main()
