"""A hand-made firm data set (five firms in two counties) whose indicators are computed by hand in the tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from baiqiang.firms.codes import uscc_check_character
from baiqiang.firms.importer import import_firms

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "firms" / "sample"
RECIPES = ROOT / "recipes" / "caict_style.yaml"


def uscc(county: str, serial: int) -> str:
    """A valid 统一社会信用代码 for a test firm."""
    first17 = f"91{county}{serial:09d}"
    return first17 + uscc_check_character(first17)


E1, E2, E3, E4, E5 = (uscc("320582", 1), uscc("320582", 2), uscc("320582", 3), uscc("330282", 4), uscc("330282", 5))

ENTERPRISES = pd.DataFrame({
    "uscc": [E1, E2, E3, E4, E5],
    "name": ["甲汽车有限公司", "乙电池有限公司", "丙商贸有限公司", "丁药业有限公司", "戊印染有限公司"],
    "county": ["320582", "320582", "320582", "330282", "330282"],
    "industry": ["C3612", "3841", "F5137", "2710", "C1713"],
    "registered": ["2010-01-01", "2023-03-01", "2015-01-01", "2000-05-05", "2005-01-01"],
    "exited": ["", "", "2023-06-30", "", ""],
    "status": ["存续", "存续", "注销", "存续", "存续"],
    "size": ["大型", "小型", "微型", "中型", "小型"],
})
YEARS = pd.DataFrame(
    [  # uscc, year, above_scale, revenue, output, value_added, employees, exports, rd, energy
        (E1, 2022, "是", 150000, 120000, 30000, 1000, 20000, 3000, 5000),
        (E1, 2023, "是", 180000, 150000, 36000, 1100, 0, 4000, 5500),
        (E2, 2023, "是", 5000, 4000, 1000, 100, 1000, 0, 200),
        (E4, 2022, "是", 60000, 50000, 15000, 500, 5000, 2000, 3000),
        (E4, 2023, "是", 70000, 60000, 18000, 520, 6000, 2500, 3300),
        (E5, 2023, "否", 1500, 1400, 300, 40, 0, 0, 100),
    ],
    columns=["uscc", "year", "above_scale", "revenue", "output", "value_added", "employees", "exports", "rd", "energy"],
)
DESIGNATIONS = pd.DataFrame({
    "uscc": [E1, E2, E4, E4],
    "type": ["专精特新小巨人", "高新技术企业", "高新技术企业", "制造业单项冠军"],
    "level": ["国家", "国家", "国家", "国家"],
    "granted": [2021, 2023, 2019, 2022],
    "revoked": ["", "", "2023", ""],
})
PATENTS = pd.DataFrame({"uscc": [E1, E4], "year": [2023, 2023], "invention": [5, 2], "utility_model": [3, 0], "design": [0, 1]})
PROJECTS = pd.DataFrame({"uscc": [E1, E4], "year": [2023, 2023], "project_id": ["P1", "P2"],
                         "type": ["数字化转型", "绿色制造"], "investment": [800, 300]})


def write_tiny(folder: Path) -> Path:
    """The hand-made tables as CSV files (enterprise_years as Hive-partitioned Parquet, as a platform exports it)."""
    folder.mkdir(parents=True, exist_ok=True)
    ENTERPRISES.to_csv(folder / "enterprises.csv", index=False)
    for year, part in YEARS.groupby("year"):
        (folder / "enterprise_years" / f"year={year}").mkdir(parents=True)
        part.drop(columns="year").astype({"above_scale": str}).to_parquet(folder / "enterprise_years" / f"year={year}" / "part-0.parquet")
    DESIGNATIONS.to_csv(folder / "designations.csv", index=False)
    PATENTS.to_csv(folder / "patents.csv", index=False)
    PROJECTS.to_csv(folder / "projects.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made tables imported through the real importer."""
    root = tmp_path_factory.mktemp("tiny")
    import_firms(write_tiny(root / "input"), root / "dataset")
    return root / "dataset"
