"""Every number printed in the report and profile text equals its source in the results.

The rendered HTML is parsed back: each paragraph's numbers are the ``span.num``
elements (no digit may appear outside them, apart from unit and indicator
names), and each is recomputed here from the Results directly, without the
report's own tables.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from baiqiang.analysis.explain import all_contributions, explain_unit
from baiqiang.data.names import REGIONS
from baiqiang.pipeline import run

from .conftest import parse


def _units(res, lst) -> pd.DataFrame:
    """Ranked units straight from the build and its named list: the units the list's gates admit, by its score."""
    t = lst.set_index("unit_code")
    t = t[t["status"].isin(["入选", "未入选"])]
    frame = res.panel.frame.reindex(t.index)
    out = pd.DataFrame({"name": t["unit_name"], "score": t["score"],
                        "rank": t["score"].rank(ascending=False, method="min").astype(int),
                        "tier": t["tier"], "province": frame["province"], "region": [REGIONS[c[:2]] for c in t.index],
                        "type": frame["type"]}, index=t.index)
    for p in _pillars(res):
        out[p] = res.scores.loc[t.index, p]
    return out


def _pillars(res) -> list[str]:
    return [a for a in res.hierarchy.aggregate_codes if res.hierarchy.parent_of[a] == res.root]


def _link(prev_codes, cur_codes) -> dict[str, str]:
    from baiqiang.data.crosswalk import load_crosswalk, successors

    cw, cur = load_crosswalk(), set(cur_codes)
    out = {}
    for c in prev_codes:
        nxt = [c] if c in cur else [s for s in successors(cw, c) if s in cur]
        if len(nxt) == 1:
            out[c] = nxt[0]
    vals = pd.Series(out)
    return vals[~vals.duplicated(keep=False)].to_dict()


def _expected_report(key: str, published) -> object:
    res, prev = published.results, published.previous
    u, p = _units(res, published.lists[0]), _units(prev, published.lists[1])
    top, ptop = u[u["rank"] <= 100], p[p["rank"] <= 100]
    parts = key.split(".")
    if key == "n_ranked":
        return len(u)
    if key == "top_n":
        return 100
    if key == "top_small":
        return 10
    if key in ("year", "previous_year"):
        return {"year": 2020, "previous_year": 2010}[key]
    if key in ("first.score", "last.score"):
        return top["score"].max() if key == "first.score" else top.sort_values("rank")["score"].iloc[-1]
    if parts[0] == "type":
        return int((top["type"] == parts[1]).sum())
    if parts[0] == "population":
        frame = pd.concat([res.panel.frame, res.panel.excluded])
        pop = pd.to_numeric(frame["pop_total"], errors="coerce")
        listed = pop.reindex(top.index).sum()
        return listed / 1e4 if parts[1] == "list_10k" else 100 * listed / pop.sum()
    if parts[0] == "region":
        now = int((top["region"] == parts[1]).sum())
        return now if parts[2] == "count" else now - int((ptop["region"] == parts[1]).sum())
    if key == "provinces.n":
        return top["province"].nunique()
    if parts[0] == "province_top":
        counts = top.groupby("province").size()
        before = ptop.groupby("province").size()
        table = pd.DataFrame({"c": counts, "b": before}).fillna(0).sort_values(["c", "b"], ascending=False, kind="stable")
        row = table.iloc[int(parts[1]) - 1]
        return int(row["c"]) if parts[2] == "count" else int(row["c"] - row["b"])
    if parts[0] == "tier":
        highs = [int(u.loc[u["tier"] == k, "rank"].max()) for k in sorted(set(u["tier"]) - {0})]
        lows = [1, *(h + 1 for h in highs[:-1])]
        t = int(parts[1])
        members = u[(u["rank"] >= lows[t - 1]) & (u["rank"] <= highs[t - 1])]
        if parts[2] == "tier":
            return t
        if parts[2] == "ranks":
            return f"{lows[t - 1]}–{highs[t - 1]}"
        return len(members) if parts[2] == "total" else int((members["region"] == parts[2]).sum())
    if parts[0] == "pillar":
        return u[parts[1]].max()
    if parts[0] == "turnover":
        n = int(parts[1])
        link = _link(p.index, u.index)
        now = set(u.index[u["rank"] <= n])
        before = {link.get(c, "old:" + c) for c in p.index[p["rank"] <= n]}
        return len(now - before) if parts[2] == "entrants" else len(before - now)
    if parts[0] == "mover":
        link = _link(p.index, u.index)
        pr = pd.Series({link[c]: r for c, r in p["rank"].items() if c in link})
        change = (pr.reindex(u.index) - u["rank"]).dropna()
        if parts[1] == "up":
            cand = change[(change > 0) & (u["rank"].reindex(change.index) <= 100)]
            code = pd.DataFrame({"c": cand, "r": u["rank"]}).dropna().sort_values(["c", "r"], ascending=[False, True]).index[0]
        else:
            cand = change[(change < 0) & (pr.reindex(change.index) <= 100)]
            code = pd.DataFrame({"c": cand, "r": u["rank"]}).dropna().sort_values(["c", "r"]).index[0]
        if parts[2] == "from":
            return int(pr[code])
        if parts[2] == "to":
            return int(u.at[code, "rank"])
        pillars = _pillars(res)
        old = next(o for o, n in link.items() if n == code)
        d = all_contributions(res).loc[code, pillars] - all_contributions(prev).loc[old, pillars]
        return d.loc[d.abs().idxmax()]
    raise AssertionError(f"no independent source for {key}")


def _number(text: str) -> float:
    return float(re.sub(r"[^\d.+\-]", "", text))


def _names(published) -> list[str]:
    res = published.results
    names = list(res.panel.names) + [res.hierarchy.name(c) for c in res.hierarchy.node_codes]
    return sorted(set(names), key=len, reverse=True)


def _check_block_digits(block: dict, names: list[str]) -> None:
    rest = "".join(block["text"])
    for n in names:
        if any(ch.isdigit() for ch in n):
            rest = rest.replace(n, "")
    assert not re.search(r"\d", rest), f"a number not taken from the results: {rest!r}"


def _compare(printed: dict, expected: object) -> None:
    text = printed["text"]
    if isinstance(expected, str):
        assert text == expected, (printed, expected)
        return
    value = _number(text) * (-1 if printed["sign"] == "-1" else 1)
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert value == pytest.approx(round(float(expected), decimals), abs=0.51 * 10 ** -decimals), (printed, expected)


def test_every_number_in_the_report_text_is_the_results(published):
    doc = parse(published.out / "report.html")
    names = _names(published)
    seen = set()
    for block in doc.blocks:
        _check_block_digits(block, names)
        for printed in block["nums"]:
            _compare(printed, _expected_report(printed["key"], published))
            seen.add(printed["key"].split(".")[0])
    # The paragraphs quote every family of facts: summary, regions, provinces, tiers, leaders, turnover, movers.
    assert {"n_ranked", "region", "province_top", "tier", "pillar", "turnover", "mover", "population"} <= seen


def test_the_list_table_is_the_results(published):
    rows = parse(published.out / "report.html").table_rows["list"]
    u = _units(published.results, published.lists[0])
    p = _units(published.previous, published.lists[1])
    link = _link(p.index, u.index)
    prev_rank = {link[c]: r for c, r in p["rank"].items() if c in link}
    top = u[u["rank"] <= 100].sort_values(["rank"], kind="stable")
    assert len(rows) == len(top) == 100
    for row, (code, r) in zip(rows, top.sort_values(["rank"]).iterrows()):
        rank, name, province, _pref, score, tier, before, change = row
        assert (int(rank), name, province) == (r["rank"], r["name"], r["province"])
        assert float(score) == pytest.approx(round(r["score"], 2), abs=0.006)
        assert int(tier) == r["tier"]
        if code in prev_rank:
            assert int(before) == prev_rank[code] and int(change) == prev_rank[code] - r["rank"]
        else:
            assert before == change == "—"


def _expected_profile(key: str, published) -> object:
    res, prev, prof = published.results, published.previous, published.profile
    code = prof["code"]
    u, p = _units(res, published.lists[0]), _units(prev, published.lists[1])
    me = u.loc[code]
    parts = key.split(".")
    if key in ("rank", "score", "n_ranked", "year", "previous_year"):
        return {"rank": me["rank"], "score": me["score"], "n_ranked": len(u), "year": 2020, "previous_year": 2010}[key]
    if key == "province.rank":
        return int((u.loc[u["province"] == me["province"], "score"] > me["score"]).sum() + 1)
    if key == "prefecture.rank":
        pref = res.panel.frame["prefecture"].reindex(u.index)
        return int((u.loc[pref == pref[code], "score"] > me["score"]).sum() + 1)
    pillars = _pillars(res)
    if parts[0] == "pillar_best":
        ranks = sorted(int((u[c] > u.at[code, c]).sum() + 1) for c in pillars)
        return ranks[int(parts[1]) - 1]
    expl = explain_unit(res, code)
    if parts[0] in ("strength", "weakness"):
        table = expl.strengths if parts[0] == "strength" else expl.weaknesses
        return table["rank"].iloc[int(parts[1]) - 1]
    if parts[0] == "obstacle":
        return 100 * expl.indicators["obstacle"].sort_values(ascending=False).iloc[int(parts[1]) - 1]
    link = _link(prev.scores.index, res.scores.index)
    old = next(o for o, n in link.items() if n == code)
    if key == "previous_rank":
        return p.at[old, "rank"]
    if key == "previous_score":
        return prev.scores.at[old, prev.root]
    if key == "rank_change":
        return p.at[old, "rank"] - me["rank"]
    if parts[0] == "driver":
        d = all_contributions(res).loc[code, pillars] - all_contributions(prev).loc[old, pillars]
        return d.reindex(d.abs().sort_values(ascending=False).index).iloc[int(parts[1]) - 1]
    if key == "target.rank":
        return 10  # 永康市 is in tier 2 (11–30): the next tier is the top 10
    if key == "target.sd":
        return prof["facts"]["target.sd"]  # checked by rebuilding in test_the_target_is_verified
    raise AssertionError(f"no independent source for {key}")


def test_every_number_in_the_profile_text_is_the_results(published):
    doc = parse(published.out / f"profile_{published.profile['code']}.html")
    names = _names(published)
    press = next(b for b in doc.blocks if b["id"] == "press")
    assert "".join(press["text"]).startswith("我市在全国")
    keys = set()
    for block in doc.blocks:
        _check_block_digits(block, names)
        for printed in block["nums"]:
            _compare(printed, _expected_profile(printed["key"], published))
            keys.add(printed["key"].split(".")[0])
    assert {"rank", "province", "pillar_best", "strength", "weakness", "obstacle", "previous_rank", "driver", "target"} <= keys


def test_the_target_is_verified_by_a_rebuild(published):
    """Raising the listed indicators to the printed target values lifts the unit to the target rank."""
    res, prof = published.results, published.profile
    plan = prof["target"].set_index("code")
    frame = res.panel.frame.copy()
    frame.loc[prof["code"], plan.index] = plan["required"].to_numpy()
    rebuilt = run(res.framework, type(res.panel)(frame, res.panel.name_column, "modified", ""))
    assert rebuilt.ranks.at[prof["code"], res.root] <= prof["facts"]["target.rank"]
    assert res.ranks.at[prof["code"], res.root] > prof["facts"]["target.rank"]
