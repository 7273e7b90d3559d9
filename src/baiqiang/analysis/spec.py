"""The uncertainty specification (``UA.yaml``) and how samples are decoded.

The uncertain choices of a framework are declared as data.  Each *factor* maps
one uniform number ``u`` in ``[0, 1)`` to a set of overrides on typed paths of
the methodology (``step.normalise.method``, ``weight.<code>`` ...), which the
engine validates and evaluates in batch (never ``eval``).  Four kinds::

    schema_version: 1
    target: Index               # aggregate whose rank is analysed (default: root)
    top_k: [10, 100]
    factors:
      - kind: choice            # categorical: one of several alternatives
        name: Normalisation
        alternatives:
          - {step.normalise.method: minmax, step.normalise.params.lower: 1, step.normalise.params.upper: 100}
          - {step.normalise.method: zscore, step.normalise.params.mean: 10, step.normalise.params.sd: 2}
        labels: ["min-max [1,100]", "z-score (10,2)"]
      - kind: choice            # short form: one path, several values
        name: Winmax
        path: step.treat.params.winmax
        values: [1, 2, 3, 4, 5]
      - kind: numeric           # a number with a distribution
        name: SkewThreshold
        path: step.treat.params.skew_thresh
        distribution: uniform
        low: 1.5
        high: 2.5
      - kind: weights           # weights perturbed by noise (COINr get_noisy_weights)
        name: Weights
        noise: {"2": 0.25, "3": 0.25}   # level (or code) -> noise factor
        n_sets: 100
      - kind: leave_one_out     # drop one indicator (weight 0), or none
        name: Exclusion
        codes: null             # null = every indicator

Mapping of ``u`` (documented in docs/analysis.md):

* a choice with ``k`` options takes option ``floor(k u)``: equal-width bins on
  ``[0, 1)``, each option with probability ``1/k``;
* a numeric factor takes ``F^{-1}(u)`` of its distribution (inverse CDF);
* weights with ``n_sets`` fixed noisy sets take set ``floor(n_sets u)``; the
  sets are drawn once, ``w' = w + (2 v - 1) f w``, ``v ~ U(0, 1)`` per code
  (COINr ``get_noisy_weights``); ``n_sets: null`` draws a fresh set per sample
  (uncertainty analysis only: a Sobol factor must be a function of ``u``);
* leave-one-out with ``k`` codes (plus "none" when ``include_none``) is a choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from baiqiang.errors import BaiqiangError, Problem, read_yaml, validation_problems

__all__ = [
    "ChoiceFactor",
    "Factor",
    "LeaveOneOutFactor",
    "NumericFactor",
    "StructureInfo",
    "UASpec",
    "WeightsFactor",
    "DecodedSamples",
    "decode_samples",
    "load_spec",
    "noisy_weight_sets",
]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceFactor(_Base):
    """A categorical choice between alternatives (each a dict of path overrides)."""

    kind: Literal["choice"]
    name: str
    path: str | None = None
    values: list[Any] | None = None
    alternatives: list[dict[str, Any]] | None = None
    labels: list[str] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "ChoiceFactor":
        short = self.path is not None or self.values is not None
        if short and self.alternatives is not None:
            raise ValueError("give either path + values or alternatives, not both")
        if short and (self.path is None or not self.values):
            raise ValueError("path and a non-empty values list go together")
        if not short and not self.alternatives:
            raise ValueError("a choice needs path + values or a non-empty alternatives list")
        if self.labels is not None and len(self.labels) != len(self.options()):
            raise ValueError(f"labels has {len(self.labels)} entries for {len(self.options())} options")
        return self

    def options(self) -> list[dict[str, Any]]:
        if self.alternatives is not None:
            return [dict(a) for a in self.alternatives]
        assert self.path is not None and self.values is not None
        return [{self.path: v} for v in self.values]

    def option_labels(self) -> list[str]:
        if self.labels is not None:
            return list(self.labels)
        if self.values is not None:
            return [str(v) for v in self.values]
        return [", ".join(f"{k}={v}" for k, v in a.items()) for a in self.options()]


class NumericFactor(_Base):
    """A numeric parameter with a distribution, sampled by inverse CDF."""

    kind: Literal["numeric"]
    name: str
    path: str
    distribution: Literal["uniform", "normal", "triangular", "integer"] = "uniform"
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None

    @model_validator(mode="after")
    def _params(self) -> "NumericFactor":
        need = {
            "uniform": ("low", "high"),
            "integer": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
        }[self.distribution]
        missing = [p for p in need if getattr(self, p) is None]
        if missing:
            raise ValueError(f"distribution {self.distribution!r} needs {', '.join(missing)}")
        if self.distribution != "normal" and not self.low < self.high:  # type: ignore[operator]
            raise ValueError("low must be smaller than high")
        if self.distribution == "triangular" and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError("mode must lie in [low, high]")
        if self.distribution == "normal" and not self.sd > 0:  # type: ignore[operator]
            raise ValueError("sd must be positive")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF: the parameter value for uniform numbers ``u``."""
        u = np.asarray(u, dtype=float)
        lo, hi = self.low, self.high
        if self.distribution == "uniform":
            return lo + (hi - lo) * u  # type: ignore[operator]
        if self.distribution == "integer":
            k = int(hi) - int(lo) + 1  # type: ignore[arg-type]
            return (int(lo) + np.minimum(np.floor(k * u), k - 1)).astype(float)  # type: ignore[arg-type]
        from scipy import stats  # here: SciPy's import costs ~0.5 s and only these two laws need it

        if self.distribution == "triangular":
            c = (self.mode - lo) / (hi - lo)  # type: ignore[operator]
            return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)  # type: ignore[operator]
        return stats.norm.ppf(u, loc=self.mean, scale=self.sd)


class WeightsFactor(_Base):
    """Weights perturbed by multiplicative uniform noise (COINr ``get_noisy_weights``)."""

    kind: Literal["weights"]
    name: str = "Weights"
    noise: dict[str, float]
    n_sets: int | None = Field(default=100, ge=1)

    @model_validator(mode="after")
    def _noise(self) -> "WeightsFactor":
        bad = [k for k, f in self.noise.items() if not 0 <= f <= 1]
        if bad:
            raise ValueError(f"noise factors must lie in [0, 1]: {', '.join(bad)}")
        return self


class LeaveOneOutFactor(_Base):
    """Leave one indicator out (its weight set to 0), or none."""

    kind: Literal["leave_one_out"]
    name: str = "Exclusion"
    codes: list[str] | None = None
    include_none: bool = True


Factor = Annotated[Union[ChoiceFactor, NumericFactor, WeightsFactor, LeaveOneOutFactor], Field(discriminator="kind")]


class UASpec(_Base):
    """An uncertainty / sensitivity specification."""

    schema_version: Literal[1] = 1
    target: str | None = None
    top_k: list[int] = Field(default_factory=lambda: [10])
    quantiles: tuple[float, float] = (0.05, 0.95)
    factors: list[Factor]

    @model_validator(mode="after")
    def _names(self) -> "UASpec":
        names = [f.name for f in self.factors]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate factor names: {', '.join(dup)}")
        if not self.factors:
            raise ValueError("at least one factor is needed")
        if not 0 <= self.quantiles[0] < self.quantiles[1] <= 1:
            raise ValueError("quantiles must satisfy 0 <= low < high <= 1")
        return self


SPEC_READ = {"missing": "找不到不确定性设定文件 / spec file not found", "directory": "是文件夹 / is a folder",
             "invalid": "不是有效的 YAML / not valid YAML: {}", "nested": "嵌套过深 / nested too deeply"}


def load_spec(source: str | Path | dict[str, Any]) -> UASpec:
    """Read and validate a ``UA.yaml`` (or an already-parsed mapping).

    Raises
    ------
    BaiqiangError
        Listing every problem found, each with its key path.
    """
    where = "UA spec"
    if not isinstance(source, dict):
        where = str(source)
        data = read_yaml(Path(source), BaiqiangError, SPEC_READ)
    else:
        data = source
    try:
        return UASpec.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc.errors(), where)
        raise BaiqiangError(problems, summary=f"{where}: 不确定性设定无效 / invalid spec") from None


@dataclass(frozen=True)
class StructureInfo:
    """What the sampler needs to know about a framework.

    ``codes``: every indicator and aggregate code; ``levels``: level of each code
    (1 = indicator); ``weights``: nominal weight of each code within its parent;
    ``indicators``: indicator codes.
    """

    codes: list[str]
    levels: dict[str, int]
    weights: dict[str, float]
    indicators: list[str]


def noisy_weight_sets(
    info: StructureInfo,
    noise: dict[str, float],
    n_sets: int,
    *,
    seed: int | np.random.Generator | None = None,
) -> tuple[list[str], np.ndarray]:
    """Draw noisy weight sets: ``w' = w + (2 v - 1) f w`` with ``v ~ U(0, 1)``.

    Parameters
    ----------
    info : StructureInfo
    noise : dict
        Noise factor ``f`` per level (key ``"2"``) or per code (key ``"Physical"``);
        a code key overrides its level's factor.
    n_sets : int
    seed : int, Generator or None

    Returns
    -------
    codes : list of str
        The perturbed codes (column order).
    sets : ndarray, shape (n_sets, n_codes)

    Notes
    -----
    Same distribution as COINr ``get_noisy_weights`` (R/sensitivity.R): each
    perturbed weight is uniform on ``[(1 - f) w, (1 + f) w]``, independently.
    """
    factors: dict[str, float] = {}
    problems: list[Problem] = []
    for key, f in noise.items():
        if key.lstrip("-").isdigit():
            lev = int(key)
            hit = [c for c in info.codes if info.levels.get(c) == lev]
            if not hit:
                problems.append(Problem(f"weights.noise.{key}", f"框架中没有第 {lev} 层 / no level {lev}", "spec"))
            for c in hit:
                factors.setdefault(c, f)
        elif key not in info.levels:
            problems.append(Problem(f"weights.noise.{key}", f"未知代码 / unknown code {key!r}", "spec"))
    for key, f in noise.items():
        if key in info.levels:
            factors[key] = f
    if problems:
        raise BaiqiangError(problems, summary="权重噪声设定无效 / invalid weight noise")
    codes = [c for c in info.codes if c in factors]
    w = np.array([info.weights[c] for c in codes])
    f = np.array([factors[c] for c in codes])
    rng = np.random.default_rng(seed)
    v = rng.random((n_sets, len(codes)))
    return codes, w + (2.0 * v - 1.0) * f * w


@dataclass(frozen=True)
class DecodedSamples:
    """Samples decoded into engine overrides.

    Attributes
    ----------
    keys : ndarray, shape (n, d)
        Per sample and factor: option index (choice, leave-one-out, weight set)
        or the numeric value.  Identical rows are identical variants.
    audit : DataFrame
        One row per sample, one readable column per factor (what was drawn).
    unique_variants : list of dict
        Override dicts for the distinct rows of ``keys``.
    inverse : ndarray, shape (n,)
        ``unique_variants[inverse[s]]`` is the variant of sample ``s``.
    """

    keys: np.ndarray
    audit: pd.DataFrame
    unique_variants: list[dict[str, Any]]
    inverse: np.ndarray


def _bins(u: np.ndarray, k: int) -> np.ndarray:
    return np.minimum(np.floor(np.asarray(u) * k), k - 1).astype(np.int64)


def decode_samples(
    spec: UASpec,
    u: np.ndarray,
    info: StructureInfo,
    *,
    seed: int | np.random.Generator | None = None,
    weight_sets: dict[str, tuple[list[str], np.ndarray]] | None = None,
) -> DecodedSamples:
    """Map uniform numbers ``u`` of shape ``(n, d)`` to engine overrides.

    ``weight_sets`` may give fixed sets per weights factor name (e.g. COINr's
    sets, for replay); otherwise they are drawn with ``seed``.  Distinct samples
    are decoded once (``unique_variants``) so the engine never evaluates the
    same methodology twice.
    """
    u = np.asarray(u, dtype=float)
    n, d = u.shape
    if d != len(spec.factors):
        raise ValueError(f"u has {d} columns for {len(spec.factors)} factors")
    rng = np.random.default_rng(seed)
    keys = np.empty((n, d))
    audit: dict[str, Any] = {}
    builders: list[Any] = []
    for j, fac in enumerate(spec.factors):
        col = u[:, j]
        if isinstance(fac, ChoiceFactor):
            opts, labels = fac.options(), fac.option_labels()
            k = _bins(col, len(opts))
            keys[:, j] = k
            audit[fac.name] = np.asarray(labels, dtype=object)[k]
            builders.append(lambda key, opts=opts: opts[int(key)])
        elif isinstance(fac, NumericFactor):
            vals = fac.ppf(col)
            keys[:, j] = vals
            audit[fac.name] = vals
            builders.append(lambda key, path=fac.path, integer=fac.distribution == "integer": {path: int(key) if integer else float(key)})
        elif isinstance(fac, LeaveOneOutFactor):
            codes = list(fac.codes) if fac.codes is not None else list(info.indicators)
            unknown = [c for c in codes if c not in info.indicators]
            if unknown:
                raise BaiqiangError.single(f"factor {fac.name}", f"不是指标 / not indicators: {', '.join(unknown)}", "spec")
            opts_loo: list[str | None] = ([None] if fac.include_none else []) + codes
            k = _bins(col, len(opts_loo))
            keys[:, j] = k
            audit[fac.name] = np.asarray(["(无)" if c is None else c for c in opts_loo], dtype=object)[k]
            builders.append(lambda key, o=opts_loo: {} if o[int(key)] is None else {f"weight.{o[int(key)]}": 0.0})
        else:  # WeightsFactor
            if weight_sets is not None and fac.name in weight_sets:
                wcodes, sets = weight_sets[fac.name]
                k = _bins(col, sets.shape[0])
            elif fac.n_sets is None:
                wcodes, sets = noisy_weight_sets(info, fac.noise, n, seed=rng)
                k = np.arange(n, dtype=np.int64)
            else:
                wcodes, sets = noisy_weight_sets(info, fac.noise, fac.n_sets, seed=rng)
                k = _bins(col, fac.n_sets)
            keys[:, j] = k
            audit[fac.name] = k + 1  # 1-based set number, as COINr's WeightSet
            builders.append(lambda key, wc=wcodes, s=sets: {f"weight.{c}": float(v) for c, v in zip(wc, s[int(key)])})
    uniq, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    variants: list[dict[str, Any]] = []
    for row in uniq:
        var: dict[str, Any] = {}
        for j, b in enumerate(builders):
            var.update(b(row[j]))
        variants.append(var)
    audit_df = pd.DataFrame(audit, index=pd.RangeIndex(1, n + 1, name="sample"))
    return DecodedSamples(keys=keys, audit=audit_df, unique_variants=variants, inverse=np.asarray(inverse).ravel())
