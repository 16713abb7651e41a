"""The builder resumes an output folder only from the same model, sources and recipe; `--fresh` clears an
earlier run; the adapters left to build are dealt out evenly over the ranks."""

import json
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import made_up_sources, write_tiny_model

from xpeft_bank.build import build, share
from xpeft_bank.manifest import MANIFEST, ResumeMismatch


@pytest.fixture(scope="module")
def first_run(tiny_model, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("first") / "out"
    return out, build(made_up_sources(), str(tiny_model), str(out))


@pytest.fixture
def earlier(first_run, tmp_path) -> Path:
    """A copy of the first run's output folder, to resume or clear."""
    return Path(shutil.copytree(first_run[0], tmp_path / "out"))


def test_a_run_resumes_the_same_run_rebuilding_only_what_is_missing(first_run, earlier, tiny_model):
    shutil.rmtree(earlier / "adapters" / "00001")
    summary = build(made_up_sources(), str(tiny_model), str(earlier))
    assert summary["trained"] == 1
    assert summary["fingerprint"] == first_run[1]["fingerprint"]


def relabelled():
    src = made_up_sources()
    src.sources[1]["history"][0]["label"] = 5 if src.sources[1]["history"][0]["label"] != 5 else 1
    return src


@pytest.mark.parametrize(
    "sources, other_model, names",
    [
        (lambda: made_up_sources(people=4), False, "sources"),  # a source more: it would join the old adapters
        (relabelled, False, "sources"),
        (lambda: made_up_sources(epochs=2), False, "recipe.epochs 1 (now 2)"),
        (lambda: made_up_sources(learning_rate=0.1), False, "recipe.learning_rate"),
        (made_up_sources, True, "model"),
    ],
    ids=["more sources", "a rating changed", "epochs", "learning rate", "model"],
)
def test_refuses_to_resume_a_run_from_another_model_sources_or_recipe(earlier, tiny_model, tmp_path,
                                                                     sources, other_model, names):
    model = write_tiny_model(tmp_path / "other", seed=1) if other_model else tiny_model
    before = {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()}
    with pytest.raises(ResumeMismatch, match=rf"{re.escape(names)}.*pass --fresh"):
        build(sources(), str(model), str(earlier))
    assert {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()} == before


def test_refuses_to_resume_a_folder_with_no_manifest(earlier, tiny_model):
    (earlier / MANIFEST).unlink()
    with pytest.raises(ResumeMismatch, match=rf"recorded no {MANIFEST}.*pass --fresh"):
        build(made_up_sources(), str(tiny_model), str(earlier))


def test_fresh_clears_an_earlier_run_and_rebuilds_everything(earlier, tiny_model):
    (earlier / "adapters" / "00007.partial").mkdir()
    (earlier / "notes.txt").write_text("not the builder's")
    src = made_up_sources(people=4, epochs=2)
    summary = build(src, str(tiny_model), str(earlier), resume=False)
    assert (summary["n"], summary["trained"]) == (4, 4)
    assert sorted(p.name for p in (earlier / "adapters").iterdir()) == ["00000", "00001", "00002", "00003"]
    assert (earlier / "notes.txt").exists()
    assert json.loads((earlier / MANIFEST).read_text())["recipe"]["epochs"] == 2
    assert build(src, str(tiny_model), str(earlier))["trained"] == 0  # and it resumes as the new run


def test_the_adapters_left_are_dealt_out_evenly_over_the_ranks():
    rng = random.Random(0)
    for _ in range(200):
        n, world = rng.randint(1, 40), rng.randint(1, 8)
        remaining = sorted(rng.sample(range(n), rng.randint(0, n)))
        parts = [share(remaining, rank, world) for rank in range(world)]
        assert sorted(sum(parts, [])) == remaining
        sizes = [len(p) for p in parts]
        assert max(sizes) - min(sizes) <= 1
    # Every even-numbered adapter built before: rank 1 would otherwise train all that is left.
    assert [share([1, 3, 5], rank, 2) for rank in (0, 1)] == [[1, 5], [3]]


def test_the_builder_refuses_a_non_finite_head_left_in_the_folder(earlier, tiny_model):
    saved = dict(np.load(earlier / "head.npz"))
    saved["bias"] = np.full_like(saved["bias"], np.nan)
    np.savez(earlier / "head.npz", **saved)
    with pytest.raises(ValueError, match=r"head\.npz: bias holds 1 non-finite"):
        build(made_up_sources(), str(tiny_model), str(earlier))
