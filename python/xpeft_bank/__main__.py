"""python -m xpeft_bank import --model <folder> --out <bank.safetensors> <adapter folders…>
torchrun --nproc_per_node P -m xpeft_bank build --model <folder> --sources <file> --out <folder>
python -m xpeft_bank predict --model <folder> --bank <bank.safetensors> --profile <file.xpeft> --texts <texts.json>

`import` turns adapters saved by AdapterHub's save_adapter() (adapter_config.json with adapter.safetensors or
pytorch_adapter.bin) into one bank file the engine loads, after checking that every adapter fits the
model and that all share one configuration; a misfit is refused, naming the field and the folder.
`build` trains a bank from a sources file (`npm run bank:sources`), see build.py; it resumes an earlier
run in the output folder only if that run had the same model, sources and recipe, and refuses otherwise;
`--fresh` clears what an earlier run left there and builds from scratch. `predict` prints a profile's raw
outputs for the texts (a JSON list) as JSON, computed in PyTorch (see predict.py).
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
    bld = commands.add_parser("build", help="a sources file → a trained bank (run under torchrun to spread it)")
    bld.add_argument("--model", required=True, help="the model folder (config.json, model.safetensors, tokenizer)")
    bld.add_argument("--sources", required=True, help="the sources file (npm run bank:sources)")
    bld.add_argument("--out", required=True,
                     help="the output folder: manifest.json, adapters/, head.npz, bank.safetensors")
    bld.add_argument("--fresh", action="store_true", help="clear an earlier run in --out and build from scratch")
    pre = commands.add_parser("predict", help="a profile's outputs for texts, computed in PyTorch")
    pre.add_argument("--model", required=True)
    pre.add_argument("--bank", required=True)
    pre.add_argument("--profile", required=True, help="a profile file (.xpeft, the engine's bytes)")
    pre.add_argument("--texts", required=True, help="a JSON file with a list of texts")
    pre.add_argument("--max-length", type=int, default=128)
    args = parser.parse_args(argv)

    if args.command == "predict":
        from .predict import predict
        from .profile import read_profile

        profile = read_profile(Path(args.profile).read_bytes())
        texts = json.loads(Path(args.texts).read_text())
        print(json.dumps(predict(args.model, args.bank, profile, texts, args.max_length).tolist()))
        return 0

    if args.command == "build":
        from .build import build
        from .manifest import ResumeMismatch
        from .sources import read_sources

        try:
            build(read_sources(args.sources), args.model, args.out, resume=not args.fresh)
        except ResumeMismatch as e:
            print(f"refused: {e}", file=sys.stderr)
            return 1
        return 0

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
