"""Seeded synthetic national firm registry, written as a canonical firm dataset.

Everything is drawn with NumPy from one ``numpy.random.Generator`` so that the
same ``(n, seed, years)`` gives the same files.  The calibration (national
totals and their sources, the distributions) is documented in docs/platform.md
("Synthetic national registry"); the numbers live in :data:`NATIONAL_TOTALS`.

How firms are placed: industrial firms (门类 B/C/D) are spread over the
county-level units of the registry in proportion to census 2020 industrial
employment (采矿+制造+电力燃气水, scaled to the full count), the other firms
in proportion to non-agricultural, non-industrial employment.  Industry 大类
shares come from a national mix bent per province (stylised specialisations,
:data:`PROVINCE_TILTS`, plus seeded noise); revenue is Pareto-tailed.
Designations go to the largest firms by a size-weighted draw without
replacement (Gumbel top-k), scaled so that each national total is met at
``n = REFERENCE_FIRMS``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from baiqiang.firms.census import census_panel
from baiqiang.firms.codes import USCC_ALPHABET, USCC_WEIGHTS, industry_codes
from baiqiang.firms.importer import MANIFEST, SCHEMA_VERSION, dataset_checksum
from baiqiang.firms.schema import PROJECT_TYPES

#: Registered enterprises the calibration refers to: 5,282.6 万户 登记在册企业 at end-2022
#: (国家市场监督管理总局, 2023-01 press release); the generator's default size is 50 M.
REFERENCE_FIRMS = 52_826_000

#: Published national totals the synthetic registry is scaled to (at ``REFERENCE_FIRMS``).
#: key: (designation type, level) or a firm count; value: (count, source).
NATIONAL_TOTALS: dict[str, tuple[int, str]] = {
    "above_scale": (451_000, "国家统计局《2022年国民经济和社会发展统计公报》：年末规模以上工业企业约 45.1 万家"),
    "专精特新小巨人/国家": (12_000, "工业和信息化部，2023 年：累计培育专精特新“小巨人”企业约 1.2 万家（前五批）"),
    "专精特新中小企业/省": (98_000, "工业和信息化部，2023 年：专精特新中小企业约 9.8 万家"),
    "制造业单项冠军/国家": (1_186, "工业和信息化部，2022 年：前七批制造业单项冠军企业 1,186 家"),
    "高新技术企业/国家": (400_000, "科学技术部，2023 年 2 月：2022 年高新技术企业约 40 万家"),
    "上市企业/国家": (5_079, "中国证监会/交易所统计：2022 年末 A 股上市公司 5,079 家（沪深北）"),
}

INDUSTRIAL_SHARE = 0.12
"""Share of registered enterprises in 门类 B/C/D (stylised; industrial firms are about a tenth of the register)."""

#: National mix of non-industrial firms by 门类 (stylised from the composition of the register:
#: trade and business services dominate).
SECTION_MIX = {"A": 0.03, "E": 0.05, "F": 0.34, "G": 0.04, "H": 0.04, "I": 0.07, "J": 0.01, "K": 0.02,
               "L": 0.15, "M": 0.12, "N": 0.02, "O": 0.05, "P": 0.02, "Q": 0.01, "R": 0.03}
#: Province (2-digit code) → 大类 whose weight is multiplied (stylised specialisations).
PROVINCE_TILTS: dict[str, dict[str, float]] = {
    "14": {"06": 8.0, "31": 2.0}, "15": {"06": 6.0, "32": 3.0}, "61": {"06": 4.0, "07": 3.0},
    "65": {"07": 6.0, "26": 2.0}, "44": {"39": 3.0, "38": 2.0, "19": 1.5}, "32": {"39": 2.0, "26": 2.0, "17": 2.0, "34": 1.5},
    "33": {"17": 2.5, "18": 2.0, "38": 1.5, "34": 1.5}, "35": {"19": 3.0, "18": 2.0}, "37": {"26": 2.0, "13": 1.8},
    "41": {"13": 2.0, "30": 1.5}, "23": {"13": 2.0, "07": 3.0}, "52": {"15": 3.0, "06": 2.0}, "53": {"16": 3.0, "32": 2.0},
    "51": {"39": 1.5, "27": 1.5, "15": 2.0}, "31": {"36": 2.5, "39": 2.0, "27": 1.5}, "34": {"36": 2.0, "38": 2.0},
}
#: Relative weight of a manufacturing 大类 in the national mix (1 unless listed): stylised after the
#: distribution of 规上工业企业 by industry (non-metallic minerals, general and special machinery,
#: electrical machinery, metal products and electronics are the largest groups).
DIVISION_WEIGHT = {"13": 2.0, "14": 1.0, "17": 2.0, "18": 1.5, "26": 2.5, "29": 2.0, "30": 3.0, "33": 2.5, "34": 3.0,
                   "35": 2.5, "36": 1.5, "38": 2.5, "39": 2.0, "06": 0.6, "07": 0.05, "08": 0.2, "10": 0.4,
                   "44": 1.5, "45": 0.3, "46": 0.5, "12": 0.01, "16": 0.05, "11": 0.05, "09": 0.15}
ENERGY_INTENSIVE = {"25": 6.0, "26": 4.0, "30": 5.0, "31": 8.0, "32": 4.0, "44": 6.0, "06": 3.0}

YEARS = (2022, 2023)
ABOVE_SCALE_REVENUE = 2000.0  # 万元, NBS threshold for 规模以上工业企业 since 2011
CHUNK = 2_000_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GeneratedRegistry:
    out: Path
    rows: dict[str, int]
    data_checksum: str


def county_weights() -> pd.DataFrame:
    """Registry county-level units with census 2020 employment: ``code, province_code, w_industry, w_other``."""
    panel = census_panel().reset_index()
    panel = panel[panel["code"].str.fullmatch(r"\d{6}") & (panel["status"] == "current")]
    scale = panel["hh_all"] / panel["hh_long"]
    industry = panel["industry_emp_est"].fillna(0).clip(lower=0)
    other = ((panel["ind_total"] - panel["ind_agriculture"]) * scale - industry).fillna(0).clip(lower=0)
    return pd.DataFrame({"code": panel["code"].to_numpy(), "province_code": panel["code"].str[:2].to_numpy(),
                         "w_industry": industry.to_numpy() + 1.0, "w_other": other.to_numpy() + 1.0})


def _industry_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    t = industry_codes().table
    classes = t[t["level"] == "小类"].assign(division=lambda d: d["code"].str[:2])
    return classes[classes["section"].isin(["B", "C", "D"])], classes[~classes["section"].isin(["B", "C", "D", "T"])]


def _uscc(county_digits: np.ndarray, serial: np.ndarray) -> pa.Array:
    """Valid 统一社会信用代码: 9 1 (企业), the county code, a unique 9-character body, the check character.

    ``county_digits`` is ``(n, 6)`` of digit values; the body is a bijection of the serial number
    (multiplication by 7368787, prime to 31, modulo 31^9), so codes are unique.
    """
    n = len(serial)
    alphabet = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    values = np.zeros((n, 18), dtype=np.int32)
    values[:, 0], values[:, 1] = 9, 1
    values[:, 2:8] = county_digits
    body = (serial.astype(np.int64) * 7_368_787) % (31 ** 9)
    for pos in range(16, 7, -1):
        values[:, pos] = body % 31
        body //= 31
    values[:, 17] = (31 - (values[:, :17] @ USCC_WEIGHTS.astype(np.int32)) % 31) % 31
    chars = np.ascontiguousarray(alphabet[values])
    return pa.array(chars.view("S18").ravel()).cast(pa.string())


def _dictionary(indices: np.ndarray, values: np.ndarray | list[str]) -> pa.DictionaryArray:
    """A dictionary-encoded string column: small integer indices into ``values`` (Parquet stores it so)."""
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), pa.array(list(values), type=pa.string()))


def generate(n: int, out: Path, *, seed: int = 0, years: tuple[int, ...] = YEARS,
             progress: Progress | None = None) -> GeneratedRegistry:
    """Write a synthetic registry of ``n`` enterprises to ``out`` (a canonical firm dataset).

    Firms are drawn and written in chunks of :data:`CHUNK` (each with its own seeded generator),
    so memory is bounded by the chunk, not by ``n``; only county totals and the running top-k
    candidates of each designation are kept across chunks.
    """
    if n < 1:
        raise ValueError(f"the registry needs at least one enterprise (n = {n})")
    out = Path(out)
    layout = _layout(n, seed)
    scale = n / REFERENCE_FIRMS
    candidates = {key: _TopK(int(round(total * scale))) for key, (total, _source) in NATIONAL_TOTALS.items()
                  if key != "above_scale"}
    out.mkdir(parents=True, exist_ok=True)
    rows = dict.fromkeys(("enterprises", "enterprise_years", "patents", "projects"), 0)
    projects_so_far = dict.fromkeys(years, 0)
    for part, lo in enumerate(range(0, n, CHUNK)):
        firms = _draw_firms(layout, np.random.default_rng([seed, part]), lo, min(n, lo + CHUNK), years)
        _offer_designations(layout, candidates, firms)
        rows["enterprises"] += _write_enterprises(layout, firms, out, part)
        for table, count in _write_years(layout, firms, out, part, years, projects_so_far).items():
            rows[table] += count
        if progress:
            progress("enterprises", firms.hi, n)
    rows["designations"] = _write_designations(layout, candidates, out, np.random.default_rng([seed, 1 << 30]), years)

    checksum = dataset_checksum(out)
    manifest = {"schema_version": SCHEMA_VERSION, "generated": {"n": n, "seed": seed, "years": list(years)},
                "input_sha256": "", "rows": rows, "data_checksum": checksum}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return GeneratedRegistry(out, rows, checksum)


@dataclass(frozen=True)
class _Layout:
    """What every chunk shares: the counties and their firm counts, and the industry mix."""

    n_industrial: int
    county_codes: np.ndarray        # (c,) six-digit codes
    county_digits: np.ndarray       # (c, 6) digit values, for the credit codes
    industrial_ends: np.ndarray     # (c,) cumulative industrial firms per county (firms 0..n_industrial-1)
    other_ends: np.ndarray          # (c,) cumulative other firms per county (firms n_industrial..n-1)
    county_factor: np.ndarray       # (c,) county productivity factor of revenue
    province_of_county: np.ndarray  # (c,) index into ``class_p``
    class_p: np.ndarray             # (provinces, industrial classes) probabilities per province
    other_p: np.ndarray             # (other classes,) probabilities of the non-industrial classes
    all_codes: np.ndarray           # industrial classes, then the other classes
    section_of_code: np.ndarray     # (codes,) index into ``sections``
    sections: list[str]

    def county_of(self, firm: np.ndarray) -> np.ndarray:
        """County index of global firm indices: industrial firms first, each part grouped by county."""
        industrial = firm < self.n_industrial
        return np.where(industrial, np.searchsorted(self.industrial_ends, firm, side="right"),
                        np.searchsorted(self.other_ends, firm - self.n_industrial, side="right")).astype(np.int32)


def _layout(n: int, seed: int) -> _Layout:
    """Place firms in counties (multinomial ∝ census employment) and fix the industry mix per province."""
    rng = np.random.default_rng(seed)
    counties = county_weights()
    n_ind = int(round(n * INDUSTRIAL_SHARE))
    per_ind = rng.multinomial(n_ind, counties["w_industry"] / counties["w_industry"].sum())
    per_oth = rng.multinomial(n - n_ind, counties["w_other"] / counties["w_other"].sum())
    county_factor = rng.lognormal(0.0, 0.35, size=len(counties))

    ind_classes, other_classes = _industry_tables()
    base = ind_classes["division"].map(DIVISION_WEIGHT).fillna(1.0).to_numpy()
    base = base / ind_classes.groupby("division")["code"].transform("size").to_numpy()
    province_codes, province_of_county = np.unique(counties["province_code"].to_numpy(), return_inverse=True)
    class_p = np.empty((len(province_codes), len(base)))
    for row, prov in enumerate(province_codes):
        tilt = ind_classes["division"].map(PROVINCE_TILTS.get(prov, {})).fillna(1.0).to_numpy()
        noise = np.random.default_rng([seed, int(prov)]).lognormal(0.0, 0.5, size=len(base))
        class_p[row] = base * tilt * noise / (base * tilt * noise).sum()
    sec_w = other_classes["section"].map(SECTION_MIX).fillna(0.0).to_numpy()
    sec_w = sec_w / other_classes.groupby("section")["code"].transform("size").to_numpy()

    all_codes = np.concatenate([ind_classes["code"].to_numpy(), other_classes["code"].to_numpy()])
    code_sections = pd.Series(all_codes).map(industry_codes().sections).to_numpy(dtype="U1")
    sections = sorted(set(code_sections))
    county_codes = counties["code"].to_numpy()
    digits = np.frombuffer("".join(county_codes).encode(), dtype=np.uint8).reshape(-1, 6).astype(np.int32) - ord("0")
    return _Layout(n_ind, county_codes, digits, np.cumsum(per_ind), np.cumsum(per_oth), county_factor,
                   province_of_county.astype(np.int32), class_p, sec_w / sec_w.sum(), all_codes,
                   np.searchsorted(sections, code_sections).astype(np.int32), sections)


@dataclass
class _Firms:
    """The firms ``lo..hi-1`` of one chunk, with the draws the writers and designations need."""

    rng: np.random.Generator
    lo: int
    hi: int
    county: np.ndarray
    code: np.ndarray
    industrial: np.ndarray
    reg_year: np.ndarray
    registered: np.ndarray
    exit_year: np.ndarray
    exited: np.ndarray
    revenue0: np.ndarray
    size: np.ndarray
    keys: dict[str, pa.Array]  # the key columns of every firm of the chunk (:func:`_key_columns`)


def _draw_firms(layout: _Layout, rng: np.random.Generator, lo: int, hi: int, years: tuple[int, ...]) -> _Firms:
    """County, industry, dates and size of the firms ``lo..hi-1``."""
    firm = np.arange(lo, hi)
    m = hi - lo
    county = layout.county_of(firm)
    industrial = firm < layout.n_industrial

    # Industry: 小类 mix per province for industrial firms (a loop over provinces, not firms), 门类 mix for the rest.
    code = np.empty(m, dtype=np.int32)
    n_ind_classes = layout.class_p.shape[1]
    province = layout.province_of_county[county]
    for row in np.unique(province[industrial]):
        members = np.flatnonzero(industrial & (province == row))
        code[members] = rng.choice(n_ind_classes, size=len(members), p=layout.class_p[row])
    code[~industrial] = n_ind_classes + rng.choice(len(layout.other_p), size=int((~industrial).sum()), p=layout.other_p)

    # Dates: registrations grow ~12 % a year from 1990; about 3 % of firms exit in each of the last two years.
    span = np.arange(1990, max(years) + 1)
    p_year = np.exp(0.12 * (span - span[0]))
    reg_year = rng.choice(span, size=m, p=p_year / p_year.sum())
    registered = _dates(reg_year, rng.integers(0, 365, size=m))
    exit_draw = rng.random(m)
    exit_year = np.where(exit_draw < 0.03, years[0], np.where(exit_draw < 0.06, max(years), 0))
    exit_year = np.where(exit_year > reg_year, exit_year, 0)
    exited = np.where(exit_year > 0, _dates(exit_year, rng.integers(0, 365, size=m)), np.datetime64("NaT", "D"))

    # Size: Pareto-tailed revenue (万元) with a county productivity factor.
    alpha = np.where(industrial, 1.1, 1.3)
    x_min = np.where(industrial, 180.0, 40.0)
    revenue0 = x_min * (1.0 - rng.random(m)) ** (-1.0 / alpha) * layout.county_factor[county]
    size = np.select([revenue0 >= 40_000, revenue0 >= 2_000, revenue0 >= 300], [0, 1, 2], 3)
    return _Firms(rng, lo, hi, county, code, industrial, reg_year, registered, exit_year, exited, revenue0, size,
                  _key_columns(layout, county, code, firm))


def _dates(year: np.ndarray, day: np.ndarray) -> np.ndarray:
    return (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day.astype("timedelta64[D]")


def _key_columns(layout: _Layout, county: np.ndarray, code: np.ndarray, firm: np.ndarray) -> dict[str, pa.Array]:
    """The key columns every table carries (credit code, county, industry, 门类) of global firm indices ``firm``."""
    return {"uscc": _uscc(layout.county_digits[county], firm),
            "county": _dictionary(county, layout.county_codes), "industry": _dictionary(code, layout.all_codes),
            "section": _dictionary(layout.section_of_code[code], layout.sections)}


def _columns(firms: _Firms, rows: np.ndarray) -> dict[str, pa.Array]:
    """The key columns of chunk rows ``rows`` (taken from the chunk's, built once)."""
    indices = pa.array(rows)
    return {name: column.take(indices) for name, column in firms.keys.items()}


def _write_enterprises(layout: _Layout, firms: _Firms, out: Path, part: int) -> int:
    keys = firms.keys
    names = pc.binary_join_element_wise(pa.scalar("合成企业"), pa.array(np.arange(firms.lo, firms.hi)).cast(pa.string()),
                                        pa.scalar("有限公司"), "")
    table = pa.table({
        "uscc": keys["uscc"], "name": names, "county": keys["county"], "industry": keys["industry"],
        "registered": pa.array(firms.registered, type=pa.date32()),
        "exited": pa.array(firms.exited, type=pa.date32()),
        "status": _dictionary((firms.exit_year > 0).astype(np.int32), ["存续", "注销"]),
        "size": _dictionary(firms.size, ["大型", "中型", "小型", "微型"]), "section": keys["section"],
    })
    _write_part(table, out / "enterprises", part)
    return table.num_rows


def _write_years(layout: _Layout, firms: _Firms, out: Path, part: int, years: tuple[int, ...],
                 projects_so_far: dict[int, int]) -> dict[str, int]:
    """Yearly records of the chunk's industrial firms alive in each year: accounts, patents, projects."""
    rng = firms.rng
    idx = np.flatnonzero(firms.industrial)
    divisions = pd.Series(layout.all_codes[firms.code[idx]]).str[:2]
    energy_factor = divisions.map(ENERGY_INTENSIVE).fillna(1.0).to_numpy()
    growth = np.ones(len(idx))
    rows = dict.fromkeys(("enterprise_years", "patents", "projects"), 0)
    for y in years:
        alive = (firms.reg_year[idx] <= y) & ~((firms.exit_year[idx] > 0) & (firms.exit_year[idx] <= y))
        growth = growth * rng.lognormal(0.04, 0.15, size=len(idx))
        rev = firms.revenue0[idx] * growth
        output = rev * rng.uniform(0.85, 1.05, size=len(idx))
        exporter = rng.random(len(idx)) < 0.25
        rd_on = rng.random(len(idx)) < np.clip(0.15 + 0.1 * np.log10(np.maximum(rev, 1) / 100), 0.05, 0.9)
        rd = np.where(rd_on, rev * rng.lognormal(np.log(0.02), 0.6, size=len(idx)), 0.0)
        energy = output / 10.0 * energy_factor * rng.lognormal(0, 0.3, size=len(idx))
        sel, k = idx[alive], int(alive.sum())
        rev, output, rd, energy, exporter = rev[alive], output[alive], rd[alive], energy[alive], exporter[alive]
        keys = _columns(firms, sel)
        accounts = pa.table({
            "uscc": keys["uscc"], "above_scale": pa.array(rev >= ABOVE_SCALE_REVENUE),
            "revenue": pa.array(rev), "output": pa.array(output),
            "value_added": pa.array(output * rng.uniform(0.2, 0.35, size=k)),
            "employees": pa.array(np.maximum(1.0, np.round(rev / rng.lognormal(np.log(80), 0.4, size=k)))),
            "exports": pa.array(np.where(exporter, output * rng.beta(2, 5, size=k), 0.0)),
            "rd": pa.array(rd), "energy": pa.array(energy),
            "county": keys["county"], "industry": keys["industry"], "section": keys["section"],
        })
        _write_part(accounts, out / "enterprise_years" / f"year={y}", part)
        # patents: firms with R&D get Poisson counts.
        lam = rd / 300.0
        inv, uti, des = rng.poisson(lam * 0.3), rng.poisson(lam * 0.6), rng.poisson(lam * 0.1)
        has = (inv + uti + des) > 0
        patents = pa.table({"invention": pa.array(inv[has]), "utility_model": pa.array(uti[has]),
                            "design": pa.array(des[has]), **_columns(firms, sel[has])})
        _write_part(patents.select(["uscc", "invention", "utility_model", "design", "county", "industry", "section"]),
                    out / "patents" / f"year={y}", part)
        # projects: about 3 % of above-scale firms run a digital or upgrading project each year.
        runs = (rev >= ABOVE_SCALE_REVENUE) & (rng.random(k) < 0.03)
        n_projects = int(runs.sum())
        numbers = pa.array(np.arange(projects_so_far[y], projects_so_far[y] + n_projects)).cast(pa.string())
        projects_so_far[y] += n_projects
        keys = _columns(firms, sel[runs])
        projects = pa.table({
            "uscc": keys["uscc"],
            "project_id": pc.binary_join_element_wise(pa.scalar(f"P{y}"), pc.utf8_lpad(numbers, 9, "0"), ""),
            "type": pa.array(np.array(PROJECT_TYPES)[rng.integers(0, len(PROJECT_TYPES), size=n_projects)]),
            "investment": pa.array(rng.lognormal(np.log(500), 1.0, size=n_projects)),
            "county": keys["county"], "industry": keys["industry"], "section": keys["section"]})
        _write_part(projects, out / "projects" / f"year={y}", part)
        for table, t in (("enterprise_years", accounts), ("patents", patents), ("projects", projects)):
            rows[table] += t.num_rows
    return rows


def _write_part(table: pa.Table, folder: Path, part: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / f"part-{part:05d}.parquet")


# Designations ---------------------------------------------------------------------------------------

def _eligible(kind: str, firms: _Firms, sections: np.ndarray) -> np.ndarray:
    """Firms that may hold a designation: rules on 门类 and the first-year revenue (万元)."""
    revenue = firms.revenue0
    if kind == "专精特新小巨人":
        return (sections == "C") & (revenue >= 2000) & (revenue <= 400_000)
    if kind == "专精特新中小企业":
        return firms.industrial & (revenue >= 500) & (revenue <= 400_000)
    if kind == "制造业单项冠军":
        return (sections == "C") & (revenue >= 50_000)
    if kind == "高新技术企业":
        return np.isin(sections, ["C", "I", "M"]) & (revenue >= 200)
    if kind == "上市企业":
        return revenue >= 20_000
    raise KeyError(kind)


FIRST_YEAR = {"专精特新小巨人": 2019, "专精特新中小企业": 2019, "制造业单项冠军": 2016, "高新技术企业": 2008, "上市企业": 1991}


@dataclass
class _TopK:
    """The ``k`` largest Gumbel keys seen so far, with their firms (global index, county, industry, reg. year).

    The top ``k`` of a union is the top ``k`` of the parts' top ``k``, so a draw over all chunks
    keeps at most ``2k`` candidates in memory at any time.
    """

    k: int
    key: np.ndarray = field(default_factory=lambda: np.empty(0))
    firm: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    county: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    code: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    reg_year: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def offer(self, key: np.ndarray, firm: np.ndarray, county: np.ndarray, code: np.ndarray,
              reg_year: np.ndarray) -> None:
        merged = [np.concatenate(pair) for pair in ((self.key, key), (self.firm, firm), (self.county, county),
                                                    (self.code, code), (self.reg_year, reg_year))]
        if len(merged[0]) > self.k:
            keep = np.argpartition(-merged[0], self.k - 1)[:self.k] if self.k > 0 else np.zeros(0, dtype=np.int64)
            merged = [a[keep] for a in merged]
        self.key, self.firm, self.county, self.code, self.reg_year = merged


def _offer_designations(layout: _Layout, candidates: dict[str, _TopK], firms: _Firms) -> None:
    """Offer the chunk's eligible firms to each designation's size-weighted draw (Gumbel top-k, weight √revenue)."""
    sections = np.asarray(layout.sections)[layout.section_of_code[firms.code]]
    rng = firms.rng
    for key, top in candidates.items():
        kind = key.split("/")[0]
        rows = np.flatnonzero(_eligible(kind, firms, sections))
        gumbel = np.log(np.sqrt(firms.revenue0[rows])) + rng.gumbel(size=len(rows))
        top.offer(gumbel, firms.lo + rows, firms.county[rows], firms.code[rows], firms.reg_year[rows])


def _write_designations(layout: _Layout, candidates: dict[str, _TopK], out: Path, rng: np.random.Generator,
                        years: tuple[int, ...]) -> int:
    """Designation rows of the drawn firms, calibrated to :data:`NATIONAL_TOTALS`.

    Stock at the last year equals the national total × ``n / REFERENCE_FIRMS``; grant years are
    spread over the programme's life with 15 % granted in the last year, and 5 % of 高新技术企业
    grants lapse (revoked) the year after grant when not renewed.
    """
    last = max(years)
    parts = []
    for key, top in candidates.items():
        kind, level = key.split("/")
        order = np.argsort(top.firm)
        firm, county, code, reg_year = top.firm[order], top.county[order], top.code[order], top.reg_year[order]
        span = np.arange(FIRST_YEAR[kind], last + 1)
        p = np.full(len(span), 0.85 / max(1, len(span) - 1))
        p[-1] = 0.15 if len(span) > 1 else 1.0
        granted = np.minimum(np.maximum(rng.choice(span, size=len(firm), p=p / p.sum()), reg_year), last)
        revoked = np.full(len(firm), np.nan)
        if kind == "高新技术企业":
            lapse = (rng.random(len(firm)) < 0.05) & (granted < last)
            revoked[lapse] = granted[lapse] + 1
        keys = _key_columns(layout, county, code, firm)
        parts.append(pa.table({
            "uscc": keys["uscc"], "type": pa.array([kind] * len(firm), type=pa.string()),
            "level": pa.array([level] * len(firm), type=pa.string()), "granted": pa.array(granted, type=pa.int32()),
            "revoked": pa.array(revoked, mask=np.isnan(revoked)).cast(pa.int32()),
            "county": keys["county"], "industry": keys["industry"], "section": keys["section"]}))
    designations = pa.concat_tables(parts)
    _write_part(designations, out / "designations", 0)
    return designations.num_rows
