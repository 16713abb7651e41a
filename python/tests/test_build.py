"""The builder's source-bias start: the offset that removes a head's average error, as the engine's
residualBias computes it (src/xpeft/head.ts), checked by hand."""

import math

import torch

from xpeft_bank.build import residual_offset
from xpeft_bank.sources import Sources


def sources(task: dict) -> Sources:
    return Sources(task, [{"id": "a", "history": []}], [])


def test_regression_offset_is_the_mean_residual():
    outputs = torch.tensor([[2.0], [3.0], [1.0]])
    offset = residual_offset(sources({"kind": "regression"}), outputs, [4.0, 4.0, 4.0])
    assert offset.shape == (1,)
    assert math.isclose(offset.item(), 2.0, rel_tol=1e-6)  # residuals 2, 1, 3


def test_classification_offset_moves_each_logit_by_log_prior_over_mean_probability():
    task = {"kind": "classification", "labels": ["no", "yes"]}
    outputs = torch.zeros(4, 2)  # the head says 50/50 everywhere
    offset = residual_offset(sources(task), outputs, [1, 1, 1, 0])
    # Add-one smoothed priors: no 2/6, yes 4/6; mean probabilities 1/2 each.
    assert torch.allclose(offset, torch.tensor([math.log(2 / 6 / 0.5), math.log(4 / 6 / 0.5)]), atol=1e-6)
