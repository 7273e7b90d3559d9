"""Writes the web app makes, each run on the serialised writer: import (dry run, confirm), undo, review.

A dry run imports inside a transaction and rolls it back, so its report is
exactly what the confirmed import will do to the store as it is now.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from baiqiang.data.importers.table import ImportReport, import_file
from baiqiang.data.store import Store
from baiqiang.errors import DataError
from baiqiang.web.database import Progress
from baiqiang.web.uploads import Upload

_WEB_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_undone_batches (
    batch_id INTEGER PRIMARY KEY, undone_at TIMESTAMP DEFAULT current_timestamp, username VARCHAR);
CREATE TABLE IF NOT EXISTS web_documents (
    sha256 VARCHAR PRIMARY KEY, name VARCHAR, place VARCHAR, text VARCHAR, username VARCHAR,
    created_at TIMESTAMP DEFAULT current_timestamp);
"""


def ensure_schema(con: Any) -> None:
    con.execute(_WEB_SCHEMA)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class ImportOutcome:
    """An import's report: rows, counts, cell changes and warnings (``batch_id`` None for a dry run)."""

    file: str
    rows: pd.DataFrame
    counts: dict[str, int]
    unmapped_columns: list[str]
    n_new: int = 0
    n_changed: int = 0
    n_unchanged: int = 0
    batch_id: int | None = None
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "batch_id": self.batch_id, "counts": self.counts,
                "n_new": self.n_new, "n_changed": self.n_changed, "n_unchanged": self.n_unchanged,
                "unmapped_columns": self.unmapped_columns, "warnings": self.warnings,
                "rows": _records(self.rows), "changes": _records(self.changes)}


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: missing values (NaN, NA, NaT) as None, times as ISO text, NumPy as Python."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ", timespec="seconds")
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: missing values None, times ISO text, Python scalars (boxed column by column)."""
    columns = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            columns[name] = [_plain(v) for v in col]
        else:
            columns[name] = col.to_numpy(dtype=object, na_value=None).tolist()
    names = [str(c) for c in columns]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _changes(store: Store, batch_id: int) -> pd.DataFrame:
    """Each cell the batch set, with the value it replaces (if any) and where that came from."""
    return store.con.execute(
        """SELECT n.unit_code, u.name, n.indicator, n.year, n.value, o.value AS old_value, o.source AS old_source,
                  o.version AS old_version, n.active
           FROM observations n JOIN units u ON u.code = n.unit_code
           LEFT JOIN observations o ON o.unit_code = n.unit_code AND o.indicator = n.indicator
                AND o.year = n.year AND o.version = n.version - 1
           WHERE n.batch_id = ? ORDER BY n.unit_code, n.indicator, n.year""", [batch_id]).df()


def _pinned_warnings(changes: pd.DataFrame) -> list[str]:
    """Cells whose new value will not be active because another version is pinned."""
    return [f"{r.name}（{r.unit_code}）{r.indicator} {r.year} 年：该单元格已钉住其他版本，新值入库但不生效"
            for r in changes.itertuples(index=False) if not r.active]


def _outcome(rep: ImportReport, store: Store) -> ImportOutcome:
    b = rep.batch
    out = ImportOutcome(rep.file, rep.rows, rep.counts(), list(rep.unmapped_columns), warnings=list(rep.warnings))
    if b is not None:
        out.n_new, out.n_changed, out.n_unchanged, out.batch_id = b.n_new, b.n_changed, b.n_unchanged, b.batch_id
        if b.batch_id is not None:
            out.changes = _changes(store, b.batch_id)
            out.warnings += _pinned_warnings(out.changes)
    return out


def dry_run_import(store: Store, upload: Upload, *, year: int | None) -> ImportOutcome:
    """What importing ``upload`` would do; the store is left exactly as it was."""
    holder: dict[str, ImportOutcome] = {}
    try:
        with store.transaction():
            rep = import_file(store, upload.path, year=year, source=upload.display_name)
            holder["outcome"] = _outcome(rep, store)
            raise _DryRun
    except _DryRun:
        pass
    outcome = holder["outcome"]
    outcome.file = upload.display_name
    outcome.batch_id = None
    return outcome


def confirm_import(store: Store, upload: Upload, *, year: int | None, progress: Progress) -> ImportOutcome:
    """Import ``upload`` as one batch (all or nothing)."""
    progress(0.1, "reading")
    with store.transaction():
        rep = import_file(store, upload.path, year=year, source=upload.display_name)
        progress(0.8, "writing")
        outcome = _outcome(rep, store)
    outcome.file = upload.display_name
    return outcome


UNDONE_MARK = "[已撤销]"
"""How :meth:`Store.undo` marks a batch's note."""


def batches(store: Store) -> pd.DataFrame:
    """Import batches, newest first; ``undone`` from the store's mark, ``undone_by`` from the web's log."""
    ensure_schema(store.con)
    return store.con.execute(
        "SELECT b.batch_id, b.created_at, b.source, b.n_new, b.n_changed, b.n_unchanged, b.note, "
        "contains(coalesce(b.note, ''), ?) AS undone, u.undone_at, u.username AS undone_by FROM import_batches b "
        "LEFT JOIN web_undone_batches u USING (batch_id) ORDER BY b.batch_id DESC", [UNDONE_MARK]).df()


def undo_batch(store: Store, batch_id: int, *, username: str) -> int:
    """Take back one import batch (:meth:`Store.undo`) and record who did it; returns cells removed."""
    ensure_schema(store.con)
    with store.transaction():
        n = store.undo(batch_id)
        store.con.execute("INSERT INTO web_undone_batches (batch_id, username) VALUES (?, ?)", [batch_id, username])
    return n


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_document(store: Store, text: str, *, name: str, place: str, username: str) -> tuple[str, int, int]:
    """Extract facts from ``text`` and load them as review candidates; returns (sha256, added, skipped)."""
    from baiqiang.extract.extractor import extract_facts
    from baiqiang.extract.mapping import Place, PlaceResolver, build_aliases, fact_place, map_indicator
    from baiqiang.extract.review import Review

    if not text.strip():
        raise DataError.single("text", "文本是空的", "empty")
    ensure_schema(store.con)
    sha = text_sha256(text)
    resolver = PlaceResolver()
    doc_place = resolver.resolve(place) if place.strip() else Place("")
    facts = extract_facts(text)
    places = [fact_place(f, doc_place, resolver) for f in facts]
    aliases = build_aliases(catalog=store.indicators())
    mappings = [map_indicator(f, aliases) for f in facts]
    with store.transaction():
        if not store.con.execute("SELECT count(*) FROM web_documents WHERE sha256 = ?", [sha]).fetchone()[0]:
            store.con.execute("INSERT INTO web_documents (sha256, name, place, text, username) VALUES (?, ?, ?, ?, ?)",
                              [sha, name, place, text, username])
    result = Review(store).load(facts, document=name, sha256=sha, places=places, mappings=mappings)
    return sha, result.added, result.skipped
