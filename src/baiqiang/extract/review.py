"""Candidate facts in the store, and their review.

Extracted facts are loaded into the project's DuckDB file as *candidates* in
two tables owned by this module:

``fact_candidates``  one row per fact: document path and SHA-256, place and
                     its registry code, the fact fields, the mapped indicator
                     code and confidence, quote and character offsets, status
                     (candidate / accepted / edited / rejected), reviewer and
                     timestamps.
``fact_history``     one row per change: candidate id, time, action, reviewer
                     and the row before and after, as JSON.

Nothing is deleted: a rejected fact keeps its row with status ``rejected``.
Only accepted (or edited) facts become observations, written through
:meth:`baiqiang.data.store.Store.add_observations` with the quote and offsets
as provenance.  Loading the same document twice adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from baiqiang.errors import BaiqiangError, DataError
from baiqiang.extract.lexicon import load_lexicon
from baiqiang.extract.mapping import Mapping, Place
from baiqiang.extract.model import KINDS, QUALIFIERS, Fact

STATUSES = ("candidate", "accepted", "edited", "rejected")
EDITABLE = ("indicator", "indicator_code", "value", "unit", "value_std", "unit_std", "kind", "qualifier",
            "period", "place", "place_code")

_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS fact_candidate_ids START 1;
CREATE TABLE IF NOT EXISTS fact_candidates (
    id INTEGER PRIMARY KEY DEFAULT nextval('fact_candidate_ids'),
    document VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    place VARCHAR, place_code VARCHAR,
    indicator VARCHAR NOT NULL, indicator_code VARCHAR, confidence DOUBLE,
    value DOUBLE, unit VARCHAR, value_std DOUBLE, unit_std VARCHAR,
    kind VARCHAR, qualifier VARCHAR, period VARCHAR,
    quote VARCHAR, start_offset INTEGER, end_offset INTEGER,
    status VARCHAR NOT NULL DEFAULT 'candidate', reviewer VARCHAR,
    created_at TIMESTAMP DEFAULT current_timestamp, updated_at TIMESTAMP DEFAULT current_timestamp,
    batch_id INTEGER);
CREATE TABLE IF NOT EXISTS fact_history (
    candidate_id INTEGER NOT NULL, changed_at TIMESTAMP DEFAULT current_timestamp,
    action VARCHAR NOT NULL, reviewer VARCHAR, before_json VARCHAR, after_json VARCHAR);
"""


@dataclass(frozen=True)
class LoadResult:
    """How many candidates a document added (``skipped``: already loaded; ``relocated``: place corrected)."""

    added: int
    skipped: int
    relocated: int = 0


class Review:
    """Candidate facts stored next to the observations of a :class:`Store`."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.con = store.con
        self.con.execute(_SCHEMA)

    # ------------------------------------------------------------------ load
    def load(self, facts: Sequence[Fact], *, document: str, sha256: str,
             places: Sequence[Place], mappings: Sequence[Mapping]) -> LoadResult:
        """Add facts as candidates; a fact already loaded from the same bytes is skipped."""
        self._register_indicators(facts, mappings)
        added = skipped = relocated = 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            for fact, place, mapping in zip(facts, places, mappings, strict=False):
                existing = self.con.execute(
                    "SELECT id, status, place_code FROM fact_candidates WHERE sha256 = ? AND start_offset = ? "
                    "AND end_offset = ? AND indicator = ? AND kind = ? AND value_std = ?",
                    [sha256, fact.start, fact.end, fact.indicator, fact.kind, fact.value_std]).fetchone()
                if existing is not None:
                    cid, status, old_code = existing
                    if status == "candidate" and place.code and place.code != (old_code or ""):
                        # Re-extraction with a corrected --place: the unreviewed candidate takes the new place.
                        before = self._row(cid)
                        self.con.execute("UPDATE fact_candidates SET place = ?, place_code = ?, updated_at = now() "
                                         "WHERE id = ?", [place.name, place.code, cid])
                        self._history(cid, "relocate", None, before, self._row(cid))
                        relocated += 1
                    else:
                        skipped += 1
                    continue
                cid = self.con.execute(
                    "INSERT INTO fact_candidates (document, sha256, place, place_code, indicator, indicator_code, "
                    "confidence, value, unit, value_std, unit_std, kind, qualifier, period, quote, start_offset, "
                    "end_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    [document, sha256, place.name, place.code, fact.indicator, mapping.code, mapping.confidence,
                     fact.value, fact.unit, fact.value_std, fact.unit_std, fact.kind, fact.qualifier, fact.period,
                     fact.quote, fact.start, fact.end]).fetchone()[0]
                self._history(cid, "load", None, None, self._row(cid))
                added += 1
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        return LoadResult(added, skipped, relocated)

    def _register_indicators(self, facts: Sequence[Fact], mappings: Sequence[Mapping]) -> None:
        """Add packaged extraction indicators the catalog lacks (public Store API)."""
        from baiqiang.data.store import Indicator

        self.store.ensure_catalog()  # the default catalog's codes keep its units and names
        known = {i.code for i in self.store.indicators()}
        specs = load_lexicon().indicators
        new: dict[str, Indicator] = {}
        for fact, m in zip(facts, mappings, strict=False):
            if m.code and m.code not in known and m.code in specs and m.code not in new:
                spec = specs[m.code] or {}
                new[m.code] = Indicator(m.code, str(spec.get("name", m.code)), "", fact.unit_std,
                                        "由文本抽取（baiqiang.extract 指标别名表）",
                                        tuple(str(a) for a in spec.get("aliases") or ()))
        if new:
            self.store.upsert_indicators(new.values())

    # ------------------------------------------------------------------ read
    def list(self, *, status: str | None = None, document: str | None = None) -> pd.DataFrame:
        """Candidates, optionally filtered by status or document."""
        if status is not None and status not in STATUSES:
            raise BaiqiangError.single("--status", f"未知状态 {status!r}；可选：{'、'.join(STATUSES)}")
        sql, args = "SELECT * FROM fact_candidates WHERE 1=1", []
        if status:
            sql, args = sql + " AND status = ?", [*args, status]
        if document:
            sql, args = sql + " AND document = ?", [*args, document]
        return self.con.execute(sql + " ORDER BY id", args).df()

    def history(self, candidate_id: int) -> pd.DataFrame:
        """Every change of one candidate, oldest first."""
        return self.con.execute("SELECT * FROM fact_history WHERE candidate_id = ? ORDER BY changed_at, rowid",
                                [candidate_id]).df()

    # ------------------------------------------------------------------ review
    def accept(self, candidate_id: int, *, reviewer: str) -> int | None:
        """Accept a candidate and write it as an observation; returns the import batch."""
        row = self._row(candidate_id)
        if row["status"] == "rejected":
            raise BaiqiangError.single(f"候选事实 {candidate_id}", "已被拒绝；请先用 edit 修改后再接受")
        return self._to_observation(candidate_id, row, "accepted", reviewer, "accept")

    def edit(self, candidate_id: int, *, reviewer: str, **changes: Any) -> int | None:
        """Correct fields of a candidate; the edited fact becomes an observation."""
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise BaiqiangError.single(f"候选事实 {candidate_id}", f"不可修改的字段：{'、'.join(unknown)}")
        if "kind" in changes and changes["kind"] not in KINDS:
            raise BaiqiangError.single(f"候选事实 {candidate_id}", f"kind 必须是 {'、'.join(KINDS)} 之一")
        if "qualifier" in changes and changes["qualifier"] not in QUALIFIERS:
            raise BaiqiangError.single(f"候选事实 {candidate_id}", f"qualifier 必须是 {'、'.join(QUALIFIERS)} 之一")
        row = self._row(candidate_id)
        row.update(changes)
        if "value" in changes and "value_std" not in changes:
            info = load_lexicon().units.get(str(row["unit"] or ""))
            if info is None and row["unit"]:
                raise DataError.single(f"候选事实 {candidate_id}: --unit", f"未知单位“{row['unit']}”", "unit")
            row["value_std"] = float(changes["value"]) * (info.multiplier if info else 1.0)
            row["unit_std"] = info.std if info else row["unit_std"]
        return self._to_observation(candidate_id, row, "edited", reviewer, "edit", changes=row)

    def reject(self, candidate_id: int, *, reviewer: str, reason: str = "") -> None:
        """Mark a candidate rejected (kept, never deleted)."""
        before = self._row(candidate_id)
        self.con.execute("UPDATE fact_candidates SET status = 'rejected', reviewer = ?, updated_at = now() "
                         "WHERE id = ?", [reviewer, candidate_id])
        after = self._row(candidate_id)
        after["reason"] = reason
        self._history(candidate_id, "reject", reviewer, before, after)

    # ------------------------------------------------------------------ internals
    def _row(self, candidate_id: int) -> dict[str, Any]:
        cur = self.con.execute("SELECT * FROM fact_candidates WHERE id = ?", [candidate_id])
        values = cur.fetchone()
        if values is None:
            raise BaiqiangError.single(f"候选事实 {candidate_id}", "不存在")
        return {d[0]: v for d, v in zip(cur.description, values, strict=False)}

    def _history(self, cid: int, action: str, reviewer: str | None, before: Any, after: Any) -> None:
        self.con.execute("INSERT INTO fact_history (candidate_id, action, reviewer, before_json, after_json) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [cid, action, reviewer, _json(before), _json(after)])

    def _to_observation(self, cid: int, row: dict[str, Any], status: str, reviewer: str, action: str,
                        changes: dict[str, Any] | None = None) -> int | None:
        problems = _observation_problems(row)
        if problems:
            raise DataError.single(f"候选事实 {cid}（{row['indicator']}）", "；".join(problems), "review")
        obs = pd.DataFrame([{
            "unit_code": row["place_code"], "indicator": row["indicator_code"], "year": int(row["period"]),
            "value": float(row["value_std"]), "unit": row["unit_std"] or "",  # the store converts to the catalog's unit
            "provenance": f"{row['document']} 字符 {row['start_offset']}-{row['end_offset']}：{row['quote']}",
        }])
        before = self._row(cid)
        # the store validates unit and indicator codes and writes atomically; only
        # then does the candidate change status, so a failure changes nothing
        result = self.store.add_observations(obs, source=f"extract:{row['document']}", file=row["document"],
                                             sha256=row["sha256"], note=f"候选事实 {cid} 由 {reviewer} 审核")
        sets = {k: row[k] for k in EDITABLE} if changes else {}
        assignments = "".join(f", {k} = ?" for k in sets)
        self.con.execute(f"UPDATE fact_candidates SET status = ?, reviewer = ?, batch_id = ?, "
                         f"updated_at = now(){assignments} WHERE id = ?",
                         [status, reviewer, result.batch_id, *sets.values(), cid])
        self._history(cid, action, reviewer, before, self._row(cid))
        return result.batch_id


def _observation_problems(row: dict[str, Any]) -> list[str]:
    problems = []
    if not row.get("place_code"):
        problems.append("地点没有行政区划代码（用 --place 指定，或 edit --place-code）")
    if not row.get("indicator_code"):
        problems.append("指标未映射到指标目录（用 edit --indicator-code 指定）")
    if not str(row.get("period") or "").isdigit():
        problems.append("缺少年份（用 edit --period 指定）")
    return problems


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)
