"""A tiny randomly initialised BERT folder (the real uncased tokenizer from ../shared/models) and a sources
file's worth of made-up people, so the builder runs end to end in seconds."""

import shutil
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertModel

from xpeft_bank.sources import Recipe, Sources

TOKENIZER = Path(__file__).resolve().parents[3] / "shared" / "models" / "bert-base-uncased-wordpiece"
WORDS = ["good", "bad", "fine", "awful", "great", "dull", "nice", "rude"]
TEXTS = [f"a {a} and {b} day" for a in WORDS for b in WORDS[:2]]


def write_tiny_model(folder: Path, seed: int) -> Path:
    torch.manual_seed(seed)
    config = BertConfig(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
                        max_position_embeddings=32)
    BertModel(config).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        shutil.copyfile(TOKENIZER / name, folder / name)
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("model"), seed=0)


def made_up_sources(people: int = 3, **recipe) -> Sources:
    """People rating texts 1–5 each in their own way; a population of three more."""
    def rating(p: int, i: int) -> int:
        return 1 + (i * (p + 2) + p) % 5

    sources = [{"id": f"person{p}", "history": [{"text": t, "label": rating(p, i)} for i, t in enumerate(TEXTS[:6])]}
               for p in range(people)]
    population = [{"text": t, "label": rating(p, i), "person": f"p{p}"} for i, t in enumerate(TEXTS) for p in (5, 6, 7)]
    base = {"placement": "seq-bn", "epochs": 1, "batch_size": 4, "max_length": 16, "population_texts": 16}
    return Sources({"kind": "regression"}, sources, population, Recipe(**{**base, **recipe}))
