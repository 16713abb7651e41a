"""Exports the default model to ONNX for the transformers.js comparison benchmark (npm run bench).

Writes models/all-MiniLM-L6-v2/onnx/model.onnx: the same safetensors weights as our encoder, as a
BertModel graph with inputs input_ids, attention_mask, token_type_ids and output last_hidden_state
(dynamic batch and sequence axes), the layout transformers.js's feature-extraction pipeline loads.
Runs in the project's Python environment, whose onnx extra torch.onnx.export writes through
(npm run python:setup installs it; an older .venv: .venv/bin/pip install -e 'python/[test,onnx]').
Usage: npm run model:onnx [-- model folder]  (or .venv/bin/python scripts/export_onnx.py [model folder])
"""

import inspect
import sys
from pathlib import Path

try:
    import onnx  # noqa: F401 (torch.onnx.export imports it; checked here to say what to install)
    import torch
    from transformers import BertModel
except ImportError as e:
    sys.exit(
        f"scripts/export_onnx.py needs the Python package {e.name!r}, missing from {sys.executable}.\n"
        "Run it in the project's environment with the onnx extra: npm run python:setup (or, for an\n"
        "older .venv, .venv/bin/pip install -e 'python/[test,onnx]'), then npm run model:onnx."
    )

folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "models" / "all-MiniLM-L6-v2")
if not (folder / "config.json").is_file() or not (folder / "model.safetensors").is_file():
    sys.exit(f"No model at {folder} (config.json and model.safetensors): run npm run model:fetch first.")
model = BertModel.from_pretrained(folder, add_pooling_layer=False).eval()


class LastHidden(torch.nn.Module):
    """BertModel by keyword (transformers 5 reordered forward's positional parameters)."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state


out = folder / "onnx" / "model.onnx"
out.parent.mkdir(exist_ok=True)
ids = torch.tensor([[101, 7592, 2088, 102]])
axes = {0: "batch", 1: "sequence"}
# torch >= 2.9 exports through dynamo by default, writing the weights to a separate .data file that
# transformers.js 2 cannot read; the TorchScript exporter writes one self-contained file.
legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
with torch.no_grad():
    torch.onnx.export(
        LastHidden(model),
        (ids, torch.ones_like(ids), torch.zeros_like(ids)),
        str(out),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
        opset_version=14,
        **legacy,
    )
print(f"wrote {out} ({out.stat().st_size} bytes)")
