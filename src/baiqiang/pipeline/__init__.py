"""Run a framework over a panel of units."""

from baiqiang.pipeline.panel import Panel, read_panel
from baiqiang.pipeline.results import Results
from baiqiang.pipeline.run import BatchResult, run, run_variants, run_years

__all__ = ["BatchResult", "Panel", "Results", "read_panel", "run", "run_variants", "run_years"]
