"""Fact extraction: Chinese reports in, indicator facts out.

>>> from baiqiang.extract import extract_facts
>>> [f.to_dict()["value_std"] for f in extract_facts("全市地区生产总值达731.1亿元，同比增长6.5%。")]
[73110000000, 6.5]

See ``docs/extract.md`` for the fact model, the rules and the lexicons.
"""

from baiqiang.extract.extractor import extract_facts, extract_layout
from baiqiang.extract.layout import Layout, normalise
from baiqiang.extract.lexicon import Lexicon, load_lexicon
from baiqiang.extract.model import FACT_FIELDS, Fact

__all__ = ["FACT_FIELDS", "Fact", "Layout", "Lexicon", "extract_facts", "extract_layout", "load_lexicon", "normalise"]
