"""The world every bad-input case starts from: small good files and a store, copied per case."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from baiqiang.data.store import Indicator, Store

ROOT = Path(__file__).resolve().parents[2]
ASEM = ROOT / "examples" / "asem"

#: Six real counties with two indicators in two years.
UNITS = {"330784": "永康市", "330782": "义乌市", "320583": "昆山市", "320281": "江阴市", "330282": "慈溪市",
         "320322": "沛县"}
GDP = {"2019": [600.0, 1400.0, 4000.0, 3800.0, 1900.0, 900.0], "2020": [700.0, 1500.0, 4200.0, 4000.0, 2000.0, 950.0]}
POP = {"2019": [96.0, 185.0, 206.0, 163.0, 180.0, 110.0], "2020": [96.4, 186.0, 209.0, 165.0, 183.0, 111.0]}

FRAMEWORK = """\
schema_version: 1
id: small
name: {zh: 小框架, en: Small}
universe: {code_column: code, name_column: name}
indicators:
  - {code: gdp, name: {zh: 地区生产总值, en: GDP}, parent: Index, weight: 1}
  - {code: pop, name: {zh: 常住人口, en: Population}, parent: Index, weight: 1}
aggregates:
  - {code: Index, name: {zh: 总指数, en: Index}}
methodology:
  - {step: normalise, method: minmax, params: {lower: 0, upper: 100}}
  - {step: aggregate, method: arithmetic}
"""

UA_SPEC = """\
schema_version: 1
target: Index
factors:
  - kind: weights
    name: Weights
    noise: {"1": 0.25}
    n_sets: 10
"""


@dataclass
class World:
    """Paths of the good inputs inside one case's directory."""

    dir: Path
    framework: Path
    data: Path
    store: Path
    text: Path
    spec: Path
    extra: dict[str, Path] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.dir / name


def data_csv(year: str = "2020") -> str:
    rows = ["code,name,gdp,pop"] + [f"{c},{n},{g},{p}" for (c, n), g, p in zip(UNITS.items(), GDP[year], POP[year])]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """A directory with the good files and a store holding 2019 and 2020 (built once)."""
    d = tmp_path_factory.mktemp("world")
    (d / "fw.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (d / "data.csv").write_text(data_csv(), encoding="utf-8")
    (d / "data2019.csv").write_text(data_csv("2019"), encoding="utf-8")
    (d / "ua.yaml").write_text(UA_SPEC, encoding="utf-8")
    (d / "report.txt").write_text("2023年，全市实现地区生产总值745.6亿元，比上年增长6.1%。", encoding="utf-8")
    with Store(d / "s.duckdb") as s:
        s.ensure_registry()
        s.ensure_catalog()
        s.upsert_indicators([Indicator("pop", "常住人口（框架）", unit="万人")])
        for year in ("2019", "2020"):
            obs = pd.DataFrame({"unit_code": list(UNITS) * 2, "indicator": ["gdp"] * 6 + ["pop"] * 6,
                                "year": int(year), "value": GDP[year] + POP[year]})
            s.add_observations(obs, source=f"seed {year}")
    return d


@pytest.fixture()
def world(template, tmp_path) -> World:
    for f in template.iterdir():
        shutil.copy2(f, tmp_path / f.name)
    return World(tmp_path, tmp_path / "fw.yaml", tmp_path / "data.csv", tmp_path / "s.duckdb",
                 tmp_path / "report.txt", tmp_path / "ua.yaml")


def store_rows(path: Path) -> list[tuple] | None:
    """Every row of every table of a store, sorted, for 'unchanged row for row' (None if no store)."""
    if not path.exists():
        return None
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        out: list[tuple] = []
        for t in tables:
            cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall() if r[0] not in ("created_at", "changed_at",
                                                                                      "updated_at")]
            out += [(t, *r) for r in con.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY ALL").fetchall()]
        return out
    finally:
        con.close()


Setup = Callable[[World], None]
