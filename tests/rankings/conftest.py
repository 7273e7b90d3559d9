from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from baiqiang.framework import parse_framework
from baiqiang.pipeline import read_panel, run

DATA = Path(__file__).parent / "data"
COUNTIES = DATA / "counties.csv"
BASE = yaml.safe_load((DATA / "base.yaml").read_text(encoding="utf-8"))
# Hand-computed scores of base.yaml over counties.csv (minmax 0-100, arithmetic means):
# gdp_n = A 100, B 75, C 50, D 37.5, E 25, F 0; revenue_n = A 100, B 0, C 40, D 20, E 60, F 80;
# patents_n = A 20, B 100, C 60, D 40, E 80, F 0.
ECON = {"A": 100.0, "B": 37.5, "C": 45.0, "D": 28.75, "E": 42.5, "F": 40.0}
INNOV = {"A": 20.0, "B": 100.0, "C": 60.0, "D": 40.0, "E": 80.0, "F": 0.0}
INDEX = {"A": 60.0, "B": 68.75, "C": 52.5, "D": 34.375, "E": 61.25, "F": 20.0}


def framework(**sections: Any):
    return parse_framework({**BASE, **sections}, source="test.yaml")


def build(fw, path: Path = COUNTIES):
    from baiqiang import rankings

    panel = read_panel(path, fw)
    return rankings.apply(run(fw, panel), fw, panel)


@pytest.fixture
def counties_csv() -> Path:
    return COUNTIES
