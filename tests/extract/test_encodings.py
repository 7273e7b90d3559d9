"""GBK and traditional-character input through the CLI give the facts of UTF-8 simplified input."""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pytest
from typer.testing import CliRunner

from baiqiang.cli.main import app
from baiqiang.extract.layout import to_simplified

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _run(path: Path) -> list[tuple]:
    res = runner.invoke(app, ["extract", str(path), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line]
    # quotes come from the normalised (OpenCC t2s) text; compare them after the same conversion
    return [(r["indicator"], r["value"], r["unit"], r["value_std"], r["unit_std"], r["kind"], r["qualifier"],
             r["period"], to_simplified(r["quote"])) for r in rows]


@pytest.fixture(scope="module")
def reference() -> list[tuple]:
    return _run(DATA / "bulletin_raw.txt")


def _traditional(text: str) -> str:
    return opencc.OpenCC("s2t").convert(text)


@pytest.mark.parametrize("variant", ["gbk", "gb18030", "traditional-utf8", "traditional-gbk", "utf8-bom"])
def test_encoded_or_traditional_input_gives_the_same_facts(variant, reference, tmp_path):
    raw = (DATA / "bulletin_raw.txt").read_text("utf-8")
    text = _traditional(raw) if variant.startswith("traditional") else raw
    assert variant == "utf8-bom" or text != raw or variant in ("gbk", "gb18030")
    data = {"gbk": lambda t: t.encode("gbk"), "gb18030": lambda t: t.encode("gb18030"),
            "traditional-utf8": lambda t: t.encode("utf-8"), "traditional-gbk": lambda t: t.encode("gbk"),
            "utf8-bom": lambda t: t.encode("utf-8-sig")}[variant](text)
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    assert len(reference) >= 56
    assert _run(path) == reference


def test_traditional_seed_round_trips_through_opencc():
    """The check above is meaningful: s2t changes the text and t2s gives it back."""
    raw = (DATA / "bulletin_raw.txt").read_text("utf-8")
    assert _traditional(raw) != raw and to_simplified(_traditional(raw)) == raw
