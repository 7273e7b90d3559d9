"""Load and validate framework files, reporting every problem at once.

Shape errors come from pydantic; meaning errors (unknown parent, cycle,
duplicate code, zero or overflowing weights, unknown method, bad parameter,
misplaced step) from :func:`semantic_problems`, which then compiles the
:class:`~baiqiang.framework.plan.Plan` and adds what only it shows (matrix
sizes, declared kernel inputs the framework does not supply).  Each problem names the file and the key path.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from baiqiang.errors import FrameworkError, Problem, read_yaml, validation_problems
from baiqiang.framework.plan import _compile, plan_problems, weight_sum_problems
from baiqiang.framework.rankings import ranking_problems
from baiqiang.framework.spec import DEFAULT_METHOD, METHOD_STEPS, STEP_KINDS, Framework
from baiqiang.framework.steps import STEP_PARAMS
from baiqiang.methods import registry

REPEATABLE = ("weight", "aggregate")
FRAMEWORK_READ = {"missing": "file not found", "directory": "is a directory, not a framework file",
                  "invalid": "not valid YAML: {}", "nested": "nested too deeply to be a framework"}


def load_framework(path: str | Path) -> Framework:
    """Read a framework YAML file; raise :class:`FrameworkError` listing every problem.

    A build's ``method.json`` is accepted too: the framework it records is
    loaded, so a published ranking can be rebuilt from its record.
    """
    path = Path(path)
    raw = read_yaml(path, FrameworkError, FRAMEWORK_READ)  # JSON is YAML
    if path.suffix.lower() == ".json" and isinstance(raw, dict) and "framework" in raw:
        raw = raw["framework"]
    return parse_framework(raw, source=str(path))


def parse_framework(raw: Any, *, source: str = "<framework>") -> Framework:
    """Validate a framework given as plain data (a dict as read from YAML)."""
    if not isinstance(raw, dict):
        raise FrameworkError.single(source, "the framework must be a mapping at the top level", "type")
    try:
        fw = Framework.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc.errors(), source)
        raise FrameworkError(problems, summary=f"{source}: {len(problems)} problem(s) in the framework") from None
    problems = semantic_problems(fw, source)
    if problems:
        raise FrameworkError(problems, summary=f"{source}: {len(problems)} problem(s) in the framework")
    return fw


def semantic_problems(fw: Framework, source: str = "<framework>") -> list[Problem]:
    """Every meaning error of an already well-shaped framework."""
    hierarchy = _hierarchy_problems(fw, source)
    methodology = _methodology_problems(fw, source)
    rankings = ranking_problems(fw, source)
    if hierarchy or methodology:
        return [*hierarchy, *methodology, *rankings]
    return [*plan_problems(_compile(fw), source), *rankings]


def _hierarchy_problems(fw: Framework, source: str) -> list[Problem]:
    out: list[Problem] = []
    nodes = [("indicators", k, n) for k, n in enumerate(fw.indicators)] + [
        ("aggregates", k, n) for k, n in enumerate(fw.aggregates)
    ]
    counts = Counter(n.code for _, _, n in nodes)
    aggregate_codes = {a.code for a in fw.aggregates}
    for section, k, node in nodes:
        where = f"{source}: {section}[{k}]"
        if counts[node.code] > 1:
            out.append(Problem(f"{where}.code", f"duplicate code {node.code!r}", "duplicate_code"))
        if node.parent is not None and node.parent not in aggregate_codes:
            out.append(Problem(f"{where}.parent", f"unknown parent {node.parent!r} (not an aggregate code)", "unknown_parent"))
    roots = [a.code for a in fw.aggregates if a.parent is None]
    if len(roots) != 1:
        out.append(Problem(f"{source}: aggregates", f"exactly one aggregate must have no parent (the index); found {roots or 'none'}", "root"))
    parent = {n.code: n.parent for _, _, n in nodes}
    for code in sorted(aggregate_codes):
        seen, cur = {code}, parent.get(code)
        while cur is not None and cur in parent:
            if cur in seen:
                out.append(Problem(f"{source}: aggregates", f"cycle in the hierarchy through {code!r}", "cycle"))
                break
            seen.add(cur)
            cur = parent[cur]
    weights: dict[str, float] = {a: 0.0 for a in aggregate_codes}
    for _, _, node in nodes:
        if node.parent in weights:
            weights[node.parent] += node.weight
    has_children = {n.parent for _, _, n in nodes}
    for k, agg in enumerate(fw.aggregates):
        if agg.code not in has_children:
            out.append(Problem(f"{source}: aggregates[{k}]", f"aggregate {agg.code!r} has no children", "empty_aggregate"))
        elif weights[agg.code] <= 0:
            out.append(Problem(f"{source}: aggregates[{k}]", f"the weights of the children of {agg.code!r} sum to zero", "zero_weights"))
    return out + weight_sum_problems(fw, source)


def _methodology_problems(fw: Framework, source: str) -> list[Problem]:
    out: list[Problem] = []
    keys = Counter(s.key for s in fw.methodology)
    last_kind = -1
    for k, step in enumerate(fw.methodology):
        where = f"{source}: methodology[{k}]"
        order = STEP_KINDS.index(step.step)
        if order < last_kind:
            out.append(Problem(where, f"step {step.step!r} must come before {STEP_KINDS[last_kind]!r} (order: {', '.join(STEP_KINDS)})", "step_order"))
        last_kind = max(last_kind, order)
        if keys[step.key] > 1:
            out.append(Problem(f"{where}.id", f"duplicate step id {step.key!r}; give repeated steps distinct ids", "duplicate_step"))
        for key in ("levels", "aggregates"):
            if getattr(step, key) is not None and step.step not in REPEATABLE:
                out.append(Problem(f"{where}.{key}", f"{key!r} applies only to {' and '.join(REPEATABLE)} steps", key))
        for code in step.aggregates or []:
            if code not in {a.code for a in fw.aggregates}:
                out.append(Problem(f"{where}.aggregates", f"unknown aggregate {code!r}", "unknown_aggregate"))
        out += _step_problems(step, where)
    for kind in REPEATABLE:
        for key in ("levels", "aggregates"):
            claimed = Counter(v for s in fw.methodology if s.step == kind for v in (getattr(s, key) or []))
            for value, count in claimed.items():
                if count > 1:
                    out.append(Problem(f"{source}: methodology", f"{key[:-1]} {value!r} is claimed by {count} {kind} steps", key))
    return out


def _step_problems(step: Any, where: str) -> list[Problem]:
    if step.step in METHOD_STEPS:
        name = step.method or DEFAULT_METHOD[step.step]
        try:
            method = registry.get(step.step, name)
        except KeyError as exc:
            return [Problem(f"{where}.method", str(exc.args[0]), "unknown_method")]
        return [Problem(f"{where}.params", msg, "bad_parameter") for msg in method.problems(step.params)]
    if step.method is not None:
        return [Problem(f"{where}.method", f"step {step.step!r} takes no method", "unknown_method")]
    allowed = STEP_PARAMS.get(step.step, {})
    out = []
    for key, value in step.params.items():
        if key not in allowed:
            out.append(Problem(f"{where}.params", f"unknown parameter {key!r} for step {step.step!r} (known: {', '.join(allowed) or 'none'})", "bad_parameter"))
        elif not allowed[key].constraint.check(value):
            out.append(Problem(f"{where}.params", f"the {key!r} parameter of step {step.step!r} must be {allowed[key].constraint.describe()}; got {value!r}", "bad_parameter"))
    return out
