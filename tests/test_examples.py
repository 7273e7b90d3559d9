"""Every framework and uncertainty spec the project ships loads, and the specs fit their frameworks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from baiqiang.analysis.engine import structure_info
from baiqiang.analysis.spec import decode_samples, load_spec
from baiqiang.framework import load_framework
from baiqiang.pipeline.variants import check_variants

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = sorted([*ROOT.glob("frameworks/*.yaml"), *ROOT.glob("examples/*/v*.yaml")])
SPECS = {
    ROOT / "examples/asem/ua.yaml": ROOT / "examples/asem/v1_default.yaml",
    ROOT / "frameworks/census_industrial_base_ua.yaml": ROOT / "frameworks/census_industrial_base.yaml",
}


@pytest.mark.parametrize("path", [p for p in FRAMEWORKS if not p.name.endswith("_ua.yaml")], ids=lambda p: p.name)
def test_shipped_frameworks_are_valid(path):
    assert load_framework(path).indicators


@pytest.mark.parametrize("spec_path", list(SPECS), ids=lambda p: p.name)
def test_shipped_uncertainty_specs_decode_to_valid_variants(spec_path):
    framework = load_framework(SPECS[spec_path])
    spec = load_spec(spec_path)
    u = np.random.default_rng(0).random((64, len(spec.factors)))
    decoded = decode_samples(spec, u, structure_info(framework), seed=1)
    assert len(decoded.unique_variants) > 1
    check_variants(framework, decoded.unique_variants)
