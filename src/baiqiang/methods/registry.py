"""The method registry: every kernel is registered by family and name.

A method is a small pure function over NumPy arrays plus a table of parameter
constraints (declared as data, after scikit-learn's ``_parameter_constraints``).
Built-in methods register through the same :func:`register` decorator that a
user's own methods use, so the framework validator, the JSON Schema and the
documentation all read one table.

Array conventions (all kernels)
-------------------------------
* Data arrays carry a leading batch axis: ``x`` has shape ``(B, n_units, n_cols)``.
  ``B`` is the number of methodology variants evaluated at once.
* Missing values are ``NaN``: ignored when a statistic is computed, kept missing
  in the output (unless the kernel is an imputation).
* Scalar numeric parameters may be given as a Python number or as an array of
  shape ``(B,)`` (one value per variant); use :func:`per_variant` to broadcast.
  String and list parameters are structural: one value for the whole batch.

Declared inputs
---------------
Besides the data and its parameters a kernel may need inputs the framework or
the data supply.  Every kernel of a family receives that family's standard
inputs (:data:`FAMILY_INPUTS`: ``direction`` for normalisation, ``prior``
for weighting, the weights ``w`` for aggregation).  Any further input is
*declared* on the registry entry (``inputs=``, names from :data:`INPUTS`), so
the framework compiler can check that the framework supplies it and the engine
passes exactly what is declared (nothing is found by signature inspection at
run time).  ``groups`` is read from the unit attribute named by the parameter
``attribute_param`` declares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any, Callable, Iterable

import numpy as np

FAMILIES = ("impute", "treat", "normalise", "weight", "aggregate")

INPUTS = {
    "targets": "per-indicator target value (the framework's `target:`)",
    "goalposts": "per-indicator (worst, best) goalposts (the framework's `goalposts:`)",
    "groups": "integer group codes of a unit attribute (-1: no group)",
}
"""Inputs a kernel may declare beyond its family's standard ones, with what supplies them."""

FAMILY_INPUTS = {"impute": (), "treat": (), "normalise": ("direction",), "weight": ("prior",), "aggregate": ()}
"""Keyword inputs every kernel of a family receives (aggregation kernels take ``w`` positionally)."""


class Constraint:
    """A rule one parameter value must satisfy."""

    def check(self, value: Any) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def check_many(self, values: np.ndarray) -> np.ndarray:
        """Element-wise :meth:`check` of a 1-D array (subclasses vectorise it)."""
        return np.array([self.check(v.item() if isinstance(v, np.generic) else v) for v in values], dtype=bool)

    def describe(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:  # pragma: no cover - interface
        raise NotImplementedError


def _values(value: Any) -> Iterable[Any]:
    """A per-variant parameter is checked value by value."""
    if isinstance(value, np.ndarray):
        return value.ravel().tolist()
    return [value]


@dataclass(frozen=True)
class Interval(Constraint):
    """A real (or integer) number in ``[low, high]``; ``None`` means unbounded.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"``.
    """

    kind: type = Real
    low: float | None = None
    high: float | None = None
    closed: str = "both"

    def _one(self, v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, self.kind):
            if not (self.kind is Real and isinstance(v, np.floating | np.integer)):
                if not (self.kind is Integral and isinstance(v, np.integer)):
                    return False
        if isinstance(v, float) and math.isnan(v):
            return False
        left_ok = self.low is None or (v >= self.low if self.closed in ("both", "left") else v > self.low)
        right_ok = self.high is None or (v <= self.high if self.closed in ("both", "right") else v < self.high)
        return bool(left_ok and right_ok)

    def check(self, value: Any) -> bool:
        return all(self._one(v) for v in _values(value))

    def check_many(self, values: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`check` of a 1-D array of numbers."""
        v = np.asarray(values)
        if v.dtype == bool or not np.issubdtype(v.dtype, np.number):
            return super().check_many(v)
        v = v.astype(float)
        ok = ~np.isnan(v)
        if self.kind is Integral:
            ok &= v == np.round(v)
        if self.low is not None:
            ok &= v >= self.low if self.closed in ("both", "left") else v > self.low
        if self.high is not None:
            ok &= v <= self.high if self.closed in ("both", "right") else v < self.high
        return ok

    def describe(self) -> str:
        name = "an int" if self.kind is Integral else "a number"
        if self.low is None and self.high is None:
            return name
        lb = "[" if self.closed in ("both", "left") else "("
        rb = "]" if self.closed in ("both", "right") else ")"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"{name} in the range {lb}{lo}, {hi}{rb}"

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer" if self.kind is Integral else "number"}
        if self.low is not None:
            out["minimum" if self.closed in ("both", "left") else "exclusiveMinimum"] = self.low
        if self.high is not None:
            out["maximum" if self.closed in ("both", "right") else "exclusiveMaximum"] = self.high
        return out


@dataclass(frozen=True)
class OneOf(Constraint):
    """One of a fixed set of strings."""

    options: tuple[str, ...]

    def check(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.options

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)

    def json_schema(self) -> dict[str, Any]:
        return {"enum": list(self.options)}


@dataclass(frozen=True)
class Text(Constraint):
    """Any non-empty string (e.g. a unit-attribute column name)."""

    def check(self, value: Any) -> bool:
        return isinstance(value, str) and bool(value)

    def describe(self) -> str:
        return "a non-empty string"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


@dataclass(frozen=True)
class Flag(Constraint):
    """A boolean."""

    def check(self, value: Any) -> bool:
        return isinstance(value, bool | np.bool_) or (
            isinstance(value, np.ndarray) and value.dtype == bool
        )

    def describe(self) -> str:
        return "true or false"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Matrix(Constraint):
    """A square matrix of positive numbers given as a list of rows (e.g. AHP)."""

    def check(self, value: Any) -> bool:
        try:
            a = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return False
        return a.ndim == 2 and a.shape[0] == a.shape[1] and a.size > 0 and bool(np.all(a > 0))

    def describe(self) -> str:
        return "a square matrix of positive numbers (a list of rows)"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}}}


@dataclass(frozen=True)
class NumberList(Constraint):
    """A list of numbers (e.g. tier cut-points)."""

    def check(self, value: Any) -> bool:
        return isinstance(value, list | tuple) and all(
            isinstance(v, Real) and not isinstance(v, bool) for v in value
        )

    def describe(self) -> str:
        return "a list of numbers"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "number"}}


@dataclass(frozen=True)
class Param:
    """A declared parameter: its constraint, default and help text."""

    constraint: Constraint
    default: Any = None
    help: str = ""
    required: bool = False


@dataclass(frozen=True)
class QuasiMean:
    """The generator ``f`` of a quasi-arithmetic mean ``y = f^-1(sum_c w_c f(x_c) / sum_c w_c)``.

    Aggregation kernels of this family (arithmetic: ``f(x) = x``; geometric:
    ``ln x``; harmonic: ``1/x``) declare it so the engine can aggregate every
    parent of a level, for every variant, with one matrix product.
    ``positive`` says the mean is defined only for positive children.
    """

    forward: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[np.ndarray], np.ndarray]
    positive: bool = False


@dataclass(frozen=True)
class Method:
    """A registered kernel."""

    family: str
    name: str
    func: Callable[..., Any]
    params: dict[str, Param] = field(default_factory=dict)
    quasi_mean: QuasiMean | None = None
    inputs: tuple[str, ...] = ()
    attribute_param: str | None = None
    ordered: tuple[tuple[str, str], ...] = ()

    @property
    def qualname(self) -> str:
        return f"{self.family}.{self.name}"

    @property
    def summary(self) -> str:
        doc = (self.func.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def resolve(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults filled in; assumes :meth:`problems` found nothing."""
        out = {k: p.default for k, p in self.params.items() if not p.required}
        out.update(given)
        return out

    def problems(self, given: dict[str, Any]) -> list[str]:
        """Every problem with ``given`` parameters, in one message template."""
        out = []
        for key in given:
            if key not in self.params:
                known = ", ".join(sorted(self.params)) or "none"
                out.append(f"unknown parameter {key!r} for {self.qualname} (known: {known})")
        for key, param in self.params.items():
            if key not in given:
                if param.required:
                    out.append(f"the {key!r} parameter of {self.qualname} is required")
                continue
            if not param.constraint.check(given[key]):
                out.append(
                    f"the {key!r} parameter of {self.qualname} must be "
                    f"{param.constraint.describe()}; got {given[key]!r}"
                )
        if not out:
            out += self.order_problems(self.resolve(given))
        return out

    def order_problems(self, params: dict[str, Any]) -> list[str]:
        """Declared ``(low, high)`` parameter pairs that are not strictly increasing (per variant)."""
        out = []
        for low, high in self.ordered:
            with np.errstate(invalid="ignore"):
                ok = np.asarray(params[low], dtype=float) < np.asarray(params[high], dtype=float)
            if not np.all(ok):
                out.append(
                    f"the {low!r} parameter of {self.qualname} must be less than {high!r}; "
                    f"got {low} = {params[low]!r}, {high} = {params[high]!r}"
                )
        return out


_REGISTRY: dict[tuple[str, str], Method] = {}


def register(
    family: str,
    name: str,
    *,
    quasi_mean: QuasiMean | None = None,
    inputs: tuple[str, ...] = (),
    attribute_param: str | None = None,
    ordered: tuple[tuple[str, str], ...] = (),
    **params: Param,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``func`` as method ``family.name`` with declared parameters and inputs.

    ``inputs`` names the inputs beyond the family's standard ones (see
    :data:`INPUTS`); a kernel taking ``groups`` names the parameter that holds
    the unit attribute (``attribute_param``).  ``ordered`` lists parameter
    pairs ``(low, high)`` that must satisfy ``low < high`` (e.g. min-max bounds).
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown method family {family!r}; expected one of {FAMILIES}")
    unknown = [i for i in inputs if i not in INPUTS]
    if unknown:
        raise ValueError(f"{family}.{name}: unknown inputs {unknown}; expected some of {sorted(INPUTS)}")
    if ("groups" in inputs) != (attribute_param is not None) or (attribute_param and attribute_param not in params):
        raise ValueError(f"{family}.{name}: a kernel taking groups names the parameter holding the attribute")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        key = (family, name)
        if key in _REGISTRY and _REGISTRY[key].func is not func:
            raise ValueError(f"method {family}.{name} is already registered")
        _REGISTRY[key] = Method(family, name, func, dict(params), quasi_mean, tuple(inputs), attribute_param, tuple(ordered))
        return func

    return decorate


def get(family: str, name: str) -> Method:
    _load_builtins()
    try:
        return _REGISTRY[(family, name)]
    except KeyError:
        known = ", ".join(names(family))
        raise KeyError(f"unknown {family} method {name!r} (known: {known})") from None


def names(family: str) -> list[str]:
    _load_builtins()
    return sorted(n for f, n in _REGISTRY if f == family)


def methods() -> list[Method]:
    _load_builtins()
    return [m for _, m in sorted(_REGISTRY.items())]


def _load_builtins() -> None:
    # Importing the family modules runs their @register decorators.
    from baiqiang.methods import aggregate, impute, normalise, treat, weight  # noqa: F401


def per_variant(value: Any, ndim: int = 3) -> Any:
    """Broadcast a scalar-or-(B,) parameter against arrays of ``ndim`` dimensions.

    A Python scalar is returned unchanged; an array of shape ``(B,)`` becomes
    ``(B, 1, ..., 1)`` so it broadcasts over the trailing axes.
    """
    if np.ndim(value) == 0:
        return value
    arr = np.asarray(value, dtype=float)
    return arr.reshape(arr.shape[:1] + (1,) * (ndim - 1))
