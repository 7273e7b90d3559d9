"""`baiqiang build` writes exactly what the pandas build path wrote (golden files from bf7d0d4).

The golden files in data/golden were written by the build as it was before the
pandas-free path (``baiqiang build`` at bf7d0d4, pandas 3.1): scores.csv field by
field, method.json without its run stamps, every cell of results.xlsx (value and
quote prefix).  Texts, integers, ranks and the file's layout (line endings,
column order, number format) must be identical; real numbers agree to 1e-12
relative, because another CPU's BLAS and SIMD kernels sum in another order and
change the last bit (the golden files were written on an Intel machine; an AMD
EPYC gives last-digit differences in 6 of ASEM's 1,100 scores).  The small panel has missing cells in every form the reader knows
(empty, NA, an em dash, a hyphen), a thousands separator, a unit without a name,
formula-like names, a unit outside the universe, one screened out and one without
a group.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from baiqiang.cli.main import app

GOLDEN = Path(__file__).parent / "data" / "golden"
ASEM = Path(__file__).resolve().parents[2] / "examples" / "asem"
CASES = {
    "asem": (ASEM / "v1_default.yaml", ASEM / "asem_data.csv"),
    "nan_panel": (GOLDEN / "nan_panel.yaml", GOLDEN / "nan_panel.csv"),
}
#: Fields of method.json that say when and with what the build ran, not what it computed.
RUN_STAMPS = ("created", "python", "numpy", "baiqiang_version")


def workbook_cells(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's cells as values, a quote-prefixed text cell as ``["quote", text]``."""
    wb = load_workbook(path)
    return {ws.title: [[["quote", c.value] if c.quotePrefix else c.value for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets}


def same_within_rounding(ours: object, golden: object) -> bool:
    """Equal, except that two floats may differ by 1e-12 relative (a float printed as text counts as a float)."""
    if isinstance(ours, dict) and isinstance(golden, dict):
        return ours.keys() == golden.keys() and all(same_within_rounding(ours[k], golden[k]) for k in ours)
    if isinstance(ours, list) and isinstance(golden, list):
        return len(ours) == len(golden) and all(map(same_within_rounding, ours, golden))
    if isinstance(ours, float) and isinstance(golden, float):
        return math.isclose(ours, golden, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(ours, str) and isinstance(golden, str) and ours != golden and _real(ours) and _real(golden):
        try:
            return math.isclose(float(ours), float(golden), rel_tol=1e-12, abs_tol=1e-12)
        except ValueError:
            return False
    return type(ours) is type(golden) and ours == golden


def _real(text: str) -> bool:
    """Whether ``text`` is a real number written with a decimal point and nothing around it."""
    return "." in text and text == text.strip()


def csv_fields(data: bytes) -> list[list[str]]:
    """Lines split into fields, keeping the line ending in the last field (the layout must match too)."""
    return [line.split(",") for line in data.decode("utf-8").splitlines(keepends=True)]


def test_same_within_rounding_tells_rounding_from_change():
    assert same_within_rounding(["CHE", "56.933051190128445", 1], ["CHE", "56.93305119012844", 1])
    assert not same_within_rounding(["CHE", "56.94", 1], ["CHE", "56.93", 1])
    assert not same_within_rounding(["CHE", "56.9\r\n"], ["CHE", "56.9\n"])  # line endings are compared as text
    assert same_within_rounding({"s": [0.1 + 0.2]}, {"s": [0.3]}) and not same_within_rounding({"s": [1]}, {"t": [1]})
    assert not same_within_rounding([1], [1.0]) and not same_within_rounding(["1.0"], ["1.0", "2.0"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_outputs_equal_the_pandas_path(tmp_path, case):
    framework, data = CASES[case]
    result = CliRunner().invoke(app, ["build", str(framework), str(data), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    scores = csv_fields((tmp_path / "scores.csv").read_bytes())
    assert same_within_rounding(scores, csv_fields((GOLDEN / f"{case}_scores.csv").read_bytes()))
    record = json.loads((tmp_path / "method.json").read_text(encoding="utf-8"))
    for key in RUN_STAMPS:
        record.pop(key)
    record["data"]["source"] = Path(record["data"]["source"]).name  # the path the test was given
    assert record == json.loads((GOLDEN / f"{case}_method.json").read_text(encoding="utf-8"))
    cells = json.loads(json.dumps(workbook_cells(tmp_path / "results.xlsx"), ensure_ascii=False))
    assert same_within_rounding(cells, json.loads((GOLDEN / f"{case}_cells.json").read_text(encoding="utf-8")))


#: ``read_panel(...).checksum`` at bf7d0d4, when the panel was a DataFrame from the start: the checksum
#: hashes the panel's DataFrame, so equal values mean the frame built from the arrays is that frame.
PANEL_CHECKSUMS = {
    "asem": "ee947fc9fdf69bc9961a40038aa33470c01eb785e3b9840eccb83d17bdee4eff",
    "nan_panel": "8745d1cac8f63237d567d91e13deea58a47707a4bf42998a5191d61701796ee5",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_panel_read_into_arrays_has_the_frame_and_checksum_it_had(case):
    from baiqiang.framework import load_framework
    from baiqiang.pipeline import read_panel
    from baiqiang.pipeline.panel import required_columns

    framework, data = CASES[case]
    fw = load_framework(framework)
    panel = read_panel(data, fw)
    assert panel.checksum == PANEL_CHECKSUMS[case]
    selected = panel.select(fw)
    assert selected.checksum == PANEL_CHECKSUMS[case]  # a selection keeps the whole panel's checksum
    needed = required_columns(fw)
    assert {c for c, t in panel.frame.dtypes.items() if t == "float64"} == {*needed["indicator"], *needed["denominator"]}
    assert {str(t) for t in panel.frame.dtypes} == {"float64", "object"}  # text as read_table gave it, not str
    if case == "nan_panel":
        assert selected.excluded.index.tolist() == ["E05"] and selected.excluded["reason"].tolist() == ["outside the universe (type)"]
        assert panel.names.isna().tolist() == [False, False, False, True, False, False, False, False]  # D04 has no name
