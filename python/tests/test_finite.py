"""NaN and infinities are refused wherever weights are written or read, naming the tensor; the population
head cannot be fitted on nothing."""

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file, save_file
from test_import import MODEL, save_adapter
from transformers import BertModel, BertTokenizerFast

from xpeft_bank.adapterhub import import_adapters
from xpeft_bank.bankfile import BANK_FORMAT, BankShape, bank_fingerprint, read_bank_file, write_bank_file
from xpeft_bank.build import Ranks, fit_head, head_objective
from xpeft_bank.finite import NonFiniteTensorError
from xpeft_bank.sources import Sources

SHAPE = BankShape("seq-bn", "relu", sites=2, n=3, d=4, r=2)


def arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {name: rng.normal(size=s).astype(np.float32) for name, s in SHAPE.array_shapes().items()}


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_the_bank_writer_refuses_non_finite_arrays(tmp_path, value):
    bad = arrays()
    bad["up"][1, 2, 3] = value
    with pytest.raises(NonFiniteTensorError, match=r"bank array up holds 1 non-finite value.* at index \(1, 2, 3\)"):
        write_bank_file(tmp_path / "bank.safetensors", SHAPE, bad, "0" * 64, "test")
    assert not (tmp_path / "bank.safetensors").exists()


def test_the_bank_writer_refuses_a_non_finite_head(tmp_path):
    head = (np.zeros((4, 2), np.float32), np.array([0.0, np.nan], np.float32))
    with pytest.raises(NonFiniteTensorError, match="bank array head.bias"):
        write_bank_file(tmp_path / "bank.safetensors", SHAPE, arrays(), "0" * 64, "test", head)


def test_the_bank_reader_refuses_non_finite_arrays(tmp_path):
    """A file whose fingerprint matches its weights, one of which is NaN (as another writer could make)."""
    bad = arrays()
    bad["downBias"][0, 0, 1] = np.nan
    meta = {"format": BANK_FORMAT, "placement": "seq-bn", "activation": "relu", "sites": "2", "n": "3", "d": "4",
            "r": "2", "fingerprint": bank_fingerprint(SHAPE, bad), "modelFingerprint": "0" * 64, "trainedOn": "test"}
    save_file(bad, str(tmp_path / "bank.safetensors"), metadata=meta)
    with pytest.raises(NonFiniteTensorError, match="bank array downBias"):
        read_bank_file(tmp_path / "bank.safetensors")


def test_the_importer_refuses_non_finite_adapter_weights(tmp_path):
    folder = save_adapter(tmp_path / "a", "a")
    weights = load_file(str(folder / "adapter.safetensors"))
    key = "encoder.layer.2.output.adapters.a.adapter_up.weight"
    weights[key][0, 0] = np.inf
    save_file(weights, str(folder / "adapter.safetensors"))
    with pytest.raises(NonFiniteTensorError, match=key.replace(".", r"\.")):
        import_adapters([folder], MODEL)


def test_the_head_is_not_fitted_on_an_empty_population(tiny_model):
    src = Sources({"kind": "regression"}, [{"id": "a", "history": []}], [])
    model, tokenizer = BertModel.from_pretrained(tiny_model), BertTokenizerFast.from_pretrained(tiny_model)
    with pytest.raises(ValueError, match="population has no labelled texts"):
        fit_head(src, model, tokenizer, Ranks(), steps=2)


@pytest.mark.parametrize("task", [{"kind": "regression"}, {"kind": "classification", "labels": ["no", "yes"]}])
def test_a_rank_without_population_rows_adds_nothing_to_the_head_fit(task):
    src = Sources(task, [], [])
    head = torch.nn.Linear(4, src.outputs)
    loss = head_objective(src, head(torch.zeros(0, 4)), torch.zeros(0), total=10, world=2)
    loss.backward()
    assert loss.item() == 0.0
    assert all(torch.equal(p.grad, torch.zeros_like(p)) for p in head.parameters())


def test_the_ranks_share_of_the_head_loss_adds_up_to_the_population_mean():
    src = Sources({"kind": "regression"}, [], [])
    outputs, targets = torch.tensor([[1.0], [2.0], [4.0]]), torch.tensor([0.0, 0.0, 0.0])
    shares = [head_objective(src, outputs[rows], targets[rows], total=3, world=2) for rows in ([0], [1, 2])]
    assert torch.isclose(sum(shares) / 2, torch.tensor((1 + 4 + 16) / 3))
