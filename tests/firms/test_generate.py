"""The synthetic registry: reproducible, valid for the importer, placed and calibrated as documented."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from baiqiang.firms.census import census_panel
from baiqiang.firms.codes import uscc_problems
from baiqiang.firms.generate import NATIONAL_TOTALS, REFERENCE_FIRMS, generate
from baiqiang.firms.importer import import_firms

N = 100_000


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "a"
    generate(N, out, seed=3)
    return out


def test_same_seed_same_files(registry: Path, tmp_path: Path) -> None:
    again = generate(N, tmp_path / "b", seed=3)
    other = generate(N, tmp_path / "c", seed=4)
    from baiqiang.firms.importer import read_manifest

    assert again.data_checksum == read_manifest(registry)["data_checksum"]
    assert other.data_checksum != again.data_checksum


def test_codes_are_valid_and_unique(registry: Path) -> None:
    codes = duckdb.sql(f"SELECT uscc FROM '{registry}/enterprises/*.parquet'").df()["uscc"].to_numpy(dtype=object)
    assert len(codes) == N and len(set(codes)) == N
    assert (uscc_problems(codes) == "").all()


def test_designations_match_the_scaled_national_totals(registry: Path) -> None:
    got = dict(duckdb.sql(f"SELECT type || '/' || level, count(*) FROM '{registry}/designations/*.parquet' "
                          "GROUP BY ALL").fetchall())
    for key, (total, _source) in NATIONAL_TOTALS.items():
        if key != "above_scale":
            assert got.get(key, 0) == round(total * N / REFERENCE_FIRMS), key


def test_above_scale_firms_near_the_published_share(registry: Path) -> None:
    n = duckdb.sql(f"SELECT count(*) FROM '{registry}/enterprise_years/year=2022/*.parquet' WHERE above_scale").fetchall()[0][0]
    target = NATIONAL_TOTALS["above_scale"][0] * N / REFERENCE_FIRMS
    assert 0.7 * target < n < 1.3 * target


def test_industrial_firms_follow_census_employment(registry: Path) -> None:
    counts = duckdb.sql(f"SELECT county, count(*) AS n FROM '{registry}/enterprises/*.parquet' "
                        "WHERE section IN ('B', 'C', 'D') GROUP BY county").df().set_index("county")["n"]
    emp = census_panel()["industry_emp_est"].reindex(counts.index)
    assert np.corrcoef(counts.to_numpy(float), emp.to_numpy(float))[0, 1] > 0.9


def test_generated_registry_passes_the_importer(tmp_path: Path) -> None:
    small = generate(5_000, tmp_path / "gen", seed=1)
    result = import_firms(tmp_path / "gen", tmp_path / "data")
    assert result.rows == small.rows


def test_the_shipped_sample_is_what_the_documented_command_makes(tmp_path: Path) -> None:
    """docs/platform.md: `baiqiang firms generate -o examples/firms/sample --n 40000 --seed 7`."""
    from baiqiang.firms.importer import read_manifest

    shipped = Path(__file__).resolve().parents[2] / "examples" / "firms" / "sample"
    assert generate(40_000, tmp_path / "s", seed=7).data_checksum == read_manifest(shipped)["data_checksum"]


def test_chunks_keep_codes_unique_and_totals_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Firms are drawn chunk by chunk; designations are one draw over all chunks (merged top-k)."""
    import baiqiang.firms.generate as gen

    monkeypatch.setattr(gen, "CHUNK", 7_000)
    n = 20_000
    out = tmp_path / "chunked"
    result = gen.generate(n, out, seed=2)
    assert len(list((out / "enterprises").glob("*.parquet"))) == 3
    codes = duckdb.sql(f"SELECT uscc FROM '{out}/enterprises/*.parquet'").df()["uscc"]
    assert codes.is_unique and len(codes) == n
    designated = duckdb.sql(f"SELECT d.type || '/' || d.level AS k, count(*) AS c, count(e.uscc) AS known "
                            f"FROM '{out}/designations/*.parquet' d LEFT JOIN '{out}/enterprises/*.parquet' e "
                            "USING (uscc) GROUP BY ALL").df().set_index("k")
    for key, (total, _source) in NATIONAL_TOTALS.items():
        if key != "above_scale":
            expected = round(total * n / REFERENCE_FIRMS)
            got = designated.reindex([key]).fillna(0).iloc[0]
            assert got["c"] == got["known"] == expected, key
    assert result.rows["enterprises"] == n
