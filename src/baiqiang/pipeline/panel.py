"""The panel: one row per unit, indicator and attribute columns, with provenance.

Reading a data file and checking it against a framework happen here, so every
later step can assume clean numeric arrays.  Problems name the file, the row
as a spreadsheet shows it (header = row 1) and the column.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from baiqiang.data.importers.read import read_raw
from baiqiang.errors import DataError, Problem
from baiqiang.framework.plan import TRANSFORMS, Plan
from baiqiang.framework.spec import Framework

MISSING_MARKERS = ("", "NA", "N/A", "NaN", "nan", "—", "——", "–", "-", "…", "...", "..", "－", "/")
"""Cell texts that mean "no value" in statistical tables."""


@dataclass(frozen=True)
class Panel:
    """Units (rows, indexed by unit code) with their attributes and numeric columns."""

    frame: pd.DataFrame
    name_column: str | None = None
    source: str = "<frame>"
    checksum: str = ""
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_frame(
        cls, df: pd.DataFrame, *, code_column: str, name_column: str | None = None, source: str = "<frame>"
    ) -> "Panel":
        """Build a panel from a data frame with one row per unit."""
        problems = _key_problems(df, code_column, source)
        if problems:
            raise DataError(problems, summary=f"{source}: {len(problems)} problem(s) in the unit codes")
        frame = df.copy()
        frame.index = pd.Index(frame.pop(code_column).astype(str).str.strip(), name="unit_code")
        checksum = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()).hexdigest()
        return cls(frame, name_column if name_column in frame.columns else None, source, checksum)

    @property
    def codes(self) -> list[str]:
        return self.frame.index.tolist()

    @property
    def names(self) -> pd.Series:
        if self.name_column is None:
            return pd.Series(self.frame.index, index=self.frame.index, name="unit_name")
        return self.frame[self.name_column].astype(str).rename("unit_name")

    def matrix(self, columns: list[str]) -> np.ndarray:
        """Float array ``(n_units, len(columns))``; call :func:`check_panel` first."""
        return self.frame[columns].to_numpy(dtype=float, na_value=np.nan)

    def group_codes(self, column: str) -> np.ndarray:
        """Integer codes of a unit attribute (-1 where missing), for group kernels."""
        codes, _ = pd.factorize(self.frame[column], use_na_sentinel=True)
        return codes

    def select(self, framework: Framework) -> "Panel":
        """Units in the framework's universe; the others are kept aside in ``excluded``."""
        u = framework.universe
        if u.attribute is None:
            return self
        values = self.frame[u.attribute].astype(str)
        keep = pd.Series(True, index=self.frame.index)
        if u.include is not None:
            keep &= values.isin(u.include)
        if u.exclude is not None:
            keep &= ~values.isin(u.exclude)
        excluded = self.frame.loc[~keep].assign(reason=f"outside the universe ({u.attribute})")
        return Panel(self.frame.loc[keep], self.name_column, self.source, self.checksum, excluded)


def _key_problems(df: pd.DataFrame, code_column: str, source: str) -> list[Problem]:
    if code_column not in df.columns:
        return [Problem(source, f"no unit-code column {code_column!r} (columns: {', '.join(map(str, df.columns))})", "no_code_column")]
    out = []
    codes = df[code_column].astype(str).str.strip()
    for row in np.flatnonzero(df[code_column].isna().to_numpy() | (codes == "").to_numpy()):
        out.append(Problem(f"{source}: row {row + 2}, column {code_column}", "empty unit code", "empty_code"))
    positions = pd.Series(np.arange(len(codes)), index=codes.to_numpy())
    for code, rows in positions[codes.duplicated(keep=False).to_numpy()].groupby(level=0):
        if code:
            lines = ", ".join(str(r + 2) for r in rows)
            out.append(Problem(f"{source}: column {code_column}", f"duplicate unit code {code!r} in rows {lines}", "duplicate_unit"))
    return out


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a wide CSV (UTF-8 or GBK), XLSX or Parquet table: first row = header, cells as text or numbers."""
    grid = read_raw(path)
    if grid.empty:
        raise DataError.single(str(path), "the file is empty", "empty")
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = ["" if c is None else str(c).strip() for c in grid.iloc[0]]
    return frame


def to_numeric(frame: pd.DataFrame, columns: list[str], source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Columns converted to floats; every cell that is neither a number nor a missing marker is a problem.

    The columns are converted as one flat series, column after column (a few pandas calls in all
    rather than a few per column: a build reads tens of columns), so the problems keep that order.
    """
    out = frame.copy()
    n = len(frame)
    raw = pd.Series(frame[columns].to_numpy(dtype=object).ravel(order="F"))
    text = raw.astype(str).str.strip().str.replace(",", "", regex=False)
    missing = raw.isna() | text.isin(MISSING_MARKERS)
    values = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(np.isnan(values) & ~missing.to_numpy())
    problems = [Problem(f"{source}: row {pos % n + 2}, column {columns[pos // n]}", f"not a number: {raw.iloc[pos]!r}",
                        "non_numeric") for pos in bad]
    for k, col in enumerate(columns):
        out[col] = values[k * n:(k + 1) * n]
    return out, problems


def required_columns(framework: Framework | Plan) -> dict[str, list[str]]:
    """Data columns a framework needs, by role (read from its compiled plan)."""
    plan = framework if isinstance(framework, Plan) else Plan.of(framework)
    return plan.columns.by_role()


def read_panel(path: str | Path, framework: Framework) -> Panel:
    """Read a data file for ``framework``; raise :class:`DataError` listing every problem."""
    frame = read_table(path)
    return panel_for(frame, framework, source=str(path))


def panel_for(frame: pd.DataFrame, framework: Framework, *, source: str = "<frame>") -> Panel:
    """Check a wide data frame against ``framework`` and build its panel."""
    u = framework.universe
    needed = required_columns(framework)
    problems = [
        Problem(source, f"the {role} column {col!r} is missing from the data", "missing_column")
        for role, cols in needed.items()
        for col in cols
        if col not in frame.columns
    ]
    if u.code_column not in frame.columns:
        problems.append(Problem(source, f"the unit-code column {u.code_column!r} is missing from the data", "missing_column"))
    numeric = [c for c in needed["indicator"] + needed["denominator"] if c in frame.columns]
    frame, bad_cells = to_numeric(frame, numeric, source)
    problems += bad_cells
    if problems:
        raise DataError(problems, summary=f"{source}: {len(problems)} problem(s) in the data")
    panel = Panel.from_frame(frame, code_column=u.code_column, name_column=u.name_column, source=source)
    problems = transform_problems(panel, Plan.of(framework))
    if problems:
        raise DataError(problems, summary=f"{source}: {len(problems)} problem(s) in the data")
    return panel


def transform_problems(panel: Panel, plan: Plan) -> list[Problem]:
    """Values of ranked units outside the domain of their indicator's transform (ln of a value <= 0).

    The transform applies to the indicator as the framework defines it: divided
    by its denominator when the methodology has a denominate step.
    """
    selected = panel.select(plan.framework)
    position = {code: k for k, code in enumerate(panel.codes)}
    names = selected.names
    out = []
    for ind, name in zip(plan.framework.indicators, plan.transforms):
        if name is None:
            continue
        values = selected.frame[ind.code].astype(float)
        if ind.denominator in plan.columns.denominator:
            values = values / selected.frame[ind.denominator].astype(float)
        bound, formula = TRANSFORMS[name][2], TRANSFORMS[name][3]
        for code in values.index[(values <= bound).to_numpy()]:
            out.append(Problem(
                f"{panel.source}: row {position[code] + 2}, column {ind.code} ({code} {names.get(code, '')})".rstrip(),
                f"indicator {ind.code!r} has transform {name} ({formula}), which needs a value greater than {bound:g}; got {values[code]:g}",
                "transform_domain",
            ))
    return out
