from __future__ import annotations

from pathlib import Path

import pytest

from baiqiang.framework import load_framework
from baiqiang.pipeline import read_panel

ROOT = Path(__file__).resolve().parents[2]
ASEM = ROOT / "examples" / "asem"
ORACLE = Path(__file__).parent / "data" / "coinr"
VARIANTS = sorted(p.name for p in ORACLE.iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def asem_framework():
    return load_framework(ASEM / "v1_default.yaml")


@pytest.fixture(scope="session")
def asem_panel(asem_framework):
    return read_panel(ASEM / "asem_data.csv", asem_framework)
