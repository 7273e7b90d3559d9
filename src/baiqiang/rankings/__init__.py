"""Post-processing of a build into published lists: gates, grades and vetoes, class weights,
named lists with tiers, group ranks, unit groups, progress and typology, coupling coordination.

``apply(results, framework, panel)`` computes them; ``write(outcome, outdir)`` adds
``rankings.csv``, workbook sheets and the ``rankings`` part of ``method.json``.

``summary`` and ``write`` load :mod:`baiqiang.rankings.output` on first use (PEP 562):
every ``baiqiang build`` imports this package, most frameworks have no rankings to write.
(``apply`` stays eager: a lazy name would be shadowed by the submodule of the same name.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from baiqiang.rankings.apply import RankingOutcome, apply

if TYPE_CHECKING:
    from baiqiang.rankings.output import summary, write

__all__ = ["RankingOutcome", "apply", "summary", "write"]


def __getattr__(name: str) -> Any:
    if name in ("summary", "write"):
        from baiqiang.rankings import output

        return getattr(output, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
