"""Set-based import of a plain CSV: the same outcome as :func:`table.import_file`, in SQL.

A *plain* CSV has one header row and then data: no title rows, no second
header row, no footnotes, no quotes, no blank lines, every line as wide as
the header.  That is the usual export (``区划代码,年份,指标,数值[,单位]`` long
tables, one-row-per-unit wide tables).  Such a file is read by DuckDB's
``read_csv`` as text (``all_varchar``, so nothing is coerced), and every step
of the generic path is done once per distinct key or per column in SQL:

* **cells**: the rules of ``yearbook.parse_numbers`` (strip, thousands
  separators, spaces, missing tokens, one trailing ``%``) in SQL for ASCII
  cells; cells with other characters (``—``, ``…``, full-width digits) are
  parsed by ``parse_numbers`` itself, once per distinct text, and joined back;
* **units**: each distinct (code, name, province, prefecture) is resolved once
  by the generic ``_report_line`` and joined back to its rows;
* **indicators and units of measure**: looked up once per distinct label, and
  converted with the factor of ``units.factor`` (``v * f`` or ``v / f``, as
  ``units.convert`` computes it);
* **observations and provenance** are built and checked (duplicates,
  non-finite values, unknown unit codes) in SQL and inserted by
  :meth:`Store.add_validated` in one set-based statement.

The fast path never reports a problem itself.  Whenever the file is not plain,
or anything would be a problem (a non-numeric cell, an unknown indicator, a
bad year, a duplicate, a unit that does not convert), :func:`import_plain_csv`
returns ``None`` and the caller runs the generic path, which then produces
its located errors (file, row, column) exactly as before.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from baiqiang.data.importers.read import detect_encoding, sniff_delimiter
from baiqiang.data.importers.yearbook import MISSING_TOKENS, _masks, parse_numbers, parse_sheet
from baiqiang.data.registry import Registry
from baiqiang.data.store import Store
from baiqiang.data.units import UnitError, factor, normalise as normalise_unit

PLAIN_SUFFIXES = (".csv", ".txt", ".tsv")
#: Characters ``str.strip()`` removes among ASCII ones (for cells parsed in SQL).
_ASCII_WS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
#: ``yearbook._NUMBER`` for ASCII text (RE2 full match).
_NUMBER_RE = r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?"

Progress = Callable[[str], None]
#: Memory for the staging connection; beyond it DuckDB spills to a temporary folder.
STAGING_MEMORY = "512MB"


def _sql_text(s: str) -> str:
    """A SQL string literal for ``s`` (control characters via chr())."""
    return " || ".join(f"chr({ord(ch)})" if ord(ch) < 32 or ch == "'" else f"'{ch}'" for ch in s) or "''"


def _macros(con) -> None:
    ws = _sql_text(_ASCII_WS)
    tokens = ", ".join("'" + t.replace("'", "''") + "'" for t in sorted(MISSING_TOKENS) if t.isascii())
    con.execute(f"""
        CREATE OR REPLACE TEMP MACRO _bq_ascii(c) AS strlen(c) = length(c);
        CREATE OR REPLACE TEMP MACRO _bq_filled(c) AS trim(c, {ws}) <> '';
        CREATE OR REPLACE TEMP MACRO _bq_numeric(c) AS regexp_full_match(replace(trim(c, {ws}), ',', ''), '{_NUMBER_RE}');
        CREATE OR REPLACE TEMP MACRO _bq_s1(c) AS replace(replace(trim(c, {ws}), ',', ''), ' ', '');
        CREATE OR REPLACE TEMP MACRO _bq_s2(s) AS CASE WHEN ends_with(s, '%') THEN left(s, length(s) - 1) ELSE s END;
        CREATE OR REPLACE TEMP MACRO _bq_missing(c) AS c IS NULL OR _bq_s1(c) IN ({tokens});
        CREATE OR REPLACE TEMP MACRO _bq_ok(c) AS _bq_missing(c) OR regexp_full_match(_bq_s2(_bq_s1(c)), '{_NUMBER_RE}');
        CREATE OR REPLACE TEMP MACRO _bq_value(c) AS
            CASE WHEN _bq_missing(c) THEN NULL ELSE CAST(_bq_s2(_bq_s1(c)) AS DOUBLE) END;
    """)


def _plain_text(path: Path) -> tuple[bytes, str, str, int] | None:
    """``(bytes, encoding, delimiter, lines)`` when the bytes allow the fast path (one record per line, no quotes).

    No quotes, no blank lines and no lone CR make a line exactly a record for
    both Python's ``csv`` module and DuckDB, so the line number is the row
    number the generic path reports.
    """
    data = path.read_bytes()
    if not data or b"\x00" in data[:4096] or b'"' in data:
        return None
    if data.startswith((b"\n", b"\r")) or b"\n\n" in data or b"\n\r\n" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    enc = detect_encoding(data)
    try:
        sample = codecs.getincrementaldecoder(enc)().decode(data[:40_004])[:10_000]
    except (UnicodeDecodeError, LookupError):
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return data, enc, sniff_delimiter(sample, path.suffix), lines


def _utf8_source(path: Path, data: bytes, enc: str, tmp: Path) -> Path:
    """``path`` itself when it is UTF-8 without BOM, else a UTF-8 copy of it in ``tmp`` (DuckDB reads UTF-8)."""
    if enc == "utf-8":
        return path
    copy = tmp / "source.csv"
    copy.write_text(data.decode(enc), encoding="utf-8", newline="")
    return copy


def import_plain_csv(
    store: Store, path: Path, *, year: int | None, source: str | None, registry: Registry, layout: str,
    progress: Progress | None = None,
):
    """Import a plain CSV set-based (see module docstring); ``None`` when the generic path must run.

    ``progress(stage)`` is called as each stage starts (for a progress bar).
    Returns a :class:`table.ImportReport` equal to the generic path's.
    """
    import tempfile

    if path.suffix.lower() not in PLAIN_SUFFIXES:
        return None
    plain = _plain_text(path)
    if plain is None:
        return None
    data, enc, delim, n_lines = plain
    del plain
    step = progress or (lambda stage: None)
    step("读取")
    header = data[: data.find(b"\n") if b"\n" in data else len(data)].decode(enc).rstrip("\r")  # BOM dropped
    width = len(header.split(delim))
    if width < 2:
        return None
    # Staging runs in a private in-memory connection: a DuckDB error there (a ragged line) must not abort
    # the store's open transaction, which the generic path then still needs.
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(config={"temp_directory": tmp, "memory_limit": STAGING_MEMORY})
        try:
            source_file = _utf8_source(path, data, enc, Path(tmp))
            sha256 = hashlib.sha256(data).hexdigest()  # the batch's record of the file, from the bytes already read
            del data
            cols = ", ".join(f"'c{j}': 'VARCHAR'" for j in range(width))
            try:
                con.execute(
                    f"CREATE TEMP TABLE _fast_raw AS SELECT * FROM read_csv(?, delim = ?, quote = '\"', "
                    f"escape = '\"', header = false, auto_detect = false, columns = {{{cols}}}, strict_mode = true, "
                    f"null_padding = false, nullstr = '')", [str(source_file), delim])
            except duckdb.Error:  # the generic reader reports the line with its row
                return None
            if con.execute("SELECT count(*) FROM _fast_raw").fetchall()[0][0] != n_lines:
                return None
            return _FastImport(store, con, path, sha256, width, year, source, registry, layout, step).run()
        finally:
            con.close()


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class _FastImport:
    """The stages of one set-based import over the raw table ``_fast_raw`` (columns c0, c1, ...)."""

    def __init__(self, store: Store, con: duckdb.DuckDBPyConnection, path: Path, sha256: str, width: int,
                 year: int | None, source: str | None, registry: Registry, layout: str, step: Progress) -> None:
        self.store, self.con, self.path, self.fname, self.sha256 = store, con, path, path.name, sha256
        self.width, self.year, self.source, self.registry, self.layout, self.step = (
            width, year, source, registry, layout, step)
        self.labels: dict[int, str] = {}  # value column index → its label, for provenance

    def run(self):
        """Stage in the private connection, then insert into the store; ``None`` for the generic path."""
        from baiqiang.data.importers import table as tb

        try:
            staged = self._stage(tb)
        except duckdb.Error:  # e.g. a cell the SQL rules accept but DuckDB cannot cast: let the generic path decide
            return None
        if staged is None:
            return None
        report, lines, unmapped, obs = staged
        batch, warnings = None, []
        if obs is not None:
            self.step("写入")
            store = self.store.con
            store.register("_fast_obs_in", obs)
            try:
                store.execute(f"CREATE OR REPLACE TEMP VIEW _fast_obs AS {self._with_provenance('_fast_obs_in')}")
                warnings = tb.plausibility_table_warnings(self.store, "_fast_obs")
                batch = self.store.add_validated("_fast_obs", source=self.source or self.fname,
                                                 file=str(self.path), sha256=self.sha256)
            finally:
                store.execute("DROP VIEW IF EXISTS _fast_obs")
                store.unregister("_fast_obs_in")
        return tb.ImportReport(self.fname, report, unmapped, [], batch, warnings, csv_lines=lines)

    def _stage(self, tb):
        """Every check and the observations, in the private connection: ``(report, lines, unmapped, obs)``."""
        from baiqiang.errors import DataError

        con = self.con
        _macros(con)
        head = pd.DataFrame(con.execute("SELECT * FROM _fast_raw WHERE rowid < 2 ORDER BY rowid").fetchall(),
                            dtype=object)
        if len(head) < 2:
            return None
        sh = parse_sheet(head)
        labels = list(sh.data.columns)
        if sh.title_rows or sh.header_rows != [1] or len(labels) != self.width or len(sh.data) != 1:
            return None
        self.col = {label: f"c{j}" for j, label in enumerate(labels)}
        self.step("检查")
        self._non_ascii()
        filled = " OR ".join(self._cell(f"c{j}", "filled") for j in range(self.width))
        numeric = " OR ".join(self._cell(f"c{j}", "numeric") for j in range(self.width))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fast_body AS SELECT r.rowid + 1 AS _row, r.*, "
                    f"{filled} AS _filled, {numeric} AS _has_num FROM _fast_raw r {self._joins()} WHERE r.rowid >= 1")
        footnote_like, n_rows = con.execute(
            "SELECT count(*) FILTER (_filled AND NOT _has_num), count(*) FILTER (_filled) FROM _fast_body").fetchall()[0]
        if footnote_like or not n_rows:
            return None  # footnotes, text rows or no data rows: the generic sheet parser decides
        con.execute("DROP TABLE _fast_raw")
        con.execute("DELETE FROM _fast_body WHERE NOT _filled")
        measure_data = {label: [v for (v,) in con.execute(
            f"SELECT DISTINCT {self.col[label]} FROM _fast_body WHERE {self.col[label]} IS NOT NULL").fetchall()]
            for label in labels if label.lower() in {m.lower() for m in tb.MEASURE_COLUMNS}}
        keys = tb._KeyColumns.find(labels, measure_data)
        lookup = tb._indicator_lookup(self.store)
        try:
            long = tb._check_columns(self.fname, labels, keys, self.year, self.layout)
        except DataError:
            return None
        mapped, unmapped = ({}, []) if long else tb._map_columns(sh, keys, lookup)
        if tb._column_problems(self.fname, sh, mapped):
            return None
        self.step("解析单位")
        value_labels = ([keys.year] if self.year is None else []) + ([keys.value] if long else list(mapped))
        raw = [self.col[lb] for lb in (keys.indicator, keys.measure) if long and lb]
        n_imported = self._resolve(keys, tb, [self.col[lb] for lb in value_labels], raw)
        if n_imported and not self._year_ok(keys):
            return None
        self.step("解析数值")
        if n_imported:
            built = self._long_obs(keys, lookup) if long else self._wide_obs(sh, mapped)
            if not built or not self._obs_ok():
                return None
        report = con.sql("SELECT r._row AS row, g.rname AS name, g.status, g.rcode AS code, g.candidates, g.note "
                         "FROM _fast_rows r JOIN _fast_groups g ON g.g = r._g ORDER BY r._row").to_arrow_table().to_pandas()
        lines = con.sql("SELECT CAST(r._row AS VARCHAR) || g.tail AS line FROM _fast_rows r JOIN _fast_groups g "
                        "ON g.g = r._g ORDER BY r._row").to_arrow_table().column("line")
        obs = None
        if n_imported and con.execute("SELECT count(*) FROM _fast_obs").fetchall()[0][0]:
            obs = con.sql("SELECT * FROM _fast_obs ORDER BY _row, _col").to_arrow_table()
        con.close()  # staging is done: free its memory before the store's insert
        return report, lines, unmapped, obs

    # -- cells --------------------------------------------------------------------------
    def _non_ascii(self) -> None:
        """Parse every distinct non-ASCII cell with the generic rules (``_fast_na``); note which columns have them."""
        flags = self.con.execute("SELECT " + ", ".join(f"coalesce(bool_or(NOT _bq_ascii(c{j})), false)"
                                                       for j in range(self.width)) + " FROM _fast_raw WHERE rowid >= 1"
                                 ).fetchall()[0]
        self.non_ascii = {f"c{j}" for j, f in enumerate(flags) if f}
        cells = [v for (v,) in self.con.execute("SELECT DISTINCT v FROM (" + " UNION ALL ".join(
            f"SELECT {c} AS v FROM _fast_raw WHERE rowid >= 1 AND NOT _bq_ascii({c})" for c in sorted(self.non_ascii))
            + ")").fetchall()] if self.non_ascii else []
        arr = np.array(cells, dtype=object)
        value, ok = parse_numbers(arr)
        fill, num = _masks(arr.reshape(-1, 1)) if len(arr) else (np.zeros((0, 1), bool), np.zeros((0, 1), bool))
        frame = pd.DataFrame({"cell": pd.Series(cells, dtype=object), "nv": pd.array(value, dtype="Float64"),
                              "nok": ok, "nfill": fill[:, 0], "nnum": num[:, 0]})
        self._table("_fast_na", frame)

    def _joins(self, alias: str = "r", cols: list[str] | None = None) -> str:
        """LEFT JOINs of the non-ASCII cell table for the columns ``cols`` (default: all)."""
        use = self.non_ascii if cols is None else self.non_ascii & set(cols)
        return " ".join(f"LEFT JOIN _fast_na n_{c} ON {alias}.{c} = n_{c}.cell" for c in sorted(use))

    def _cell(self, c: str, what: str, alias: str = "r") -> str:
        """SQL for one rule on column ``c``: filled / numeric (sheet masks), ok / value (``parse_numbers``)."""
        ascii_rule = {"filled": f"_bq_filled({alias}.{c})", "numeric": f"_bq_numeric({alias}.{c})",
                      "ok": f"_bq_ok({alias}.{c})",
                      "value": f"CASE WHEN _bq_ok({alias}.{c}) THEN _bq_value({alias}.{c}) END"}[what]
        null = {"filled": "false", "numeric": "false", "ok": "true", "value": "NULL"}[what]
        # A cell that is already a plain number (most of them) needs no cleaning: every rule agrees on it.
        plain = {"filled": "true", "numeric": "true", "ok": "true", "value": f"CAST({alias}.{c} AS DOUBLE)"}[what]
        head = f"CASE WHEN {alias}.{c} IS NULL THEN {null} WHEN regexp_full_match({alias}.{c}, '{_NUMBER_RE}') THEN {plain}"
        if c not in self.non_ascii:
            return f"({head} ELSE {ascii_rule} END)"
        other = {"filled": "nfill", "numeric": "nnum", "ok": "nok", "value": "nv"}[what]
        return f"({head} WHEN _bq_ascii({alias}.{c}) THEN {ascii_rule} ELSE n_{c}.{other} END)"

    # -- units and years ----------------------------------------------------------------
    def _resolve(self, keys, tb, parse: list[str], raw: list[str]) -> int:
        """Resolve each distinct (code, name, province, prefecture) once, into ``_fast_groups``.

        ``_fast_rows`` holds per body row its group ``_g``, whether it is
        imported, the raw cells of the columns ``raw`` and the parsed cells of
        the columns ``parse`` (``ok_<col>``, ``v_<col>``).  Returns the number
        of rows to import.
        """
        from baiqiang.data.resolve import Resolver

        labels = [c for c in (keys.code, keys.name, keys.province, keys.prefecture) if c]
        kc = [self.col[lb] for lb in labels]
        groups = self.con.execute(f"SELECT DISTINCT {', '.join(kc)} FROM _fast_body").fetchall()
        resolver = Resolver(self.registry, prefer_current=False)
        regions = tb._Regions.of(self.registry)
        lines = [tb._report_line(resolver, regions, keys, None, dict(zip(labels, g))) for g in groups]
        frame = pd.DataFrame({f"k{i}": pd.Series([g[i] for g in groups], dtype=object) for i in range(len(kc))})
        frame["g"] = np.arange(len(groups))
        for col, key in (("status", "status"), ("rcode", "code"), ("rname", "name"), ("candidates", "candidates"),
                         ("note", "note")):
            frame[col] = pd.Series([str(line[key]) for line in lines], dtype=object)
        frame["tail"] = pd.Series([csv_tail([line[k] for k in tb._REPORT_COLUMNS[1:]]) for line in lines], dtype=object)
        self._table("_fast_groups", frame)
        on = " AND ".join(f"b.{c} IS NOT DISTINCT FROM g.k{i}" for i, c in enumerate(kc))
        parsed = "".join(f", {self._cell(c, 'ok', 'b')} AS ok_{c}, {self._cell(c, 'value', 'b')} AS v_{c}"
                         for c in parse)
        kept = "".join(f", b.{c}" for c in raw)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _fast_rows AS SELECT b._row, g.g AS _g, "
                         f"g.status = 'imported' AS _imported{kept}{parsed} FROM _fast_body b JOIN _fast_groups g "
                         f"ON {on} {self._joins('b', parse)}")
        self.con.execute("DROP TABLE _fast_body")
        return self.con.execute("SELECT count(*) FROM _fast_rows WHERE _imported").fetchall()[0][0]

    def _year_ok(self, keys) -> bool:
        """Set ``self.year_sql``; False when an imported row's year is not a whole number (the generic path reports it)."""
        if self.year is not None:
            self.year_sql = str(int(self.year))
            return True
        self.year_sql = f"r.v_{self.col[keys.year]}"
        bad = self.con.execute(
            f"SELECT count(*) FROM (SELECT {self.year_sql} AS y FROM _fast_rows r "
            f"WHERE r._imported) WHERE y IS NULL OR NOT isfinite(y) OR y <> floor(y) "
            f"OR y < -2147483648 OR y > 2147483647").fetchall()[0][0]
        return not bad

    # -- observations -------------------------------------------------------------------
    def _obs_select(self, label: str, j: int, conv: str, joins: str, indicator: str) -> str:
        """One SELECT of observations from ``_fast_rows`` for value column ``j`` (file label ``label``)."""
        self.labels[j] = label
        return (f"SELECT g.rcode AS unit_code, {indicator} AS indicator, CAST({self.year_sql} AS INTEGER) AS year, "
                f"{conv} AS value, r._row AS _row, {j} AS _col FROM _fast_rows r JOIN _fast_groups g ON g.g = r._g "
                f"{joins} WHERE r._imported")

    def _with_provenance(self, table: str) -> str:
        """A SELECT adding source and provenance (``file 第 R 行 列「label」``) to the observations in ``table``.

        Built in the store's connection, so the million provenance strings never pass through Python.
        """
        label = "CASE _col " + " ".join(f"WHEN {j} THEN {_lit(' 行 列「' + lb + '」')}" for j, lb in self.labels.items())
        prov = f"{_lit(self.fname + ' 第 ')} || CAST(_row AS VARCHAR) || {label} END"
        return (f"SELECT unit_code, indicator, year, value, {_lit(self.source or self.fname)} AS source, "
                f"{prov} AS provenance, _row, _col FROM {table}")

    def _not_ok(self, c: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM _fast_rows WHERE _imported AND NOT ok_{c}"
                                ).fetchall()[0][0]

    def _long_obs(self, keys, lookup) -> bool:
        """``_fast_obs`` of a long table; False when an indicator, a cell or a unit would be a problem."""
        from baiqiang.data.catalog import label_key

        ci, cv = self.col[keys.indicator], self.col[keys.value]
        labels = [v for (v,) in self.con.execute(
            f"SELECT DISTINCT {ci} FROM _fast_rows WHERE _imported").fetchall()]
        hits = [lookup.get(label_key(str(v))) for v in labels]
        if any(h is None for h in hits) or self._not_ok(cv):
            return False
        ind = pd.DataFrame({"label": pd.Series(labels, dtype=object), "code": [h[0] for h in hits],
                            "unit": [h[1] or "" for h in hits]})
        self._table("_fast_ind", ind)
        joins = f"JOIN _fast_ind i ON r.{ci} IS NOT DISTINCT FROM i.label"
        value = f"r.v_{cv}"
        conv = value
        if keys.measure is not None:
            cm = self.col[keys.measure]
            pairs = self.con.execute(f"SELECT DISTINCT r.{cm}, i.unit FROM _fast_rows r JOIN _fast_ind i "
                                     f"ON r.{ci} IS NOT DISTINCT FROM i.label WHERE r._imported").fetchall()
            rows = []
            for given, unit in pairs:
                f = _factor(normalise_unit(given), unit)
                if f is None:
                    return False
                rows.append((given, unit, *f))
            self._table("_fast_units", pd.DataFrame(rows, columns=["given", "unit", "f", "divide"]).astype(
                {"given": object, "unit": object, "f": float, "divide": bool}))
            joins += f" JOIN _fast_units u ON r.{cm} IS NOT DISTINCT FROM u.given AND i.unit = u.unit"
            conv = f"CASE WHEN u.divide THEN {value} / u.f ELSE {value} * u.f END"
        self.con.execute("CREATE OR REPLACE TEMP TABLE _fast_obs AS "
                         + self._obs_select(keys.value, 0, conv, joins, "i.code") + " ORDER BY _row")
        return True

    def _wide_obs(self, sh, mapped: dict[str, tuple[str, str]]) -> bool:
        """``_fast_obs`` of a wide table (row-major); False when a cell or a header unit would be a problem."""
        selects = []
        for j, (label, (code, unit)) in enumerate(mapped.items()):
            c = self.col[label]
            f = _factor(sh.units.get(label, ""), unit)
            if f is None or self._not_ok(c):
                return False
            conv = f"r.v_{c} {'/' if f[1] else '*'} CAST({f[0]!r} AS DOUBLE)"
            selects.append(self._obs_select(label, j, conv, "", _lit(code)))
        if not selects:
            return False
        self.con.execute("CREATE OR REPLACE TEMP TABLE _fast_obs AS " + " UNION ALL ".join(selects)
                         + " ORDER BY _row, _col")
        return True

    def _obs_ok(self) -> bool:
        """No duplicate cell, no non-finite value, every unit code in the store (else the generic path reports)."""
        known = self.store.con.execute("SELECT code FROM units").fetchall()
        self._table("_fast_known", pd.DataFrame({"code": pd.Series([c for (c,) in known], dtype=object)}))
        dup, inf, unknown = self.con.execute(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM _fast_obs GROUP BY unit_code, indicator, year "
            "HAVING count(*) > 1)), (SELECT count(*) FROM _fast_obs WHERE NOT isfinite(value)), "
            "(SELECT count(*) FROM _fast_obs WHERE unit_code NOT IN (SELECT code FROM _fast_known))").fetchall()[0]
        return not (dup or inf or unknown)

    def _table(self, name: str, frame: pd.DataFrame) -> None:
        """``frame`` as temp table ``name``; object columns as VARCHAR (a column of only None included)."""
        cols = ", ".join(f"{c}::VARCHAR AS {c}" if frame[c].dtype == object else c for c in frame.columns)
        self.con.register(f"{name}_df", frame)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {cols} FROM {name}_df")
        self.con.unregister(f"{name}_df")


def _factor(source: str, target: str) -> tuple[float, bool] | None:
    """``(f, divide)`` with which ``units.convert`` turns ``source`` into ``target``; None if it refuses."""
    s, t = normalise_unit(source), normalise_unit(target)
    if not s or not t or s == t:
        return 1.0, False
    try:
        f, divide = factor(s, t)
    except UnitError:
        return None
    return float(f), bool(divide)


def csv_tail(cells: list[object]) -> str:
    """``,cell,cell…\\r\\n`` as :func:`pipeline.export.write_csv` writes these cells after a first one.

    The same escaping (``safe_frame``) and the same ``csv`` dialect as pandas'
    ``to_csv``, so a report line is ``str(row) + tail`` byte for byte.
    """
    from baiqiang.pipeline.export import escape_text

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(["", *map(escape_text, cells)])
    return buf.getvalue()
