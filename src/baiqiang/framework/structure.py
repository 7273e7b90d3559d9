"""The hierarchy of a validated framework as index arrays the pipeline can use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from baiqiang.framework.spec import Framework


@dataclass(frozen=True)
class Hierarchy:
    """Nodes numbered indicators first, then aggregates by ascending level.

    Level 1 holds the indicators; an aggregate's level is one more than the
    highest level among its children, so the root has the top level.
    """

    framework: Framework

    @cached_property
    def indicator_codes(self) -> list[str]:
        return [i.code for i in self.framework.indicators]

    @cached_property
    def level_of(self) -> dict[str, int]:
        parent = self.parent_of
        levels = {code: 1 for code in self.indicator_codes}
        pending = [a.code for a in self.framework.aggregates]
        # Children before parents: repeat until every aggregate has a level
        # (validation has ruled out cycles, so this terminates).
        while pending:
            for code in list(pending):
                kids = [c for c, p in parent.items() if p == code]
                if all(k in levels for k in kids):
                    levels[code] = 1 + max((levels[k] for k in kids), default=1)
                    pending.remove(code)
        return levels

    @cached_property
    def parent_of(self) -> dict[str, str | None]:
        fw = self.framework
        return {**{i.code: i.parent for i in fw.indicators}, **{a.code: a.parent for a in fw.aggregates}}

    @cached_property
    def aggregate_codes(self) -> list[str]:
        """Aggregates bottom-up (by level, then in file order); the root is last."""
        order = {a.code: k for k, a in enumerate(self.framework.aggregates)}
        return sorted(order, key=lambda c: (self.level_of[c], order[c]))

    @cached_property
    def node_codes(self) -> list[str]:
        return self.indicator_codes + self.aggregate_codes

    @cached_property
    def index(self) -> dict[str, int]:
        return {c: k for k, c in enumerate(self.node_codes)}

    @property
    def root(self) -> str:
        return self.aggregate_codes[-1]

    @cached_property
    def top_level(self) -> int:
        return self.level_of[self.root]

    @cached_property
    def children(self) -> dict[str, np.ndarray]:
        """Node indices of each aggregate's children, in node order."""
        out: dict[str, list[int]] = {a: [] for a in self.aggregate_codes}
        for code in self.node_codes:
            p = self.parent_of[code]
            if p is not None:
                out[p].append(self.index[code])
        return {a: np.array(v, dtype=int) for a, v in out.items()}

    @cached_property
    def leaves(self) -> dict[str, np.ndarray]:
        """Indicator indices (sorted) under each aggregate, at any depth."""
        p = len(self.indicator_codes)
        out: dict[str, np.ndarray] = {}
        for code in self.aggregate_codes:  # bottom-up, so children are done first
            kids = self.children[code]
            nested = [out[self.node_codes[k]] for k in kids if k >= p]
            out[code] = np.sort(np.concatenate([kids[kids < p], *nested]).astype(int))
        return out

    @cached_property
    def subtree(self) -> dict[str, list[str]]:
        """Each aggregate and every aggregate below it, in pre-order (parents before children)."""
        out: dict[str, list[str]] = {}
        for code in self.aggregate_codes:  # bottom-up
            below = [self.node_codes[k] for k in self.children[code] if k >= len(self.indicator_codes)]
            out[code] = [code, *(c for b in below for c in out[b])]
        return out

    def aggregates_at(self, level: int) -> list[str]:
        return [a for a in self.aggregate_codes if self.level_of[a] == level]

    @cached_property
    def declared_weights(self) -> np.ndarray:
        """Weight of every node as declared (root: 1), shape ``(n_nodes,)``."""
        fw = self.framework
        w = {**{i.code: i.weight for i in fw.indicators}, **{a.code: a.weight for a in fw.aggregates}}
        return np.array([w[c] for c in self.node_codes], dtype=float)

    @cached_property
    def direction(self) -> np.ndarray:
        return np.array([i.direction for i in self.framework.indicators], dtype=float)

    def step_assignment(self, kind: str) -> dict[str, str]:
        """Which of the framework's ``weight``/``aggregate`` steps (by key) handles each aggregate."""
        steps = [(s.key, s.levels, s.aggregates) for s in self.framework.methodology if s.step == kind]
        return self.assign(steps)

    def assign(self, steps: list[tuple[str, Any, Any]]) -> dict[str, str]:
        """Assign aggregates to steps given as ``(key, levels, aggregates)``.

        A step's ``aggregates`` claim those aggregates first, then ``levels``
        claim whole levels, then the step with neither takes what is left.
        Aggregates no step claims are absent (the engine's default applies).
        """
        out: dict[str, str] = {}
        for key, _, named in steps:
            out.update({code: key for code in named or ()})
        for key, levels, named in steps:
            if levels and not named:
                for code in self.aggregate_codes:
                    if self.level_of[code] in levels:
                        out.setdefault(code, key)
        for key, levels, named in steps:
            if not levels and not named:
                for code in self.aggregate_codes:
                    out.setdefault(code, key)
        return out

    def name(self, code: str, lang: str = "zh") -> str:
        for node in self.framework.nodes:
            if node.code == code:
                return node.name.text(lang)
        raise KeyError(code)
