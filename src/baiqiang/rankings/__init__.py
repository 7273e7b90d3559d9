"""Post-processing of a build into published lists: gates, grades and vetoes, class weights,
named lists with tiers, group ranks, unit groups, progress and typology, coupling coordination.

``apply(results, framework, panel)`` computes them; ``write(outcome, outdir)`` adds
``rankings.csv``, workbook sheets and the ``rankings`` part of ``method.json``.
"""

from baiqiang.rankings.apply import RankingOutcome, apply
from baiqiang.rankings.output import summary, write

__all__ = ["RankingOutcome", "apply", "summary", "write"]
