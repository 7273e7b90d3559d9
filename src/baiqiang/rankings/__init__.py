"""Post-processing of a build into published lists: gates, grades and vetoes, class weights,
named lists with tiers, group ranks, unit groups, progress and typology, coupling coordination.

``apply(results, framework, panel)`` computes them; ``sheets(outcome)`` are the workbook
sheets to pass to ``Results.write``; ``write(outcome, outdir)`` then adds ``rankings.csv``
and the ``rankings`` part of ``method.json``.
"""

from baiqiang.rankings.apply import RankingOutcome, apply
from baiqiang.rankings.output import sheets, summary, write

__all__ = ["RankingOutcome", "apply", "sheets", "summary", "write"]
