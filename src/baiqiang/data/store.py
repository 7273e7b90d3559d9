"""Embedded DuckDB store: units, indicator catalog, observations, import batches.

Schema (see docs/data.md):

``units``          one row per registry unit (current, historical, non_admin)
``indicators``     code, name_zh, name_en, unit, definition, aliases (JSON list)
``import_batches`` batch_id, created_at, source, file, sha256, counts, note
``observations``   unit_code, indicator, year, value, source, provenance,
                   batch_id, version, active, pinned

Versioning rule: a (unit, indicator, year) cell may have several versions.
Adding an identical value changes nothing (imports are idempotent); adding a
different value inserts a new version that becomes active unless another
version of the cell is pinned.  Nothing is ever overwritten or deleted.
(unit_code, indicator, year, version) is unique by construction (a batch has
one row per cell and numbers its versions after the stored ones), not by a
PRIMARY KEY: DuckDB's index on it made the census demo's store 3.6× larger
(40 MB, not 11 MB) and its commit slower, while a look-up of one cell's
versions scans the 250,000 census rows in ~9 ms (loaded machine) without it.
Every write runs in one transaction: a failed import leaves the store as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
import pandas as pd

from baiqiang.data.importers.read import file_sha256  # noqa: F401  (re-exported: importers and firms take it from here)
from baiqiang.errors import DataError, Problem

if TYPE_CHECKING:
    import pyarrow as pa

DEFAULT_PATH = Path("baiqiang.duckdb")
OBS_COLUMNS: tuple[str, ...] = ("unit_code", "indicator", "year", "value", "source", "provenance")
UNIT_ATTRIBUTES: tuple[str, ...] = (
    "name", "short_name", "type", "prefecture", "province", "region", "status",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    code VARCHAR PRIMARY KEY, name VARCHAR, short_name VARCHAR, type VARCHAR, level VARCHAR,
    prefecture_code VARCHAR, prefecture VARCHAR, province_code VARCHAR, province VARCHAR,
    region VARCHAR, longitude DOUBLE, latitude DOUBLE, status VARCHAR, valid_until INTEGER,
    successors VARCHAR);
CREATE TABLE IF NOT EXISTS indicators (
    code VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR, unit VARCHAR,
    definition VARCHAR, aliases VARCHAR);
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id INTEGER PRIMARY KEY, created_at TIMESTAMP DEFAULT current_timestamp,
    source VARCHAR, file VARCHAR, sha256 VARCHAR, n_new INTEGER, n_changed INTEGER,
    n_unchanged INTEGER, note VARCHAR);
CREATE TABLE IF NOT EXISTS observations (
    unit_code VARCHAR NOT NULL, indicator VARCHAR NOT NULL, year INTEGER NOT NULL,
    value DOUBLE, source VARCHAR, provenance VARCHAR, batch_id INTEGER NOT NULL,
    version INTEGER NOT NULL, active BOOLEAN NOT NULL, pinned BOOLEAN NOT NULL DEFAULT FALSE);
"""


@dataclass(frozen=True)
class Indicator:
    """One catalog entry.  ``aliases`` are column headers that map to it."""

    code: str
    name_zh: str
    name_en: str = ""
    unit: str = ""
    definition: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    """Outcome of :meth:`Store.add_observations`.

    ``batch_id`` is ``None`` when nothing changed (no batch is recorded).
    ``n_blank_kept`` counts blank cells that met a stored value (the stored
    value stays active); ``conflicts`` lists every changed cell with both
    values and both sources (unit_code, indicator, year, old_value,
    old_source, new_value, new_source, pinned).
    """

    batch_id: int | None
    n_new: int
    n_changed: int
    n_unchanged: int
    n_blank_kept: int = 0
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    blanks_kept: pd.DataFrame = field(default_factory=pd.DataFrame)


class Store:
    """A DuckDB file holding units, catalog and observations.

    >>> with Store(":memory:") as s:  # doctest: +SKIP
    ...     s.add_observations(df, source="my.csv")

    ``path`` may be ``":memory:"``.  The file and its parent folder are created
    on first use.
    """

    def __init__(self, path: str | Path = DEFAULT_PATH, *, read_only: bool = False) -> None:
        self.path = str(path)
        self._tx_depth = 0
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        import duckdb  # here, not at module level: a build from a CSV file never loads DuckDB

        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise DataError.single(self.path, f"无法打开数据库：{exc}", "store") from None
        if not read_only:
            self.con.execute(_SCHEMA)

    # -- lifecycle ------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- units ----------------------------------------------------------------------
    def load_registry(self, units: pd.DataFrame) -> int:
        """Replace the ``units`` table with a registry frame (``Registry.units``)."""
        df = units.reset_index(drop=True).copy()
        df["valid_until"] = df["valid_until"].astype("float").astype("Int64")
        with self._transaction():
            self.con.execute("DELETE FROM units")
            self.con.register("_units", df)
            self.con.execute(
                "INSERT INTO units SELECT code, name, short_name, type, level, prefecture_code, prefecture, "
                "province_code, province, region, longitude, latitude, status, valid_until, successors FROM _units"
            )
            self.con.unregister("_units")
        return len(df)

    def add_units(self, units: pd.DataFrame) -> int:
        """Insert or replace individual unit rows (same columns as ``units``).

        Used for units outside the registry, e.g. statistical areas found in a
        table (status ``non_admin``).
        """
        from baiqiang.data.registry import UNIT_COLUMNS

        df = units.reset_index(drop=True).reindex(columns=list(UNIT_COLUMNS))
        df["valid_until"] = pd.to_numeric(df["valid_until"], errors="coerce").astype("Int64")
        df["longitude"] = pd.to_numeric(df["longitude"], errors="coerce")
        df["latitude"] = pd.to_numeric(df["latitude"], errors="coerce")
        with self._transaction():
            self.con.register("_new_units", df)
            self.con.execute("DELETE FROM units WHERE code IN (SELECT code FROM _new_units)")
            self.con.execute(f"INSERT INTO units SELECT {', '.join(UNIT_COLUMNS)} FROM _new_units")
            self.con.unregister("_new_units")
        return len(df)

    def ensure_registry(self) -> None:
        """Load the bundled registry if the ``units`` table is empty."""
        if self.con.execute("SELECT count(*) FROM units").fetchone()[0] == 0:
            from baiqiang.data.registry import Registry

            self.load_registry(Registry.load().units)

    def ensure_catalog(self) -> int:
        """Add the default catalog's indicators whose codes the store lacks; returns how many."""
        from baiqiang.data.catalog import default_catalog

        have = {i.code for i in self.indicators()}
        missing = [i for i in default_catalog() if i.code not in have]
        return self.upsert_indicators(missing) if missing else 0

    def units(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM units ORDER BY code").df()

    # -- catalog --------------------------------------------------------------------
    def upsert_indicators(self, indicators: Iterable[Indicator]) -> int:
        """Insert or update catalog entries (by code), keeping every code's one canonical unit.

        A code that already has observations keeps its unit (they are stored in
        it): an entry in another unit of the same dimension is given the stored
        unit, and values in the other unit are converted on the way in; a unit
        of another dimension is refused.
        """
        entries = list(indicators)
        if not entries:
            return 0
        fixed = self._stored_units()
        # One row per code, the last entry winning (as when each entry replaced the one before).
        latest = {i.code: self._canonical(i, fixed.get(i.code)) for i in entries}
        rows = pd.DataFrame(
            [(i.code, i.name_zh, i.name_en, i.unit, i.definition, json.dumps(list(i.aliases), ensure_ascii=False))
             for i in latest.values()],
            columns=["code", "name_zh", "name_en", "unit", "definition", "aliases"], dtype=object)
        with self._transaction():
            self.con.register("_new_indicators", rows)
            try:
                self.con.execute("DELETE FROM indicators WHERE code IN (SELECT code FROM _new_indicators)")
                self.con.execute("INSERT INTO indicators SELECT * FROM _new_indicators")
            finally:
                self.con.unregister("_new_indicators")
        return len(entries)

    def _stored_units(self) -> dict[str, str]:
        """The unit of every indicator that has observations (stored in that unit, so it is fixed)."""
        return dict(self.con.execute(
            "SELECT code, unit FROM indicators WHERE coalesce(unit, '') <> '' "
            "AND code IN (SELECT DISTINCT indicator FROM observations)").fetchall())

    @staticmethod
    def _canonical(ind: Indicator, fixed: str | None) -> Indicator:
        """``ind`` in the unit its code must have: ``fixed``, once it has observations (:meth:`upsert_indicators`)."""
        from dataclasses import replace

        from baiqiang.data.units import UnitError, convert

        if not fixed or fixed == ind.unit:
            return ind
        if ind.unit:
            try:
                convert(1.0, ind.unit, fixed)
            except UnitError as exc:
                raise DataError.single(f"指标 {ind.code}", f"单位须为“{fixed}”：{exc}", "unit") from None
        return replace(ind, unit=fixed)

    def indicators(self) -> list[Indicator]:
        out = []
        for code, zh, en, unit, definition, aliases in self.con.execute(
            "SELECT * FROM indicators ORDER BY code"
        ).fetchall():
            out.append(Indicator(code, zh, en or "", unit or "", definition or "", tuple(json.loads(aliases or "[]"))))
        return out

    # -- observations ---------------------------------------------------------------
    def add_observations(
        self, obs: pd.DataFrame, *, source: str, file: str = "", sha256: str = "", note: str = ""
    ) -> BatchResult:
        """Add observations as one import batch (idempotent, versioned, atomic).

        ``obs`` needs ``unit_code, indicator, year, value`` and may carry
        ``source`` (defaults to the argument), ``provenance`` (free text such
        as ``file.xlsx 第 12 行 第 E 列``) and ``unit``: the unit each value is
        in, converted here to the indicator's canonical unit (a unit of another
        dimension is refused).  Unknown units or indicators, and
        duplicate cells within ``obs``, and values that are not finite (inf,
        1e309) raise :class:`DataError` listing every offending row; the store
        is then unchanged.  A blank (NULL) value never replaces a stored value:
        the cell keeps its active version and the blank is counted in
        ``n_blank_kept``.
        """
        df = self._validate_obs(obs, source)
        with self._transaction():
            self.con.register("_in", df)
            try:
                return self.add_validated("_in", source=source, file=file, sha256=sha256, note=note)
            finally:
                self.con.unregister("_in")

    def add_validated(self, table: str, *, source: str, file: str = "", sha256: str = "", note: str = "") -> BatchResult:
        """The batch logic of :meth:`add_observations` for a table or view already in the connection.

        ``table`` must hold the columns of :data:`OBS_COLUMNS` already validated
        (known units and indicators, integer years, finite values or NULL, one
        row per cell): the set-based CSV import checks them in SQL first.

        Set-based, in three statements over the whole batch: the cells already
        stored are compared in ``_cmp`` (only they: a first import compares
        nothing), and one ``INSERT ... SELECT`` adds the new cells straight from
        ``table`` together with the changed ones, so the batch's text is copied once.
        """
        cols = ", ".join(OBS_COLUMNS)
        with self._transaction():
            # The stored cells this batch touches, each with its active value and source.
            self.con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _cmp AS
                WITH i AS (SELECT {cols} FROM {table}),
                stored AS (
                    SELECT unit_code, indicator, year, max(version) AS max_version, bool_or(pinned) AS any_pinned,
                           first(value ORDER BY version) FILTER (WHERE active) AS old_value,
                           first(source ORDER BY version) FILTER (WHERE active) AS old_source
                    FROM observations SEMI JOIN i USING (unit_code, indicator, year) GROUP BY ALL)
                SELECT i.*, s.max_version, s.any_pinned, s.old_value, s.old_source,
                       -- A blank over a stored value is no change: the stored value stays active.
                       (i.value IS NULL AND s.old_value IS NOT NULL) AS blank_kept,
                       (i.value IS DISTINCT FROM s.old_value AND NOT blank_kept) AS changed
                FROM i JOIN stored s USING (unit_code, indicator, year)"""
            )
            # No try/finally: after a failed statement DuckDB accepts only the rollback (which drops _cmp too).
            result = self._write_batch(table, source=source, file=file, sha256=sha256, note=note)
            self.con.execute("DROP TABLE _cmp")
        return result

    def _write_batch(self, table: str, *, source: str, file: str, sha256: str, note: str) -> BatchResult:
        """Count, record and insert the batch compared in ``_cmp`` (see :meth:`add_validated`)."""
        kept = self.con.execute("SELECT unit_code, indicator, year, old_value, old_source, provenance FROM _cmp "
                                "WHERE blank_kept ORDER BY unit_code, indicator, year").df()
        n_in = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        n_stored, n_changed = self.con.execute("SELECT count(*), count(*) FILTER (WHERE changed) FROM _cmp").fetchone()
        n_new, n_same = n_in - n_stored, n_stored - n_changed - len(kept)  # a kept blank is neither
        conflicts = self.con.execute(
            """SELECT unit_code, indicator, year, old_value, old_source, value AS new_value, source AS new_source,
                      coalesce(any_pinned, FALSE) AS pinned, provenance
               FROM _cmp WHERE changed ORDER BY unit_code, indicator, year""").df()
        if n_new + n_changed == 0:
            return BatchResult(None, 0, 0, int(n_same), len(kept), conflicts, kept)
        batch = self.con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM import_batches").fetchone()[0]
        self.con.execute(
            "INSERT INTO import_batches (batch_id, source, file, sha256, n_new, n_changed, n_unchanged, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [batch, source, file, sha256, n_new, n_changed, n_same, note],
        )
        if n_changed:
            # A changed cell deactivates the old active version unless one is pinned.
            self.con.execute(
                """UPDATE observations o SET active = FALSE FROM _cmp c
                   WHERE c.changed AND NOT c.any_pinned AND o.unit_code = c.unit_code
                     AND o.indicator = c.indicator AND o.year = c.year AND o.active"""
            )
        cols = ", ".join(OBS_COLUMNS)
        self.con.execute(
            f"""INSERT INTO observations
               SELECT {cols}, {batch}, 1, TRUE, FALSE FROM {table} ANTI JOIN _cmp USING (unit_code, indicator, year)
               UNION ALL
               SELECT {cols}, {batch}, max_version + 1, NOT any_pinned, FALSE FROM _cmp WHERE changed"""
        )
        return BatchResult(int(batch), int(n_new), int(n_changed), int(n_same), len(kept), conflicts, kept)

    def _validate_obs(self, obs: pd.DataFrame, source: str) -> pd.DataFrame:
        missing = [c for c in ("unit_code", "indicator", "year", "value") if c not in obs.columns]
        if missing:
            raise DataError.single("observations", f"缺少列：{', '.join(missing)}", "missing_column")
        df = obs.copy()
        df["unit_code"] = df["unit_code"].astype(str)
        df["indicator"] = df["indicator"].astype(str)
        df["year"] = pd.to_numeric(df["year"], errors="coerce")
        df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
        infinite = np.isinf(df["value"].to_numpy())
        # Missing values are stored as NULL (never NaN) so that comparisons work.
        df["value"] = df["value"].where(np.isfinite(df["value"]), np.nan).astype("Float64")
        if "source" not in df.columns:
            df["source"] = source
        if "provenance" not in df.columns:
            df["provenance"] = ""
        problems: list[Problem] = []
        known_units = {r[0] for r in self.con.execute("SELECT code FROM units").fetchall()}
        known_ind = {r[0] for r in self.con.execute("SELECT code FROM indicators").fetchall()}

        def where(i: int) -> str:
            prov = df["provenance"].iat[i]
            return prov or f"observations 第 {i + 1} 行"

        if "unit" in df.columns:
            problems += self._convert_units(df, where)
        problems += [Problem(where(int(i)), "数值不是有限数（inf 或超出双精度范围，如 1e309）", "non_finite")
                     for i in np.flatnonzero(infinite)[:50]]
        bad_u = ~df["unit_code"].isin(known_units).to_numpy()
        bad_i = ~df["indicator"].isin(known_ind).to_numpy()
        bad_y = df["year"].isna().to_numpy()
        for i in np.nonzero(bad_u | bad_i | bad_y)[0]:  # only offending rows, in order
            u, ind, y = df["unit_code"].iat[i], df["indicator"].iat[i], df["year"].iat[i]
            if u not in known_units:
                problems.append(Problem(where(i), f"单位代码 {u} 不在单位表中", "unknown_unit"))
            if ind not in known_ind:
                problems.append(Problem(where(i), f"指标 {ind} 不在指标目录中", "unknown_indicator"))
            if pd.isna(y):
                problems.append(Problem(where(i), "年份缺失或不是数字", "bad_year"))
            if len(problems) > 200:
                break
        dup = df.duplicated(["unit_code", "indicator", "year"], keep=False)
        for i in np.nonzero(dup.to_numpy())[0][:50]:
            problems.append(Problem(where(int(i)), f"同一单位、指标、年份重复：{df['unit_code'].iat[i]} / "
                                    f"{df['indicator'].iat[i]} / {int(df['year'].iat[i])}", "duplicate"))
        if problems:
            raise DataError(problems, summary=f"导入失败：{len(problems)} 处问题，数据库未改动")
        df["year"] = df["year"].astype("int64")
        return df[list(OBS_COLUMNS)]

    def _convert_units(self, df: pd.DataFrame, where) -> list[Problem]:
        """Convert ``df.value`` in place from ``df.unit`` to each indicator's unit; problems for refusals."""
        from baiqiang.data.units import UnitError, convert

        canonical = dict(self.con.execute("SELECT code, unit FROM indicators").fetchall())
        units = df["unit"].fillna("").astype(str)
        problems: list[Problem] = []
        values = df["value"].astype("float64").to_numpy(na_value=np.nan, copy=True)
        for (ind, unit), idx in df.groupby([df["indicator"], units]).indices.items():
            try:
                values[idx] = convert(values[idx], unit, canonical.get(ind) or "")
            except UnitError as exc:
                problems += [Problem(where(int(i)), f"指标 {ind}：{exc}", "unit") for i in idx[:20]]
        df["value"] = pd.array(values, dtype="Float64")
        return problems

    # -- versions and pins ----------------------------------------------------------
    def versions(self, unit_code: str, indicator: str, year: int | None = None) -> pd.DataFrame:
        """All versions of one cell with the batch that set each (every year if ``year`` is None)."""
        sql = ("SELECT o.*, b.created_at, b.source AS batch_source, b.file FROM observations o "
               "JOIN import_batches b USING (batch_id) WHERE unit_code = ? AND indicator = ?")
        args: list[object] = [unit_code, indicator]
        if year is not None:
            sql += " AND year = ?"
            args.append(year)
        return self.con.execute(sql + " ORDER BY year, version", args).df()

    def batches(self) -> pd.DataFrame:
        """All import batches, oldest first."""
        return self.con.execute("SELECT * FROM import_batches ORDER BY batch_id").df()

    def pin(self, unit_code: str, indicator: str, year: int, version: int) -> None:
        """Make ``version`` the active value of a cell and keep it across imports."""
        with self._transaction():
            n = self.con.execute(
                "SELECT count(*) FROM observations WHERE unit_code=? AND indicator=? AND year=? AND version=?",
                [unit_code, indicator, year, version],
            ).fetchone()[0]
            if not n:
                raise DataError.single(f"{unit_code}/{indicator}/{year}", f"版本 {version} 不存在", "no_version")
            self.con.execute(
                "UPDATE observations SET active = (version = ?), pinned = (version = ?) "
                "WHERE unit_code=? AND indicator=? AND year=?",
                [version, version, unit_code, indicator, year],
            )

    def unpin(self, unit_code: str, indicator: str, year: int) -> None:
        """Drop the pin of a cell; the latest version becomes active again."""
        with self._transaction():
            self.con.execute(
                "UPDATE observations SET pinned = FALSE, active = (version = (SELECT max(version) FROM "
                "observations WHERE unit_code=? AND indicator=? AND year=?)) WHERE unit_code=? AND indicator=? AND year=?",
                [unit_code, indicator, year, unit_code, indicator, year],
            )

    def undo(self, batch_id: int) -> int:
        """Remove the observations an import batch added; each cell's previous version is active again.

        A pinned version that remains stays active; otherwise the latest
        remaining version is.  The batch stays listed, marked 已撤销.  Returns
        the number of observations removed.
        """
        with self._transaction():
            row = self.con.execute("SELECT note FROM import_batches WHERE batch_id = ?", [batch_id]).fetchone()
            if row is None:
                raise DataError.single(f"批次 {batch_id}", "不存在（baiqiang store info 列出批次）", "no_batch")
            if "[已撤销]" in (row[0] or ""):
                raise DataError.single(f"批次 {batch_id}", "已撤销过", "no_batch")
            n = self.con.execute("SELECT count(*) FROM observations WHERE batch_id = ?", [batch_id]).fetchone()[0]
            self.con.execute("""CREATE OR REPLACE TEMP TABLE _cells AS SELECT DISTINCT unit_code, indicator, year
                                FROM observations WHERE batch_id = ?""", [batch_id])
            self.con.execute("DELETE FROM observations WHERE batch_id = ?", [batch_id])
            self.con.execute(
                """UPDATE observations o SET active = CASE WHEN k.any_pinned THEN o.pinned ELSE o.version = k.top END
                   FROM (SELECT o2.unit_code, o2.indicator, o2.year, max(o2.version) AS top,
                                bool_or(o2.pinned) AS any_pinned
                         FROM observations o2 JOIN _cells USING (unit_code, indicator, year)
                         GROUP BY ALL) k
                   WHERE o.unit_code = k.unit_code AND o.indicator = k.indicator AND o.year = k.year""")
            self.con.execute("UPDATE import_batches SET note = trim(coalesce(note, '') || ' [已撤销]') "
                             "WHERE batch_id = ?", [batch_id])
            self.con.execute("DROP TABLE _cells")
        return int(n)

    # -- reading --------------------------------------------------------------------
    def observations(self, *, year: int | None = None, active_only: bool = True) -> pd.DataFrame:
        sql = "SELECT * FROM observations WHERE TRUE"
        args: list[object] = []
        if active_only:
            sql += " AND active"
        if year is not None:
            sql += " AND year = ?"
            args.append(year)
        return self.con.execute(sql + " ORDER BY unit_code, indicator, year, version", args).df()

    def years(self) -> list[int]:
        return [r[0] for r in self.con.execute("SELECT DISTINCT year FROM observations ORDER BY year").fetchall()]

    def panel(self, year: int, *, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Wide table of active values for ``year``: one row per unit.

        Columns: ``code`` and the unit attributes in :data:`UNIT_ATTRIBUTES`,
        then one column per indicator (sorted by code unless ``indicators``
        gives the order).  Units without any observation that year are absent.
        """
        # Arrow, not Python strings: the unit and indicator codes arrive dictionary-encoded (see _wide).
        long = self.con.sql("SELECT unit_code, indicator, value FROM observations WHERE active AND year = ?",
                            params=[year]).to_arrow_table()
        if not long.num_rows:
            raise DataError.single(f"{self.path}", f"数据库中没有 {year} 年的观测值", "no_data")
        wide = self._wide(long, year)
        cols = list(indicators) if indicators is not None else sorted(wide.columns)
        absent = [c for c in cols if c not in wide.columns]
        if absent:
            raise DataError.single(self.path, f"{year} 年缺少指标：{', '.join(absent)}", "missing_indicator")
        units = self.con.execute(
            f"SELECT code, {', '.join(UNIT_ATTRIBUTES)} FROM units"
        ).df().set_index("code")
        out = units.join(wide[cols], how="inner")
        out.index.name = "code"
        return out.reset_index().sort_values("code").reset_index(drop=True)

    def _wide(self, long: "pa.Table", year: int) -> pd.DataFrame:
        """The ``unit_code × indicator`` table of the cells in ``long``, NaN where a unit has none.

        What ``DataFrame.pivot`` gives (index and columns sorted), with each cell placed by its unit's
        and indicator's position, from Arrow's dictionary encoding of the two code columns, instead of
        through Python strings and pandas' reshaping (:meth:`panel` of a census year, 134,550 cells:
        0.096 → 0.026 s for 2020, 0.073 → 0.024 s for 2010, mean of 5 warm calls).  The store keeps one
        active value per cell; should a cell have two, that is an error, as with ``pivot``.
        """
        units, unit_codes = _sorted_codes(long.column("unit_code"))
        kinds, indicator_codes = _sorted_codes(long.column("indicator"))
        cell = units * len(indicator_codes) + kinds
        repeated = np.bincount(cell, minlength=len(unit_codes) * len(indicator_codes)) > 1
        if repeated.any():
            u, i = divmod(int(np.flatnonzero(repeated)[0]), len(indicator_codes))
            raise DataError.single(self.path, f"单位 {unit_codes[u]} 指标 {indicator_codes[i]} {year} 年有多个生效值",
                                   "duplicate_active")
        grid = np.full(len(unit_codes) * len(indicator_codes), np.nan)
        grid[cell] = long.column("value").to_numpy()  # NULL arrives as NaN
        return pd.DataFrame(grid.reshape(len(unit_codes), len(indicator_codes)),
                            index=pd.Index(unit_codes, dtype="str", name="unit_code"),
                            columns=pd.Index(indicator_codes, dtype="str", name="indicator"))

    # -- helpers --------------------------------------------------------------------
    def transaction(self) -> "_Tx":
        """One transaction around several writes (inner writes join it); rolled back on error."""
        return _Tx(self)

    _transaction = transaction


def _sorted_codes(column: "pa.ChunkedArray") -> tuple[np.ndarray, np.ndarray]:
    """``(positions, codes)``: the distinct values of a text column sorted as Python sorts them, and each
    row's position among them (``int64``), from Arrow's dictionary encoding."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = encoded.dictionary.to_numpy(zero_copy_only=False)
    order = np.argsort(codes, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[encoded.indices.to_numpy()], codes[order]


class _Tx:
    """BEGIN/COMMIT, or ROLLBACK on any exception (nested use is flattened).

    Nesting is counted on the store: issuing a second BEGIN inside an open
    DuckDB transaction would abort that transaction.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.outer = False

    def __enter__(self) -> None:
        if self.store._tx_depth == 0:
            self.store.con.execute("BEGIN TRANSACTION")
            self.outer = True
        self.store._tx_depth += 1

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.store._tx_depth -= 1
        if not self.outer:
            return
        if exc_type is None:
            self.store.con.execute("COMMIT")
        else:
            self.store.con.execute("ROLLBACK")


STORE_SUFFIXES: tuple[str, ...] = (".duckdb", ".db")


def check_store_path(path: str | Path, *, must_exist: bool = False) -> Path:
    """``path`` if it is a DuckDB file, or a new path ending in .duckdb/.db; else :class:`DataError`.

    ``import x.csv --db results.csv`` must not report success and save nothing:
    an existing file is accepted only with DuckDB's magic bytes (``DUCK`` at
    byte 8), and a new store needs a store suffix.
    """
    p = Path(path)
    if p.is_dir():
        raise DataError.single(str(p), "是目录，不是 DuckDB 数据库文件（--db 须是 .duckdb 文件）", "not_a_store")
    if p.exists():
        with open(p, "rb") as f:
            head = f.read(12)
        if len(head) < 12 or head[8:12] != b"DUCK":
            raise DataError.single(str(p), "不是 DuckDB 数据库文件（文件损坏，或 --db 指向了数据表）；"
                                   "请给出 .duckdb 文件或一个新的 .duckdb 路径", "not_a_store")
        return p
    if must_exist:
        raise DataError.single(str(p), "数据库文件不存在（先用 baiqiang import 导入数据）", "file_missing")
    if p.suffix.lower() not in STORE_SUFFIXES:
        raise DataError.single(str(p), f"新数据库的文件名须以 {' 或 '.join(STORE_SUFFIXES)} 结尾", "not_a_store")
    return p


def read_panel(store_path: str | Path, year: int, *, indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Open a store read-only and return :meth:`Store.panel` for ``year``.

    Used by ``baiqiang build --store PATH --year YEAR``.
    """
    if not Path(store_path).exists():
        raise DataError.single(str(store_path), "数据库文件不存在", "file_missing")
    with Store(store_path, read_only=True) as s:
        return s.panel(year, indicators=indicators)

