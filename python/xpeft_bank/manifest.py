"""What a build's output folder was made from: the model, the sources and the recipe, kept in manifest.json.

A run resumes a folder only when all three are the same, so the head and adapters it keeps are exactly
those it would have trained; anything else is refused, and `--fresh` clears what an earlier run wrote.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path

from .bankfile import model_fingerprint
from .sources import Sources

MANIFEST_FORMAT = "xpeft-build/1"
MANIFEST = "manifest.json"
# Everything a build writes in its output folder; nothing else there is touched.
OUTPUTS = ("adapters", "head.npz", "bank.safetensors", "summary.json", MANIFEST)


class ResumeMismatch(ValueError):
    """The output folder holds a run made from another model, other sources or another recipe."""


def sources_digest(src: Sources) -> str:
    """sha256 of the task, the source people (ids and histories) and the population, key order aside."""
    data = {"task": src.task, "sources": src.sources, "population": src.population}
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def build_manifest(src: Sources, model_dir: str | Path) -> dict:
    return {
        "format": MANIFEST_FORMAT,
        "model": model_fingerprint(model_dir),
        "sources": sources_digest(src),
        "recipe": asdict(src.recipe),
    }


def differences(old: dict, new: dict) -> list[str]:
    found = [f"{key} {old.get(key)!r} (now {new[key]!r})" for key in ("format", "model", "sources")
             if old.get(key) != new[key]]
    old_recipe = old.get("recipe") or {}
    found += [f"recipe.{key} {old_recipe.get(key)!r} (now {new['recipe'].get(key)!r})"
              for key in sorted(set(old_recipe) | set(new["recipe"])) if old_recipe.get(key) != new["recipe"].get(key)]
    return found


def check_resumable(out_dir: Path, manifest: dict) -> None:
    """Refuses (ResumeMismatch) to resume a folder whose earlier run differs from `manifest` or is unrecorded."""
    path = out_dir / MANIFEST
    if not path.exists():
        left = [name for name in OUTPUTS if (out_dir / name).exists()]
        if left:
            raise ResumeMismatch(
                f"{out_dir} holds {', '.join(left)} from a run that recorded no {MANIFEST}, so it cannot be "
                "resumed; pass --fresh to clear it and build from scratch"
            )
        return
    changed = differences(json.loads(path.read_text()), manifest)
    if changed:
        raise ResumeMismatch(
            f"{out_dir} was built from another model, sources or recipe ({'; '.join(changed)}), so its head and "
            "adapters cannot be resumed; pass --fresh to clear it and build from scratch, or choose another --out"
        )


def start_folder(out_dir: Path, manifest: dict, fresh: bool) -> None:
    """Clears an earlier run's outputs if `fresh`, then records `manifest` for the run that starts."""
    if fresh:
        for name in OUTPUTS:
            path = out_dir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    (out_dir / "adapters").mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
