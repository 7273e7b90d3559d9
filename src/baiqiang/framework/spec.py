"""The framework file: the complete, declarative description of an index.

A framework fully determines a result: the indicator hierarchy (with
directions and weights), the unit universe, and the methodology as an ordered
list of steps.  It is plain data (YAML on disk), validated by pydantic for
shape and by :mod:`baiqiang.framework.validate` for meaning.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from baiqiang.framework.rankings import Rankings, Sources

SCHEMA_VERSION = 1

STEP_KINDS = ("denominate", "impute", "screen", "treat", "normalise", "weight", "aggregate", "rank")
"""Step kinds in the only order they may appear (weight/aggregate may repeat per level)."""

# Step kinds whose method comes from the method registry (family = kind).
METHOD_STEPS = ("impute", "treat", "normalise", "weight", "aggregate")
DEFAULT_METHOD = {"impute": "none", "treat": "winsorise", "normalise": "minmax", "weight": "manual", "aggregate": "arithmetic"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Name(_Model):
    """A bilingual name; a plain string in YAML is taken as the Chinese name."""

    zh: str = Field(min_length=1)
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"zh": value} if isinstance(value, str) else value

    def text(self, lang: str = "zh") -> str:
        return (self.en or self.zh) if lang == "en" else self.zh


class Indicator(_Model):
    """A leaf of the hierarchy: one column of the data."""

    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: Name
    parent: str
    direction: Literal[1, -1] = 1
    weight: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    unit: str | None = None
    transform: Literal["log", "log1p"] | None = Field(
        default=None, description="applied to the raw indicator before any other step: ln x, or ln(1 + x)"
    )
    definition: str | None = None
    denominator: str | None = Field(default=None, description="data column to divide by in the denominate step")
    target: float | None = Field(default=None, allow_inf_nan=False, description="target value for distance-to-target normalisation")
    goalposts: tuple[float, float] | None = Field(default=None, description="(worst, best) for goalpost normalisation")

    @field_validator("goalposts")
    @classmethod
    def _distinct_finite_goalposts(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None:
            if not all(math.isfinite(v) for v in value):
                raise ValueError("goalposts must be finite numbers")
            if value[0] == value[1]:
                raise ValueError("the worst and the best goalpost must differ")
        return value

    @field_validator("direction", mode="before")
    @classmethod
    def _direction_words(cls, value: Any) -> Any:
        words = {"higher": 1, "+": 1, "positive": 1, "正向": 1, "lower": -1, "-": -1, "negative": -1, "逆向": -1, "负向": -1}
        return words.get(value, value) if isinstance(value, str) else value


class Aggregate(_Model):
    """An inner node (pillar, sub-pillar, index); the root has no parent."""

    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: Name
    parent: str | None = None
    weight: float = Field(default=1.0, ge=0, allow_inf_nan=False)


class Step(_Model):
    """One methodology step.

    ``levels`` (weight and aggregate steps) lists the levels of the aggregates
    being formed: 2 forms pillars from indicators, 3 the level above, and so
    on.  ``aggregates`` names individual aggregates instead (e.g. one AHP
    matrix per pillar).  A step with neither covers every aggregate not
    claimed by another step of the same kind; ``aggregates`` wins over ``levels``.
    """

    step: Literal["denominate", "impute", "screen", "treat", "normalise", "weight", "aggregate", "rank"]
    id: str | None = Field(default=None, description="name used in typed paths; defaults to the step kind")
    method: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    levels: list[int] | None = None
    aggregates: list[str] | None = None

    @property
    def key(self) -> str:
        return self.id or self.step


class Universe(_Model):
    """Which rows of the data are ranked, and how they are identified."""

    code_column: str = "unit_code"
    name_column: str | None = "unit_name"
    attribute: str | None = Field(default=None, description="unit attribute that selects the universe, e.g. type")
    include: list[str] | None = None
    exclude: list[str] | None = None


class TimeComparison(_Model):
    """How builds of several years are kept comparable (``time:`` in the framework file).

    ``normalise`` is ``year`` (each year normalised on its own, the default),
    ``pooled`` (bounds from all years at once: COINr ``Normalise.purse(global =
    TRUE)``) or ``base_year`` (bounds fixed from ``base_year``).  With fixed
    bounds a unit's normalised value changes only when its own data do.
    """

    normalise: Literal["year", "pooled", "base_year"] = "year"
    base_year: int | None = Field(default=None, ge=1949, le=2100)

    @model_validator(mode="after")
    def _base_year_given(self) -> "TimeComparison":
        if (self.normalise == "base_year") != (self.base_year is not None):
            raise ValueError("`base_year` is given exactly when `normalise: base_year`")
        return self


class Framework(_Model):
    """A composite index: hierarchy, universe and methodology."""

    schema_version: Literal[1] = 1
    id: str = Field(min_length=1)
    name: Name
    description: str | None = None
    version: str | None = None
    level_names: list[Name] = Field(default_factory=list, description="names of levels 1 (indicators) to top")
    universe: Universe = Field(default_factory=Universe)
    groups: list[str] = Field(default_factory=list, description="unit attributes to rank within (e.g. province)")
    indicators: list[Indicator] = Field(min_length=1)
    aggregates: list[Aggregate] = Field(min_length=1)
    methodology: list[Step] = Field(default_factory=list)
    rankings: Rankings | None = Field(default=None, description="published lists built from the scores (see docs/framework.md#rankings)")
    sources: Sources | None = Field(default=None, description="order of preference among data sources of a cell")
    time: TimeComparison = Field(default_factory=TimeComparison)

    @property
    def nodes(self) -> list[Indicator | Aggregate]:
        """Indicators then aggregates, in file order."""
        return [*self.indicators, *self.aggregates]

    def step(self, key: str) -> Step | None:
        return next((s for s in self.methodology if s.key == key), None)
