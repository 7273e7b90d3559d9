"""The added-vs-level CRF: which calls it makes, and that the shipped model is the script's output."""

from __future__ import annotations

from baiqiang.extract import extract_facts, learned, training
from baiqiang.extract.layout import normalise
from baiqiang.extract.extractor import extract_layout
from baiqiang.extract.lexicon import load_lexicon


def fuzzy(text: str) -> list[str]:
    layout = normalise(text)
    lex = load_lexicon()
    return [f.indicator for f in extract_layout(layout, lexicon=lex, model=False)
            if learned.is_fuzzy(layout.text, f, lex)]


def test_only_counts_without_a_verb_cue_are_left_to_the_model() -> None:
    # 新增 and 共有 are cues (rules decide), money and % never go to the model
    assert fuzzy("全县新增企业12家，共有企业300家，完成投资5亿元，增长5%。") == []
    assert fuzzy("全年转移农村劳动力6204人。") == ["转移农村劳动力"]


def test_rules_stay_authoritative_where_they_fire() -> None:
    got = [(f.indicator, f.kind) for f in extract_facts("全县新增企业12家，共有企业300家。")]
    assert got == [("新增企业", "added"), ("企业", "level")]


def test_shipped_model_is_reproduced_by_the_training_script(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "kind.crfsuite"
    training.train(training.sequences(), path)
    assert path.read_bytes() == learned.MODEL.read_bytes()
