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
from dataclasses import dataclass
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


def _gumbel_top(rng: np.random.Generator, weight: np.ndarray, k: int) -> np.ndarray:
    """Indices of a size-``k`` draw without replacement with probabilities ∝ ``weight`` (Gumbel top-k)."""
    k = int(min(k, np.count_nonzero(weight > 0)))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.where(weight > 0, np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=len(weight)), -np.inf)
    return np.argpartition(-keys, k - 1)[:k]


def generate(n: int, out: Path, *, seed: int = 0, years: tuple[int, ...] = YEARS,
             progress: Progress | None = None) -> GeneratedRegistry:
    """Write a synthetic registry of ``n`` enterprises to ``out`` (a canonical firm dataset)."""
    out = Path(out)
    rng = np.random.default_rng(seed)
    counties = county_weights()
    scale = n / REFERENCE_FIRMS
    n_ind = int(round(n * INDUSTRIAL_SHARE))
    ind_classes, other_classes = _industry_tables()

    # Place firms: county index per firm, industrial firms first.
    c_ind = np.repeat(np.arange(len(counties)), rng.multinomial(n_ind, counties["w_industry"] / counties["w_industry"].sum()))
    c_oth = np.repeat(np.arange(len(counties)), rng.multinomial(n - n_ind, counties["w_other"] / counties["w_other"].sum()))
    county_idx = np.concatenate([c_ind, c_oth]).astype(np.int32)
    industrial = np.arange(n) < n_ind

    # Industry: 大类 mix per province for industrial firms, 门类 mix for the rest; 小类 uniform within.
    class_idx = np.empty(n, dtype=np.int32)
    ind_codes = ind_classes["code"].to_numpy()
    base = ind_classes["division"].map(DIVISION_WEIGHT).fillna(1.0).to_numpy()
    base = base / ind_classes.groupby("division")["code"].transform("size").to_numpy()
    provinces = counties["province_code"].to_numpy()
    for prov in np.unique(provinces):
        members = np.flatnonzero(industrial & (provinces[county_idx] == prov))
        tilt = ind_classes["division"].map(PROVINCE_TILTS.get(prov, {})).fillna(1.0).to_numpy()
        noise = np.random.default_rng([seed, int(prov)]).lognormal(0.0, 0.5, size=len(base))
        w = base * tilt * noise
        class_idx[members] = rng.choice(len(w), size=len(members), p=w / w.sum())
    oth_codes = other_classes["code"].to_numpy()
    sec_w = other_classes["section"].map(SECTION_MIX).fillna(0.0).to_numpy()
    sec_w = sec_w / other_classes.groupby("section")["code"].transform("size").to_numpy()
    class_idx[~industrial] = rng.choice(len(oth_codes), size=n - n_ind, p=sec_w / sec_w.sum())
    all_codes = np.concatenate([ind_codes, oth_codes])
    code_idx = np.where(industrial, class_idx, class_idx + len(ind_codes)).astype(np.int32)
    code_sections = pd.Series(all_codes).map(industry_codes().sections).to_numpy(dtype="U1")
    sections = code_sections[code_idx]

    # Dates: registrations grow ~12 % a year from 1990; about 3 % of firms exit in each of the last two years.
    first, last = 1990, max(years)
    span = np.arange(first, last + 1)
    p_year = np.exp(0.12 * (span - first))
    reg_year = rng.choice(span, size=n, p=p_year / p_year.sum())
    reg_day = rng.integers(0, 365, size=n)
    registered = (reg_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + reg_day.astype("timedelta64[D]")
    exit_draw = rng.random(n)
    exit_year = np.where(exit_draw < 0.03, years[0], np.where(exit_draw < 0.06, last, 0))
    exit_ok = (exit_year > 0) & (exit_year > reg_year)
    exit_day = rng.integers(0, 365, size=n).astype("timedelta64[D]")
    exited = np.where(exit_ok, (exit_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + exit_day,
                      np.datetime64("NaT", "D"))

    # Size: Pareto-tailed revenue (万元) with a county productivity factor.
    county_factor = rng.lognormal(0.0, 0.35, size=len(counties))[county_idx]
    alpha = np.where(industrial, 1.1, 1.3)
    x_min = np.where(industrial, 180.0, 40.0)
    revenue0 = x_min * (1.0 - rng.random(n)) ** (-1.0 / alpha) * county_factor
    size_idx = np.select([revenue0 >= 40_000, revenue0 >= 2_000, revenue0 >= 300], [0, 1, 2], 3)

    # Designations: size-weighted draws among eligible firms, totals scaled to n.
    designation_rows = _designations(rng, n, scale, industrial, sections, revenue0, reg_year, years)

    county_list = counties["code"].to_numpy()
    digits = np.frombuffer("".join(county_list).encode(), dtype=np.uint8).reshape(-1, 6).astype(np.int32) - ord("0")
    uscc = pa.chunked_array([_uscc(digits[county_idx[lo:lo + CHUNK]], np.arange(lo, min(n, lo + CHUNK)))
                             for lo in range(0, n, CHUNK)])
    county_codes = _dictionary(county_idx, county_list)
    industry_arr = _dictionary(code_idx, all_codes)
    section_list = sorted(set(code_sections))
    section_arr = _dictionary(np.searchsorted(section_list, sections), section_list)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}

    # enterprises
    ent_dir = out / "enterprises"
    ent_dir.mkdir(exist_ok=True)
    status = _dictionary(exit_ok.astype(np.int32), ["存续", "注销"])
    size_class = _dictionary(size_idx, ["大型", "中型", "小型", "微型"])
    for part, lo in enumerate(range(0, n, CHUNK)):
        hi = min(n, lo + CHUNK)
        names = pc.binary_join_element_wise(pa.scalar("合成企业"), pa.array(np.arange(lo, hi)).cast(pa.string()),
                                            pa.scalar("有限公司"), "")
        table = pa.table({
            "uscc": uscc.slice(lo, hi - lo).combine_chunks(), "name": names, "county": county_codes[lo:hi],
            "industry": industry_arr[lo:hi],
            "registered": pa.array(registered[lo:hi], type=pa.date32()),
            "exited": pa.array(exited[lo:hi], type=pa.date32()),
            "status": status[lo:hi], "size": size_class[lo:hi], "section": section_arr[lo:hi],
        })
        pq.write_table(table, ent_dir / f"part-{part:05d}.parquet")
        if progress:
            progress("enterprises", hi, n)
    rows["enterprises"] = n

    # enterprise_years: industrial firms alive in the year.
    idx = np.flatnonzero(industrial)
    growth = np.ones(len(idx))
    ey_rows = pt_rows = pj_rows = 0
    for y in years:
        alive = (reg_year[idx] <= y) & ~(exit_ok[idx] & (exit_year[idx] <= y))
        growth = growth * rng.lognormal(0.04, 0.15, size=len(idx))
        rev = revenue0[idx] * growth
        div = pd.Series(all_codes[code_idx[idx]]).str[:2]
        output = rev * rng.uniform(0.85, 1.05, size=len(idx))
        exporter = rng.random(len(idx)) < 0.25
        rd_on = rng.random(len(idx)) < np.clip(0.15 + 0.1 * np.log10(np.maximum(rev, 1) / 100), 0.05, 0.9)
        rd = np.where(rd_on, rev * rng.lognormal(np.log(0.02), 0.6, size=len(idx)), 0.0)
        energy = output / 10.0 * div.map(ENERGY_INTENSIVE).fillna(1.0).to_numpy() * rng.lognormal(0, 0.3, size=len(idx))
        sel = alive
        frame = pa.table({
            "uscc": uscc.take(pa.array(idx[sel])), "above_scale": pa.array(rev[sel] >= ABOVE_SCALE_REVENUE),
            "revenue": pa.array(rev[sel]), "output": pa.array(output[sel]),
            "value_added": pa.array(output[sel] * rng.uniform(0.2, 0.35, size=int(sel.sum()))),
            "employees": pa.array(np.maximum(1.0, np.round(rev[sel] / rng.lognormal(np.log(80), 0.4, size=int(sel.sum()))))),
            "exports": pa.array(np.where(exporter[sel], output[sel] * rng.beta(2, 5, size=int(sel.sum())), 0.0)),
            "rd": pa.array(rd[sel]), "energy": pa.array(energy[sel]),
            "county": county_codes.take(pa.array(idx[sel])), "industry": industry_arr.take(pa.array(idx[sel])),
            "section": section_arr.take(pa.array(idx[sel])),
        })
        _write_partition(frame, out / "enterprise_years" / f"year={y}")
        ey_rows += frame.num_rows
        # patents: firms with R&D get Poisson counts.
        lam = rd[sel] / 300.0
        inv, uti, des = rng.poisson(lam * 0.3), rng.poisson(lam * 0.6), rng.poisson(lam * 0.1)
        has = (inv + uti + des) > 0
        pidx = idx[sel][has]
        patents = pa.table({"uscc": uscc.take(pa.array(pidx)), "invention": pa.array(inv[has]),
                            "utility_model": pa.array(uti[has]), "design": pa.array(des[has]),
                            "county": county_codes.take(pa.array(pidx)), "industry": industry_arr.take(pa.array(pidx)),
                            "section": section_arr.take(pa.array(pidx))})
        _write_partition(patents, out / "patents" / f"year={y}")
        pt_rows += patents.num_rows
        # projects: about 3 % of above-scale firms run a digital or upgrading project each year.
        gs = idx[sel][(rev[sel] >= ABOVE_SCALE_REVENUE) & (rng.random(int(sel.sum())) < 0.03)]
        projects = pa.table({
            "uscc": uscc.take(pa.array(gs)),
            "project_id": pa.array([f"P{y}{i:09d}" for i in range(len(gs))]),
            "type": pa.array(np.array(PROJECT_TYPES)[rng.integers(0, len(PROJECT_TYPES), size=len(gs))]),
            "investment": pa.array(rng.lognormal(np.log(500), 1.0, size=len(gs))),
            "county": county_codes.take(pa.array(gs)), "industry": industry_arr.take(pa.array(gs)),
            "section": section_arr.take(pa.array(gs))})
        _write_partition(projects, out / "projects" / f"year={y}")
        pj_rows += projects.num_rows
        if progress:
            progress(f"year {y}", 1, 1)
    rows.update(enterprise_years=ey_rows, patents=pt_rows, projects=pj_rows)

    d_idx, d_type, d_level, d_granted, d_revoked = designation_rows
    designations = pa.table({
        "uscc": uscc.take(pa.array(d_idx)), "type": pa.array(d_type), "level": pa.array(d_level),
        "granted": pa.array(d_granted, type=pa.int32()), "revoked": pa.array(d_revoked, type=pa.int32()),
        "county": county_codes.take(pa.array(d_idx)), "industry": industry_arr.take(pa.array(d_idx)),
        "section": section_arr.take(pa.array(d_idx))})
    (out / "designations").mkdir(exist_ok=True)
    pq.write_table(designations, out / "designations" / "part-00000.parquet")
    rows["designations"] = designations.num_rows

    checksum = dataset_checksum(out)
    manifest = {"schema_version": SCHEMA_VERSION, "generated": {"n": n, "seed": seed, "years": list(years)},
                "input_sha256": "", "rows": rows, "data_checksum": checksum}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return GeneratedRegistry(out, rows, checksum)


def _write_partition(table: pa.Table, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for part, lo in enumerate(range(0, max(table.num_rows, 1), CHUNK)):
        pq.write_table(table.slice(lo, CHUNK), folder / f"part-{part:05d}.parquet")


def _designations(rng: np.random.Generator, n: int, scale: float, industrial: np.ndarray, sections: np.ndarray,
                  revenue: np.ndarray, reg_year: np.ndarray, years: tuple[int, ...]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Designation rows (firm index, type, level, granted, revoked) calibrated to :data:`NATIONAL_TOTALS`.

    Stock at the last year equals the national total × ``n / REFERENCE_FIRMS``; grant years are
    spread over the programme's life with 15 % granted in the last year, and 5 % of 高新技术企业
    grants lapse (revoked) the year after grant when not renewed.
    """
    manufacturing = sections == "C"
    tech_sections = np.isin(sections, ["C", "I", "M"])
    eligible = {
        "专精特新小巨人": manufacturing & (revenue >= 2000) & (revenue <= 400_000),
        "专精特新中小企业": industrial & (revenue >= 500) & (revenue <= 400_000),
        "制造业单项冠军": manufacturing & (revenue >= 50_000),
        "高新技术企业": tech_sections & (revenue >= 200),
        "上市企业": revenue >= 20_000,
    }
    first_year = {"专精特新小巨人": 2019, "专精特新中小企业": 2019, "制造业单项冠军": 2016, "高新技术企业": 2008, "上市企业": 1991}
    last = max(years)
    parts = []
    for key, (total, _source) in NATIONAL_TOTALS.items():
        if key == "above_scale":
            continue
        kind, level = key.split("/")
        k = int(round(total * scale))
        w = np.where(eligible[kind], np.sqrt(revenue), 0.0)
        chosen = _gumbel_top(rng, w, k)
        span = np.arange(first_year[kind], last + 1)
        p = np.full(len(span), 0.85 / max(1, len(span) - 1))
        p[-1] = 0.15 if len(span) > 1 else 1.0
        granted = np.maximum(rng.choice(span, size=len(chosen), p=p / p.sum()), reg_year[chosen])
        granted = np.minimum(granted, last)
        revoked = np.full(len(chosen), -1)
        if kind == "高新技术企业":
            lapse = (rng.random(len(chosen)) < 0.05) & (granted < last)
            revoked = np.where(lapse, granted + 1, -1)
        parts.append((chosen, np.full(len(chosen), kind, dtype=object), np.full(len(chosen), level, dtype=object),
                      granted, revoked))
    idx = np.concatenate([p[0] for p in parts])
    revoked = np.concatenate([p[4] for p in parts]).astype(float)
    revoked[revoked < 0] = np.nan
    return (idx, np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]), pd.array(revoked, dtype="Int32"))
