"""Exports the default model to ONNX for the transformers.js comparison benchmark (npm run bench).

Writes models/all-MiniLM-L6-v2/onnx/model.onnx: the same safetensors weights as our encoder, as a
BertModel graph with inputs input_ids, attention_mask, token_type_ids and output last_hidden_state
(dynamic batch and sequence axes), the layout transformers.js's feature-extraction pipeline loads.
Needs /usr/bin/python3 with torch and transformers (as scripts/reference_fixtures.py).
Usage: npm run model:onnx  (or python3 scripts/export_onnx.py [model folder])
"""

import inspect
import sys
from pathlib import Path

import torch
from transformers import BertModel

folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "models" / "all-MiniLM-L6-v2")
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
