"""python -m xpeft_bank import --model <folder> --out <bank.safetensors> <adapter folders…>

Turns adapters saved by AdapterHub's save_adapter() (adapter_config.json with adapter.safetensors or
pytorch_adapter.bin) into one bank file the engine loads, after checking that every adapter fits the
model and that all share one configuration; a misfit is refused, naming the field and the folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .adapterhub import AdapterMismatch, import_adapters
from .bankfile import model_fingerprint, write_bank_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xpeft_bank")
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="saved AdapterHub adapters → one bank file")
    imp.add_argument("--model", required=True, help="the model folder (config.json, model.safetensors)")
    imp.add_argument("--out", required=True, help="the bank file to write")
    imp.add_argument("folders", nargs="+", help="one saved adapter per folder; their order is the bank's")
    args = parser.parse_args(argv)

    model_config = json.loads((Path(args.model) / "config.json").read_text())
    try:
        shape, arrays, trained_on = import_adapters(args.folders, model_config)
    except AdapterMismatch as e:
        print(f"refused: {e}", file=sys.stderr)
        return 1
    fingerprint = write_bank_file(args.out, shape, arrays, model_fingerprint(args.model), trained_on)
    print(
        f"{args.out}: {shape.n} adapters, {shape.placement} ({shape.activation}), {shape.sites} sites"
        f"{f' from layer {shape.first_layer}' if shape.first_layer else ''}, r={shape.r}; fingerprint {fingerprint}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
