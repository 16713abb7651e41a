"""The sources file both bank builders read: the task, each source person's history, the population's
labels and the recipe (written by `npm run bank:sources`, from ../shared/data)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SOURCES_FORMAT = "xpeft-sources/1"


@dataclass
class Recipe:
    placement: str = "pfeiffer"
    activation: str = "relu"
    first_layer: int = 0
    r: int | None = None  # default hidden size / 16, as the engine's builder
    epochs: int = 3
    batch_size: int = 16
    max_length: int = 64
    learning_rate: float = 1e-2
    population_texts: int = 300
    seed: int = 0
    # Each source adapter trains beside its own bias offset, started at the source's mean residual and
    # dropped afterwards (the engine's BuildBankOptions.sourceBias), at this Adam rate.
    source_bias: bool = False
    bias_learning_rate: float = 1e-2


@dataclass
class Sources:
    task: dict
    sources: list[dict]  # {"id": str, "history": [{"text": …, "label": …}]}
    population: list[dict]  # {"text": …, "label": …, "person": … (optional)}
    recipe: Recipe = field(default_factory=Recipe)
    description: str = ""
    dataset: str = ""
    licence: str = ""

    def target(self, label) -> float | int:
        """A label as the loss needs it: a float (regression) or the class index."""
        if self.task["kind"] == "regression":
            return float(label)
        return self.task["labels"].index(label)

    @property
    def outputs(self) -> int:
        return 1 if self.task["kind"] == "regression" else len(self.task["labels"])


def read_sources(path: str | Path) -> Sources:
    data = json.loads(Path(path).read_text())
    if data.get("format") != SOURCES_FORMAT:
        raise ValueError(f"{path}: format is {data.get('format')!r}; expected {SOURCES_FORMAT!r}")
    task = data["task"]
    if task.get("kind") not in ("regression", "classification"):
        raise ValueError(f"{path}: task.kind must be regression or classification; got {task.get('kind')!r}")
    if not data["sources"]:
        raise ValueError(f"{path}: no source people")
    known = {k: v for k, v in data.get("recipe", {}).items() if k in Recipe.__dataclass_fields__}
    return Sources(
        task, data["sources"], data["population"], Recipe(**known),
        data.get("description", ""), data.get("dataset", ""), data.get("licence", ""),
    )
