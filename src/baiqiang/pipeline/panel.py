"""The panel: one row per unit, indicator and attribute columns, with provenance.

Reading a data file and checking it against a framework happen here, so every
later step can assume clean numeric arrays.  Problems name the file, the row
as a spreadsheet shows it (header = row 1) and the column.

A panel is held as NumPy arrays (unit codes, one array per column), so that
``baiqiang build`` on a CSV file never imports pandas; :attr:`Panel.frame` is the
same panel as a DataFrame, built when first asked for (or the frame it was made from).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from baiqiang.data.importers.read import read_grid
from baiqiang.errors import DataError, Problem
from baiqiang.framework.plan import TRANSFORMS, Plan
from baiqiang.framework.spec import Framework

if TYPE_CHECKING:
    import pandas as pd

MISSING_MARKERS = ("", "NA", "N/A", "NaN", "nan", "—", "——", "–", "-", "…", "...", "..", "－", "/")
"""Cell texts that mean "no value" in statistical tables."""


class _Lazy:
    """A dataclass field whose value, when not given, is computed on first access by ``owner._<name>_default()``.

    Lets :class:`Panel` keep the fields it always had (``dataclasses.replace(panel, frame=...)``
    works) while an array-backed panel builds its DataFrame only if someone asks for it.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot, self.default = f"_{name}", f"_{name}_default"

    def __get__(self, obj: object, owner: type | None = None) -> object:
        if obj is None:
            return None  # the field's default
        value = obj.__dict__.get(self.slot)
        if value is None:
            value = obj.__dict__[self.slot] = getattr(obj, self.default)()
        return value

    def __set__(self, obj: object, value: object) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True, eq=False)
class Panel:
    """Units (rows, by unit code) with their attributes and numeric columns.

    Held as arrays: ``unit_codes``, the data ``columns`` in file order (the unit-code
    column excluded) and ``values``, one array per column (``float64`` for the columns
    the framework reads as numbers, ``object`` text or ``None`` for the others).
    ``frame`` is the same panel as a DataFrame indexed by ``unit_code``: the one the
    panel was made from (dtypes as given), else built when first asked for.
    ``checksum`` (of the content) and ``excluded`` (units outside the universe, with
    the reason) are likewise computed when first asked for.
    """

    frame: pd.DataFrame = _Lazy()  # type: ignore[assignment]
    name_column: str | None = None
    source: str = "<frame>"
    checksum: str = _Lazy()  # type: ignore[assignment]
    excluded: pd.DataFrame = _Lazy()  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.__dict__.get("_frame") is not None:  # made from a frame: its columns as arrays
            frame = self.__dict__["_frame"]
            kinds = [t.kind for t in frame.dtypes]  # once: ``frame.dtypes`` builds a Series per call (half the time)
            values = [frame.iloc[:, j].to_numpy(dtype=float, na_value=np.nan) if kinds[j] == "f"
                      else frame.iloc[:, j].to_numpy(dtype=object, na_value=None) for j in range(frame.shape[1])]
            self._set_arrays(frame.index.to_numpy(dtype=object), list(frame.columns), values)

    def _set_arrays(self, codes: np.ndarray, columns: list, values: list[np.ndarray]) -> None:
        object.__setattr__(self, "unit_codes", np.asarray(codes, dtype=object))
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "_position", {c: j for j, c in reversed(list(enumerate(columns)))})  # first of equal headers
        if self.name_column not in self._position:
            object.__setattr__(self, "name_column", None)

    @classmethod
    def of_arrays(cls, codes: Sequence[str] | np.ndarray, columns: list[str], values: list[np.ndarray], *,
                  name_column: str | None = None, source: str = "<frame>") -> "Panel":
        """A panel over arrays (see the class docstring)."""
        panel = cls(None, name_column, source)  # type: ignore[arg-type]
        panel._set_arrays(codes, columns, values)
        return panel

    @classmethod
    def from_frame(
        cls, df: pd.DataFrame, *, code_column: str, name_column: str | None = None, source: str = "<frame>"
    ) -> "Panel":
        """Build a panel from a data frame with one row per unit."""
        problems = _key_problems(df[code_column].to_numpy(dtype=object, na_value=None) if code_column in df.columns else None,
                                 code_column, list(map(str, df.columns)), source)
        if problems:
            raise DataError(problems, summary=f"{source}: {len(problems)} problem(s) in the unit codes")
        import pandas as pd

        frame = df.copy()
        frame.index = pd.Index(frame.pop(code_column).astype(str).str.strip(), name="unit_code")
        return cls(frame, name_column, source)

    def _frame_default(self) -> pd.DataFrame:
        """The array-backed panel as a DataFrame (text columns ``object``, numeric ``float64``), as read_table gave it;
        for a selection of a frame-backed panel, that frame's rows (its dtypes kept)."""
        import pandas as pd

        rows_of = self.__dict__.get("_rows_of")
        if rows_of is not None:
            return rows_of[0].loc[rows_of[1]]

        index = pd.Index(self.unit_codes, dtype="str", name="unit_code")
        frame = pd.DataFrame({j: pd.Series(v, index=index, dtype=v.dtype, copy=False) for j, v in enumerate(self.values)},
                             index=index)
        frame.columns = pd.Index(self.columns, dtype="str")
        return frame

    def _checksum_default(self) -> str:
        """SHA-256 of the panel's content (pandas' row hashes of ``frame``); a selection has its whole panel's."""
        whole = self.__dict__.get("_whole")
        if whole is not None:
            return whole.checksum
        import pandas as pd

        return hashlib.sha256(pd.util.hash_pandas_object(self.frame, index=True).to_numpy().tobytes()).hexdigest()

    def _excluded_default(self) -> pd.DataFrame:
        import pandas as pd

        outside = self.__dict__.get("_outside")
        if outside is None or outside[2] is None:
            return pd.DataFrame()
        return outside[2].frame.assign(reason=outside[1])

    def __len__(self) -> int:
        return len(self.unit_codes)

    @property
    def codes(self) -> list[str]:
        return self.unit_codes.tolist()

    @property
    def excluded_codes(self) -> tuple[list[str], list[str]]:
        """Codes of the units outside the universe, and each one's reason (no pandas for a panel read from a file)."""
        outside = self.__dict__.get("_outside")
        if outside is not None:
            return outside[0], outside[1]
        given = self.__dict__.get("_excluded")
        if given is None or not len(given):
            return [], []
        return [str(c) for c in given.index], given["reason"].astype(str).tolist()

    def has(self, column: str) -> bool:
        return column in self._position

    def column(self, name: str) -> np.ndarray:
        """One column's values (``float64`` or ``object``)."""
        return self.values[self._position[name]]

    @property
    def unit_names(self) -> np.ndarray:
        """Unit names as text (``None`` where missing); the codes when the panel has no name column."""
        if self.name_column is None:
            return self.unit_codes
        values = self.column(self.name_column)
        names = values.astype(str).astype(object)
        names[_missing(values)] = None
        return names

    @property
    def names(self) -> pd.Series:
        import pandas as pd

        index = pd.Index(self.unit_codes, dtype="str", name="unit_code")
        return pd.Series(self.unit_names, index=index, dtype="str", name="unit_name")

    def matrix(self, columns: list[str]) -> np.ndarray:
        """Float array ``(n_units, len(columns))`` (the numeric columns are floats once :func:`checked_panel` passed)."""
        out = np.empty((len(self), len(columns)))
        for k, c in enumerate(columns):
            v = self.column(c)
            out[:, k] = v if v.dtype.kind == "f" else np.where(_missing(v), np.nan, v).astype(float)
        return out

    def group_codes(self, column: str) -> np.ndarray:
        """Integer codes of a unit attribute (-1 where missing), for group kernels."""
        v = self.column(column)
        missing = _missing(v)
        codes = np.full(len(v), -1)
        if (~missing).any():
            codes[~missing] = np.unique(v[~missing].astype(str), return_inverse=True)[1]
        return codes

    def select(self, framework: Framework) -> "Panel":
        """Units in the framework's universe; the others are kept aside in ``excluded``."""
        u = framework.universe
        if u.attribute is None:
            return self
        values = self.column(u.attribute).astype(str)
        keep = np.ones(len(self), dtype=bool)
        if u.include is not None:
            keep &= _among(values, u.include)
        if u.exclude is not None:
            keep &= ~_among(values, u.exclude)
        inside, rest = self._take(keep), self._take(~keep)
        reason = f"outside the universe ({u.attribute})"
        object.__setattr__(inside, "_outside", (rest.codes, [reason] * len(rest), rest))
        object.__setattr__(inside, "_whole", self)
        return inside

    def _take(self, rows: np.ndarray) -> "Panel":
        """The units where ``rows`` is true; a frame-backed panel's selection gets its frame's rows when asked
        (the arrays are sliced, not converted again from the selected frame)."""
        panel = Panel.of_arrays(self.unit_codes[rows], self.columns, [v[rows] for v in self.values],
                                name_column=self.name_column, source=self.source)
        frame = self.__dict__.get("_frame")
        if frame is not None:
            object.__setattr__(panel, "_rows_of", (frame, rows))
        return panel


def _among(values: np.ndarray, choices: Sequence[str]) -> np.ndarray:
    """``np.isin`` for a few choices, one comparison each (``np.isin`` imports ``numpy.ma``, 35 ms)."""
    out = np.zeros(values.shape, dtype=bool)
    for choice in choices:
        out |= values == choice
    return out


def _missing(values: np.ndarray) -> np.ndarray:
    """Where an ``object`` or float array holds no value (``None`` or NaN)."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    return (values == None) | (values != values)  # noqa: E711 (elementwise); NaN is the only value unequal to itself


def _key_problems(codes: np.ndarray | None, code_column: str, columns: list[str], source: str) -> list[Problem]:
    """Missing code column, empty and duplicate unit codes (rows as a spreadsheet numbers them)."""
    if codes is None:
        return [Problem(source, f"no unit-code column {code_column!r} (columns: {', '.join(columns)})", "no_code_column")]
    out = []
    text = np.char.strip(codes.astype(str))
    empty = _missing(codes) | (text == "")
    for row in np.flatnonzero(empty):
        out.append(Problem(f"{source}: row {row + 2}, column {code_column}", "empty unit code", "empty_code"))
    unique, counts = np.unique(text[~empty], return_counts=True)
    for code in unique[counts > 1]:  # in code order, as pandas' groupby gave them
        lines = ", ".join(str(r + 2) for r in np.flatnonzero(text == code))
        out.append(Problem(f"{source}: column {code_column}", f"duplicate unit code {str(code)!r} in rows {lines}", "duplicate_unit"))
    return out


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a wide CSV (UTF-8 or GBK), XLSX or Parquet table: first row = header, cells as text or numbers."""
    import pandas as pd

    header, body = _header_and_body(read_grid(path), path)
    return pd.DataFrame(body, columns=pd.Index(header), dtype=object)


def _header_and_body(grid: np.ndarray, path: str | Path) -> tuple[list[str], np.ndarray]:
    if grid.size == 0:
        raise DataError.single(str(path), "the file is empty", "empty")
    return ["" if c is None else str(c).strip() for c in grid[0]], grid[1:]


def to_numbers(cells: np.ndarray, column: str, source: str) -> tuple[np.ndarray, list[Problem]]:
    """One column's cells as floats; every cell that is neither a number nor a missing marker is a problem.

    A number is what pandas' ``to_numeric`` reads after thousands separators are removed:
    ASCII digits only (NumPy's parser would also take ``1_000`` and full-width digits).
    """
    if not len(cells):
        return np.empty(0), []
    if cells.dtype.kind in "fiu":
        # Numbers already (a store's panel): the text round trip below gives back these floats exactly.
        return cells.astype(float), []
    text = np.char.replace(np.char.strip(cells.astype(str)), ",", "")
    missing = _missing(cells) | _among(text, MISSING_MARKERS)
    codepoints = text.view(np.uint32).reshape(len(text), -1)
    plain = ((codepoints < 128) & (codepoints != ord("_"))).all(axis=1)
    candidates = np.where(missing | ~plain, "nan", text)
    try:
        values = candidates.astype(float)
    except ValueError:  # at least one cell is not a number: find every one (the error path only)
        values = np.array([_float_or_nan(t) for t in candidates])
    bad = np.flatnonzero(np.isnan(values) & ~missing)
    problems = [Problem(f"{source}: row {pos + 2}, column {column}", f"not a number: {cells[pos]!r}", "non_numeric")
                for pos in bad]
    return values, problems


def _float_or_nan(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return np.nan


def required_columns(framework: Framework | Plan) -> dict[str, list[str]]:
    """Data columns a framework needs, by role (read from its compiled plan)."""
    plan = framework if isinstance(framework, Plan) else Plan.of(framework)
    return plan.columns.by_role()


def read_panel(path: str | Path, framework: Framework) -> Panel:
    """Read a data file for ``framework``; raise :class:`DataError` listing every problem."""
    header, body = _header_and_body(read_grid(path), path)
    return checked_panel(header, list(body.T), framework, source=str(path))


def panel_for(frame: pd.DataFrame, framework: Framework, *, source: str = "<frame>") -> Panel:
    """Check a wide data frame against ``framework`` and build its panel (which keeps the frame's dtypes).

    Numeric columns (not booleans, not the unit codes) are passed as floats, missing as NaN, so that
    :func:`to_numbers` need not read them back from text; every other column as Python objects.
    """
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    code_column = framework.universe.code_column
    columns = [s.to_numpy(dtype=float, na_value=np.nan)
               if is_numeric_dtype(s.dtype) and not is_bool_dtype(s.dtype) and name != code_column
               else s.to_numpy(dtype=object, na_value=None)
               for name, s in frame.items()]
    return checked_panel(list(frame.columns), columns, framework, source=source, frame=frame)


def checked_panel(header: list, columns: list[np.ndarray], framework: Framework, *, source: str = "<frame>",
                  frame: pd.DataFrame | None = None) -> Panel:
    """The panel of a wide table (one array of cells per column) for ``framework``; every problem raised at once.

    Checks: every column the framework needs is there, its indicator and denominator
    cells are numbers or missing markers, unit codes are present and unique, and
    transformed indicators are in their transform's domain.  With ``frame`` (the same
    table as a DataFrame) the panel keeps it, numeric columns converted.
    """
    u = framework.universe
    needed = required_columns(framework)
    problems = [
        Problem(source, f"the {role} column {col!r} is missing from the data", "missing_column")
        for role, cols in needed.items()
        for col in cols
        if col not in header
    ]
    if u.code_column not in header:
        problems.append(Problem(source, f"the unit-code column {u.code_column!r} is missing from the data", "missing_column"))
    position = {c: j for j, c in reversed(list(enumerate(header)))}
    columns = list(columns)
    for col in dict.fromkeys(c for c in needed["indicator"] + needed["denominator"] if c in position):
        columns[position[col]], bad_cells = to_numbers(columns[position[col]], col, source)
        problems += bad_cells
    if problems:
        raise DataError(problems, summary=f"{source}: {len(problems)} problem(s) in the data")
    problems = _key_problems(columns[position[u.code_column]], u.code_column, list(map(str, header)), source)
    if problems:
        raise DataError(problems, summary=f"{source}: {len(problems)} problem(s) in the unit codes")
    if frame is not None:
        import pandas as pd

        frame = frame.copy()
        for col in needed["indicator"] + needed["denominator"]:
            frame[col] = columns[position[col]]
        frame.index = pd.Index(frame.pop(u.code_column).astype(str).str.strip(), name="unit_code")
        panel = Panel(frame, u.name_column, source)
    else:
        k = position[u.code_column]
        codes = np.char.strip(columns[k].astype(str)).astype(object)
        panel = Panel.of_arrays(codes, header[:k] + header[k + 1:], columns[:k] + columns[k + 1:],
                                name_column=u.name_column, source=source)
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
    names = selected.unit_names
    out = []
    for ind, name in zip(plan.framework.indicators, plan.transforms):
        if name is None:
            continue
        values = selected.matrix([ind.code])[:, 0]
        if ind.denominator in plan.columns.denominator:
            values = values / selected.matrix([ind.denominator])[:, 0]
        bound, formula = TRANSFORMS[name][2], TRANSFORMS[name][3]
        for k in np.flatnonzero(values <= bound):
            code = selected.unit_codes[k]
            out.append(Problem(
                f"{panel.source}: row {position[code] + 2}, column {ind.code} ({code} {names[k] or ''})".rstrip(),
                f"indicator {ind.code!r} has transform {name} ({formula}), which needs a value greater than {bound:g}; got {values[k]:g}",
                "transform_domain",
            ))
    return out
