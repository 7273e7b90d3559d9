"""docs/methods.md is generated from the registry and must match it exactly."""

from __future__ import annotations

from pathlib import Path

from baiqiang.methods import methods
from baiqiang.methods.docs import render, source

DOC = Path(__file__).resolve().parents[2] / "docs" / "methods.md"


def test_docs_methods_md_equals_rendered_registry() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/methods.md is stale: run `python -m baiqiang.methods.docs`"
    )


def test_every_method_has_a_row_with_formula_and_source() -> None:
    text = render()
    for m in methods():
        assert f"| `{m.qualname}` |" in text
        assert m.summary and source(m), m.qualname
