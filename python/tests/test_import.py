"""The importer turns saved AdapterHub adapters into a bank, and refuses misfits naming the field."""

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from xpeft_bank.adapterhub import AdapterMismatch, config_for, import_adapters
from xpeft_bank.bankfile import BankShape, bank_fingerprint, read_bank_file, write_bank_file

MODEL = {"model_type": "bert", "hidden_size": 8, "num_hidden_layers": 3}


def save_adapter(folder: Path, name: str, placement="seq-bn", first=0, r=2, d=8, seed=0, **overrides) -> Path:
    """What save_adapter() writes, for a model like MODEL: adapter_config.json and adapter.safetensors."""
    rng = np.random.default_rng(seed)
    config = {**config_for(placement, "relu", d / r, first), **overrides}
    folder.mkdir(parents=True)
    meta = {"type": "bottleneck", "config": config, "hidden_size": d, "model_type": "bert", "name": name}
    (folder / "adapter_config.json").write_text(json.dumps(meta))
    weights = {}
    kinds = ["attention.output", "output"] if placement == "houlsby" else ["output"]
    for layer in range(first, MODEL["num_hidden_layers"]):
        for kind in kinds:
            p = f"encoder.layer.{layer}.{kind}.adapters.{name}."
            weights[p + "adapter_down.0.weight"] = rng.normal(size=(r, d)).astype(np.float32)
            weights[p + "adapter_down.0.bias"] = rng.normal(size=(r,)).astype(np.float32)
            weights[p + "adapter_up.weight"] = rng.normal(size=(d, r)).astype(np.float32)
            weights[p + "adapter_up.bias"] = rng.normal(size=(d,)).astype(np.float32)
    save_file(weights, str(folder / "adapter.safetensors"))
    return folder


def test_imports_adapters_in_the_engine_layout(tmp_path):
    a = save_adapter(tmp_path / "a", "a", placement="houlsby", first=1, seed=1)
    b = save_adapter(tmp_path / "b", "b", placement="houlsby", first=1, seed=2)
    shape, arrays, trained_on = import_adapters([a, b], MODEL)
    assert shape == BankShape("houlsby", "relu", sites=4, n=2, d=8, r=2, first_layer=1)
    assert trained_on == "AdapterHub adapters: a, b"
    # Site 1 is layer 1's feed-forward output; adapter b is the second; down is stored [d, r].
    from safetensors.numpy import load_file

    w = load_file(str(b / "adapter.safetensors"))
    torch_down = w["encoder.layer.1.output.adapters.b.adapter_down.0.weight"]  # [r, d]
    assert np.array_equal(arrays["down"][1, 1].reshape(8, 2), torch_down.T)
    torch_up = w["encoder.layer.1.output.adapters.b.adapter_up.weight"]  # [d, r]
    assert np.array_equal(arrays["up"][1, 1].reshape(2, 8), torch_up.T)


def test_bank_file_round_trip_and_fingerprint(tmp_path):
    folders = [save_adapter(tmp_path / n, n, seed=i) for i, n in enumerate("xyz")]
    shape, arrays, trained_on = import_adapters(folders, MODEL)
    fp = write_bank_file(tmp_path / "bank.safetensors", shape, arrays, "0" * 64, trained_on)
    read_shape, read_arrays, meta = read_bank_file(tmp_path / "bank.safetensors")
    assert read_shape == shape and meta["fingerprint"] == fp and "firstLayer" not in meta
    assert all(np.array_equal(read_arrays[k], arrays[k]) for k in arrays)
    arrays["up"][0, 0, 0] += 1
    assert bank_fingerprint(shape, arrays) != fp


def test_the_engine_fixture_fingerprints_agree():
    """The committed bank files were checked by the engine (tests/adapterhub-parity.test.ts)."""
    fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
    index = json.loads((fixtures / "adapterhub-reference.json").read_text())
    for bank in index["banks"].values():
        _, _, meta = read_bank_file(fixtures / bank["file"])
        assert meta["fingerprint"] == bank["fingerprint"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"use_gating": True}, "config.use_gating"),
        ({"scaling": 2.0}, "config.scaling"),
        ({"non_linearity": "tanh"}, "config.non_linearity"),
        ({"leave_out": [1]}, "config.leave_out"),
        ({"ln_after": True}, "config flags"),
    ],
)
def test_refuses_configurations_the_engine_does_not_compute(tmp_path, overrides, field):
    folder = save_adapter(tmp_path / "a", "a", **overrides)
    with pytest.raises(AdapterMismatch, match=field):
        import_adapters([folder], MODEL)


def test_refuses_adapters_for_another_model_or_of_other_sizes(tmp_path):
    wide = save_adapter(tmp_path / "wide", "wide", d=16)
    with pytest.raises(AdapterMismatch, match="hidden_size is 16; the model's is 8"):
        import_adapters([wide], MODEL)
    a = save_adapter(tmp_path / "a", "a", r=2)
    b = save_adapter(tmp_path / "b", "b", r=4)
    with pytest.raises(AdapterMismatch, match="r is 4, but .* has 2"):
        import_adapters([a, b], MODEL)
    h = save_adapter(tmp_path / "h", "h", placement="houlsby")
    with pytest.raises(AdapterMismatch, match="placement is 'houlsby', but .* has 'seq-bn'"):
        import_adapters([a, h], MODEL)
    with pytest.raises(AdapterMismatch, match="model_type is 'bert'; the model is 'roberta'"):
        import_adapters([a], {**MODEL, "model_type": "roberta"})


def test_refuses_missing_or_extra_sites(tmp_path):
    short = save_adapter(tmp_path / "short", "short", first=1)
    cfg = json.loads((short / "adapter_config.json").read_text())
    cfg["config"]["leave_out"] = []  # claims every layer, has weights from layer 1 up
    (short / "adapter_config.json").write_text(json.dumps(cfg))
    with pytest.raises(AdapterMismatch, match="no adapter weights at encoder.layer.0.output"):
        import_adapters([short], MODEL)
    with pytest.raises(AdapterMismatch, match="no adapter_config.json"):
        import_adapters([tmp_path], MODEL)
