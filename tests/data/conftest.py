"""Fixtures for the data-layer tests: a store with a tiny catalog."""

from __future__ import annotations

import pytest

from baiqiang.data.registry import Registry
from baiqiang.data.store import Indicator, Store


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.load()


@pytest.fixture()
def store(tmp_path, registry):
    s = Store(tmp_path / "t.duckdb")
    s.load_registry(registry.units)
    s.upsert_indicators([
        Indicator("gdp", "地区生产总值", "GDP", "亿元", "", ("GDP", "生产总值")),
        Indicator("pop", "常住人口", "Population", "万人", "", ("人口",)),
        Indicator("sex_ratio", "性别比", "Sex ratio", "女=100", ""),
        Indicator("birth", "出生率", "Birth rate", "%", ""),
    ])
    yield s
    s.close()
