"""Reference outputs of the PyTorch / Hugging Face BertModel for the encoder parity tests.

Writes tests/fixtures/minilm-reference.{json,safetensors}: token ids, last hidden states and pooled
vectors for single sentences, sentence pairs, a padded batch and a long (truncated) input, plus the
same computation with fixed random adapters at Pfeiffer and Houlsby sites.

Usage: python3 scripts/reference_fixtures.py [model folder]   (needs torch, transformers, safetensors)
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import BertModel, BertTokenizerFast

ROOT = Path(__file__).resolve().parent.parent
MODEL = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "all-MiniLM-L6-v2"
OUT = ROOT / "tests" / "fixtures"

LONG = " ".join(
    ["The committee reviewed every proposal in detail before the final vote on the annual budget."] * 60
)
CASES = {
    "single": ["A man is playing a guitar."],
    "unicode": ["Héllo wörld: naïve café, 東京 and émojis 😀 don't break WordPiece!"],
    "pair": [["How old are you?", "What is your age?"]],
    "padded": [
        "Short.",
        "A somewhat longer sentence that needs more word pieces than the first one.",
        ["Is this a pair inside a batch?", "Yes, it is mixed with single sentences."],
    ],
    "long": [LONG],
}
# Adapter parity cases: (case, placement, activation, bottleneck r).
ADAPTER_CASES = [("padded", "pfeiffer", "relu", 8), ("pair", "houlsby", "gelu", 4)]


def tokenize(tokenizer, inputs, max_length):
    singles = [x if isinstance(x, str) else x[0] for x in inputs]
    pairs = [None if isinstance(x, str) else x[1] for x in inputs]
    rows = [
        tokenizer(a, b, truncation=True, max_length=max_length, return_token_type_ids=True)
        for a, b in zip(singles, pairs)
    ]
    T = max(len(r["input_ids"]) for r in rows)
    ids = torch.zeros(len(rows), T, dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(rows):
        n = len(r["input_ids"])
        ids[i, :n] = torch.tensor(r["input_ids"])
        types[i, :n] = torch.tensor(r["token_type_ids"])
        mask[i, :n] = 1
    return ids, types, mask


def random_adapters(d, sites, r, seed):
    g = torch.Generator().manual_seed(seed)
    return [
        {
            "down": torch.randn(d, r, generator=g) * 0.1,
            "downBias": torch.randn(r, generator=g) * 0.1,
            "up": torch.randn(r, d, generator=g) * 0.1,
            "upBias": torch.randn(d, generator=g) * 0.1,
        }
        for _ in range(sites)
    ]


def install_adapters(model, placement, activation, adapters):
    """Adds h + act(h·down + b)·up + b after each site's dense layer, before its residual LayerNorm."""
    act = torch.relu if activation == "relu" else F.gelu
    hooks, i = [], 0
    for layer in model.encoder.layer:
        modules = [layer.attention.output.dense] if placement == "houlsby" else []
        modules.append(layer.output.dense)
        for module in modules:
            a = adapters[i]
            i += 1
            hooks.append(
                module.register_forward_hook(
                    lambda _m, _in, h, a=a: h + act(h @ a["down"] + a["downBias"]) @ a["up"] + a["upBias"]
                )
            )
    return hooks


def run(model, ids, types, mask):
    with torch.no_grad():
        hidden = model(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).float()
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return hidden, mean, hidden[:, 0]


def main():
    tokenizer = BertTokenizerFast.from_pretrained(MODEL)
    model = BertModel.from_pretrained(MODEL, add_pooling_layer=False).eval()
    max_length = model.config.max_position_embeddings
    tensors, index = {}, {"model": MODEL.name, "cases": {}, "adapterCases": []}

    def record(name, inputs, hooks_setup=None):
        ids, types, mask = tokenize(tokenizer, inputs, max_length)
        hooks = hooks_setup() if hooks_setup else []
        hidden, mean, cls = run(model, ids, types, mask)
        for h in hooks:
            h.remove()
        for key, t in [("input_ids", ids), ("token_type_ids", types), ("attention_mask", mask)]:
            tensors[f"{name}.{key}"] = t.float().contiguous()
        tensors[f"{name}.hidden"] = hidden.contiguous()
        tensors[f"{name}.mean"] = mean.contiguous()
        tensors[f"{name}.cls"] = cls.clone().contiguous()

    for name, inputs in CASES.items():
        record(name, inputs)
        index["cases"][name] = inputs

    d, L = model.config.hidden_size, model.config.num_hidden_layers
    for seed, (case, placement, activation, r) in enumerate(ADAPTER_CASES):
        sites = L * (2 if placement == "houlsby" else 1)
        adapters = random_adapters(d, sites, r, seed)
        name = f"{case}+{placement}"
        record(name, CASES[case], lambda: install_adapters(model, placement, activation, adapters))
        for i, a in enumerate(adapters):
            for key, t in a.items():
                tensors[f"{name}.adapter.{i}.{key}"] = t.contiguous()
        index["adapterCases"].append(
            {"name": name, "case": case, "placement": placement, "activation": activation, "r": r, "sites": sites}
        )

    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUT / "minilm-reference.safetensors"))
    (OUT / "minilm-reference.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(tensors)} tensors to {OUT}")


if __name__ == "__main__":
    main()
