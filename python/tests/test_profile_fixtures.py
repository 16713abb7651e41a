"""The Python profile reader accepts and refuses the same files as the engine's decoder
(tests/profile-fixtures.test.ts reads the same manifest; scripts/profile_fixtures.py writes them)."""

import json
from pathlib import Path

import numpy as np
import pytest

from xpeft_bank.finite import NonFiniteTensorError
from xpeft_bank.profile import ProfileFormatError, read_profile

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "profiles"
CASES = json.loads((FIXTURES / "manifest.json").read_text())["cases"]


def case_id(case: dict) -> str:
    return case["file"]


@pytest.mark.parametrize("case", [c for c in CASES if c["accept"]], ids=case_id)
def test_reads_what_the_engine_reads(case):
    want = case["expected"]
    p = read_profile((FIXTURES / case["file"]).read_bytes())
    assert (p.mode, p.mix, p.placement, p.sites, p.n, p.k) == (
        want["mode"], want["mix"], want["placement"], want["sites"], want["n"], want["k"])
    assert (p.model_fingerprint, p.bank_fingerprint) == (want["modelFingerprint"], want["bankFingerprint"])
    assert np.array_equal(p.scores, np.reshape(want["scores"], (2 * p.sites, p.n)))
    if want["head"] is None:
        assert p.head is None
    else:
        h = want["head"]
        assert np.array_equal(p.head[0], np.reshape(h["weight"], (h["inputs"], h["outputs"])))
        assert np.array_equal(p.head[1], h["bias"])
    if want["offset"] is None:
        assert p.offset is None
    else:
        assert np.array_equal(p.offset, want["offset"])


@pytest.mark.parametrize("case", [c for c in CASES if not c["accept"]], ids=case_id)
def test_refuses_what_the_engine_refuses(case):
    with pytest.raises((ProfileFormatError, NonFiniteTensorError), match="invalid X-PEFT profile") as refused:
        read_profile((FIXTURES / case["file"]).read_bytes())
    assert case["message"] in str(refused.value)


@pytest.mark.parametrize("file", ["soft-score-nan.xpeft", "head-weight-inf.xpeft", "offset-minus-inf.xpeft"])
def test_non_finite_values_are_their_own_error(file):
    with pytest.raises(NonFiniteTensorError):
        read_profile((FIXTURES / file).read_bytes())
