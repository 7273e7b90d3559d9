"""Typed paths into a methodology, and batching of variants.

A *variant* is a mapping from typed paths to values; everything not named
keeps the framework's value.  Paths (never evaluated as code):

* ``step.<id>.method``: the method of a step, e.g. ``step.normalise.method``;
* ``step.<id>.params.<name>``: a parameter, e.g. ``step.treat.params.winmax``;
* ``weight.<code>``: the declared weight of an indicator or aggregate
  (0 leaves it out).

Variants that agree on every non-numeric value (method names, text
parameters) form one *group* and are evaluated in one vectorised batch, with
their numeric values stacked along the batch axis.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import chain
from numbers import Real
from typing import Any, Mapping, Sequence

import numpy as np

from baiqiang.errors import FrameworkError, Problem
from baiqiang.framework.plan import BoundStep, Plan
from baiqiang.framework.spec import DEFAULT_METHOD, METHOD_STEPS, Framework
from baiqiang.framework.steps import STEP_PARAMS
from baiqiang.framework.structure import Hierarchy
from baiqiang.methods import registry

Variant = Mapping[str, Any]


@dataclass(frozen=True)
class Path:
    """A parsed typed path."""

    kind: str  # "method", "param" or "weight"
    target: str  # step id or node code
    name: str = ""  # parameter name

    @classmethod
    def parse(cls, text: str) -> "Path":
        parts = text.split(".")
        if len(parts) == 3 and parts[0] == "step" and parts[2] == "method":
            return cls("method", parts[1])
        if len(parts) == 4 and parts[0] == "step" and parts[2] == "params":
            return cls("param", parts[1], parts[3])
        if len(parts) == 2 and parts[0] == "weight":
            return cls("weight", parts[1])
        raise ValueError(f"not a typed path: {text!r} (expected step.<id>.method, step.<id>.params.<name> or weight.<code>)")


def _is_number(value: Any) -> bool:
    if type(value) in _PLAIN_NUMBERS:  # fast path: variants hold many plain numbers
        return True
    return isinstance(value, Real | np.number) and not isinstance(value, bool | np.bool_)


_PLAIN_NUMBERS = frozenset({float, int, np.float64, np.int64})


@dataclass(frozen=True)
class _Block:
    """Variants that name the same paths in the same order, their values held column by column.

    Checking and grouping then work on a path's column at once (one type
    test, one array conversion) instead of value by value.
    """

    members: list[int]  # positions in the variant list
    paths: tuple[str, ...]
    columns: list[tuple[Any, ...]]  # one per path, aligned with ``members``
    numeric: list[bool]  # the column holds only plain numbers
    numbers: np.ndarray  # (len(members), len(paths)) floats; NaN in columns that are not numeric

    def column(self, path: str) -> tuple[Any, ...] | None:
        return self.columns[self.paths.index(path)] if path in self.paths else None


def _blocks(variants: Sequence[Variant]) -> list[_Block]:
    """``variants`` partitioned by their tuple of paths (most analyses give every variant the same paths)."""
    buckets: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for k, variant in enumerate(variants):
        buckets[tuple(variant)].append(k)
    out = []
    for paths, members in buckets.items():
        rows = [tuple(variants[k].values()) for k in members]
        columns = list(zip(*rows)) if paths else []
        if set(map(type, chain.from_iterable(rows))) <= _PLAIN_NUMBERS:  # the usual case: one conversion
            numeric, numbers = [True] * len(paths), np.array(rows, dtype=float).reshape(len(rows), len(paths))
        else:
            numeric = [set(map(type, c)) <= _PLAIN_NUMBERS for c in columns]
            numbers = np.full((len(rows), len(paths)), np.nan)
            for j in np.flatnonzero(numeric):
                numbers[:, j] = columns[j]
        out.append(_Block(members, paths, columns, numeric, numbers))
    return out


WEIGHT_RULE = registry.Interval(low=0)


def variant_problems(
    framework: Framework, variant: Variant, where: str = "variant", hierarchy: Hierarchy | None = None
) -> list[Problem]:
    """Every problem with one variant: unknown paths, methods, parameters or values."""
    return _VariantChecker(framework, hierarchy).problems([variant], lambda k: where)


def check_variants(framework: Framework, variants: Sequence[Variant], *, blocks: list[_Block] | None = None) -> None:
    """Raise :class:`FrameworkError` listing every problem in ``variants`` (``blocks``: their :func:`_blocks`, if already made)."""
    problems = _VariantChecker(framework).problems(variants, lambda k: f"variant {k}", blocks)
    if problems:
        raise FrameworkError(problems[:50], summary=f"{len(problems)} problem(s) in the methodology variants")


class _VariantChecker:
    """Checks variants path by path: each distinct path is resolved to its rule once.

    Numeric values are gathered per rule and checked together with the
    constraint's vectorised ``check_many``, so checking N variants costs a
    dictionary look-up per value, not a constraint evaluation.
    """

    def __init__(self, framework: Framework, hierarchy: Hierarchy | None = None) -> None:
        self.hierarchy = hierarchy or Plan.of(framework).hierarchy
        self.steps = {s.key: s for s in framework.methodology}
        self._rules: dict[tuple[str, str | None], tuple[registry.Constraint | None, str | None, str]] = {}

    def problems(self, variants: Sequence[Variant], where: Any, blocks: list[_Block] | None = None) -> list[Problem]:
        found: list[tuple[int, int, Problem]] = []  # (variant, path position, problem), reported in variant order
        for block in blocks if blocks is not None else _blocks(variants):
            for j, text in enumerate(block.paths):
                column = block.columns[j]
                for method, at in self._methods_in_effect(text, block):
                    constraint, message, code = self._rule(text, method)
                    if message is not None:
                        found += [(block.members[i], j, Problem(f"{where(block.members[i])}: {text}", message, code)) for i in at]
                        continue
                    if constraint is None:
                        continue
                    values = [column[i] for i in at] if len(at) < len(column) else column
                    if isinstance(constraint, registry.Interval) and block.numeric[j]:
                        numbers = block.numbers[at, j] if len(at) < len(column) else block.numbers[:, j]
                        bad = np.flatnonzero(~constraint.check_many(numbers)).tolist()
                    else:
                        bad = [i for i, v in enumerate(values) if not (
                            constraint.check_many(np.asarray([v]))[0] if _is_number(v) and isinstance(constraint, registry.Interval)
                            else constraint.check(v))]
                    found += [(block.members[at[i]], j, Problem(f"{where(block.members[at[i]])}: {text}",
                                                                 self._bad_value(text, constraint, values[i]), "bad_value")) for i in bad]
        return [problem for _, _, problem in sorted(found, key=lambda f: f[:2])]

    def _methods_in_effect(self, text: str, block: _Block) -> list[tuple[str | None, list[int]]]:
        """For a parameter path, the method its step uses (it decides the parameters), with the block rows using each."""
        everyone = list(range(len(block.members)))
        if not text.startswith("step.") or ".params." not in text:
            return [(None, everyone)]
        key = text.split(".")[1]
        step = self.steps.get(key)
        if step is None or step.step not in METHOD_STEPS:
            return [(None, everyone)]
        default = step.method or DEFAULT_METHOD[step.step]
        chosen = block.column(f"step.{key}.method")
        if chosen is None:
            return [(default, everyone)]
        rows: dict[str, list[int]] = defaultdict(list)
        for i, method in enumerate(chosen):
            rows[method].append(i)
        return list(rows.items())

    def _bad_value(self, text: str, constraint: registry.Constraint, value: Any) -> str:
        if text.startswith("weight."):
            return f"a weight must be a number >= 0; got {value!r}"
        if text.endswith(".method"):
            family = self.steps[text.split(".")[1]].step
            return f"unknown {family} method {value!r} (known: {', '.join(registry.names(family))})"
        return f"must be {constraint.describe()}; got {value!r}"

    def _rule(self, text: str, method: str | None) -> tuple[registry.Constraint | None, str | None, str]:
        """(constraint, problem message, problem code) for a path; cached."""
        key = (text, method)
        if key not in self._rules:
            self._rules[key] = self._resolve(text, method)
        return self._rules[key]

    def _resolve(self, text: str, method: str | None) -> tuple[registry.Constraint | None, str | None, str]:
        try:
            path = Path.parse(text)
        except ValueError as exc:
            return None, str(exc), "bad_path"
        if path.kind == "weight":
            if path.target not in self.hierarchy.index:
                return None, f"unknown indicator or aggregate {path.target!r}", "bad_path"
            return WEIGHT_RULE, None, ""
        step = self.steps.get(path.target)
        if step is None:
            return None, f"no step with id {path.target!r} (steps: {', '.join(self.steps)})", "bad_path"
        if path.kind == "method":
            if step.step not in METHOD_STEPS:
                return None, f"step {step.key!r} has no method", "bad_path"
            return registry.OneOf(tuple(registry.names(step.step))), None, ""
        if step.step in METHOD_STEPS:
            if method not in registry.names(step.step):
                return None, None, ""  # reported with the method path
            declared, owner = registry.get(step.step, method).params, f"{step.step}.{method}"
        else:
            declared, owner = STEP_PARAMS.get(step.step, {}), f"step {step.step!r}"
        if path.name not in declared:
            return None, f"unknown parameter {path.name!r} for {owner}", "bad_path"
        return declared[path.name].constraint, None, ""


@dataclass(frozen=True)
class Group:
    """Variants sharing their categorical choices, ready for one batched evaluation."""

    members: np.ndarray  # positions in the variant list, (B,)
    plan: Plan  # the framework's plan with the group's steps bound (per-variant parameters as (B,) arrays)
    weights: np.ndarray  # (B, n_nodes) declared weights


def _raise_disordered(method: registry.Method, key: str, params: dict[str, Any], members: list[int]) -> None:
    """Variants whose ordered parameters (e.g. min-max ``lower < upper``) are not increasing."""
    problems = []
    for low, high in method.ordered:
        lo, hi = np.broadcast_arrays(np.asarray(params[low], dtype=float), np.asarray(params[high], dtype=float))
        bad = np.flatnonzero(~(np.atleast_1d(lo) < np.atleast_1d(hi)))
        for k in bad:
            where = f"variant {members[k]}" if np.ndim(lo) else "variants"
            problems.append(Problem(f"{where}: step.{key}.params.{low}", f"{method.qualname}: {low!r} must be less than {high!r}", "bad_value"))
    if problems:
        raise FrameworkError(problems[:50], summary=f"{len(problems)} problem(s) in the methodology variants")


def checked_groups(framework: Framework, variants: Sequence[Variant]) -> list[Group]:
    """:func:`check_variants` then :func:`group_variants`, reading the variants once."""
    blocks = _blocks(variants)
    check_variants(framework, variants, blocks=blocks)
    return group_variants(framework, variants, blocks=blocks)


def group_variants(framework: Framework, variants: Sequence[Variant], *, blocks: list[_Block] | None = None) -> list[Group]:
    """Partition ``variants`` by categorical choices and stack their numeric values."""
    nominal = Plan.of(framework)
    hierarchy = nominal.hierarchy
    buckets: dict[tuple, list[tuple[_Block, list[int]]]] = defaultdict(list)
    for block in blocks if blocks is not None else _blocks(variants):
        for signature, rows in _signatures(block).items():
            buckets[signature].append((block, rows))
    groups = []
    for signature, parts in buckets.items():
        fixed = dict(signature)
        members = [block.members[i] for block, rows in parts for i in rows]
        numeric = _numeric_values(parts, len(members))
        steps = []
        for step, bound in zip(framework.methodology, nominal.steps):
            method = fixed.get(f"step.{step.key}.method")
            base = bound if method is None else BoundStep.bind(step, method=method)
            params = dict(base.params)
            params.update({Path.parse(p).name: v for p, v in fixed.items() if p.startswith(f"step.{step.key}.params.")})
            for p, (given, values) in numeric.items():
                if p.startswith(f"step.{step.key}.params."):
                    name = Path.parse(p).name
                    params[name] = np.where(given, values, np.nan if params.get(name) is None else params[name])
            steps.append(replace(base, params=params))
            if base.method is not None:
                _raise_disordered(base.method, step.key, params, members)
        weights = np.tile(hierarchy.declared_weights, (len(members), 1))
        for p, (given, values) in numeric.items():
            if p.startswith("weight."):
                col = hierarchy.index[Path.parse(p).target]
                weights[given, col] = values[given]
        groups.append(Group(np.array(members), nominal.with_steps(steps), weights))
    return groups


def _signatures(block: _Block) -> dict[tuple, list[int]]:
    """The block's rows by their categorical choices (the sorted non-numeric ``(path, value)`` pairs)."""
    categorical = [j for j, numeric in enumerate(block.numeric) if not numeric]
    if not categorical:
        return {(): list(range(len(block.members)))}
    out: dict[tuple, list[int]] = defaultdict(list)
    for i in range(len(block.members)):
        pairs = ((block.paths[j], block.columns[j][i]) for j in categorical)
        out[tuple(sorted((p, v) for p, v in pairs if not _is_number(v)))].append(i)
    return out


def _numeric_values(parts: list[tuple[_Block, list[int]]], size: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each path with a number in some member of a group: (members giving it, ``(size,)`` mask; values, ``(size,)`` floats).

    ``parts`` are the group's rows of each block, in member order.
    """
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    start = 0
    for block, rows in parts:
        stop = start + len(rows)
        for j, path in enumerate(block.paths):
            column = block.columns[j]
            values = column if len(rows) == len(column) else [column[i] for i in rows]
            if block.numeric[j]:
                given, numbers = slice(None), block.numbers[:, j] if len(rows) == len(column) else block.numbers[rows, j]
            else:  # categorical values here are in the group's signature
                given = np.array([_is_number(v) for v in values])
                if not given.any():
                    continue
                numbers = np.array([float(v) if ok else np.nan for v, ok in zip(values, given)])
            if path not in out:
                out[path] = (np.zeros(size, dtype=bool), np.full(size, np.nan))
            out[path][0][start:stop][given] = True
            out[path][1][start:stop][given] = numbers[given]
        start = stop
    return out
