"""The fact model of ``shared/spec/facts.md``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from baiqiang.extract.numbers import json_number

#: The JSON fields of a fact, in the order of facts.md.
FACT_FIELDS = ("indicator", "value", "unit", "value_std", "unit_std", "kind", "qualifier", "period", "quote")
KINDS = ("level", "added", "cumulative", "growth", "rank", "rate")
QUALIFIERS = ("exact", "at_least", "about", "at_most")


@dataclass(frozen=True)
class Fact:
    """One quantitative statement read from a text.

    ``start``/``end`` are character offsets of ``quote`` in the normalised
    text (:attr:`baiqiang.extract.layout.Layout.text`); they are provenance,
    not part of the JSON fact.
    """

    indicator: str
    value: float
    unit: str
    value_std: float
    unit_std: str
    kind: str
    qualifier: str = "exact"
    period: str = ""
    quote: str = ""
    start: int = 0
    end: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The fact as a JSON object with exactly the fields of facts.md."""
        d = asdict(self)
        out = {k: d[k] for k in FACT_FIELDS}
        out["value"] = json_number(self.value)
        out["value_std"] = json_number(self.value_std)
        return out
