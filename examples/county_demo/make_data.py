"""Generate counties.csv (2023) and counties_2022.csv: a synthetic county panel for the rankings examples (seeded, reproducible).

The numbers are invented (log-normal sizes, correlated structure); only the
shapes and magnitudes resemble county statistics.  Run: python make_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

N = 150
PROVINCES = ["江苏省", "浙江省", "山东省", "河南省", "福建省", "四川省"]
CLASSES = ["城市化地区", "农产品主产区", "重点生态功能区"]


def main() -> None:
    rng = np.random.default_rng(2026)
    province = rng.choice(PROVINCES, N)
    prefecture = np.array([f"{p[:2]}{k}市" for p, k in zip(province, rng.integers(1, 5, N))])
    kind = rng.choice(["县", "县级市", "市辖区"], N, p=[0.5, 0.3, 0.2])
    size = rng.normal(0, 1, N)
    pop = np.round(np.exp(3.8 + 0.5 * size + rng.normal(0, 0.3, N)), 1)  # 万人
    gdp = np.round(np.exp(6.2 + 0.9 * size + rng.normal(0, 0.3, N)), 1)  # 亿元
    revenue = np.round(gdp * np.exp(rng.normal(np.log(0.06), 0.35, N)), 2)
    industry_share = np.round(np.clip(30 + 8 * size + rng.normal(0, 6, N), 8, 70), 1)
    industry_va = np.round(gdp * industry_share / 100, 1)
    rd = np.round(np.clip(1.6 + 0.6 * size + rng.normal(0, 0.5, N), 0.1, 5), 2)
    patents = np.round(np.exp(6.5 + 1.0 * size + rng.normal(0, 0.4, N))).astype(int)
    income = np.round(np.exp(10.5 + 0.25 * size + rng.normal(0, 0.1, N)))
    forest = np.round(np.clip(35 - 6 * size + rng.normal(0, 10, N), 3, 80), 1)
    energy = np.round(np.exp(rng.normal(-0.6, 0.3, N) - 0.1 * size), 3)  # 吨标准煤/万元
    cls = np.where(forest > 45, CLASSES[2], np.where(industry_share > 32, CLASSES[0], CLASSES[1]))
    frame = pd.DataFrame({
        "unit_code": [f"D{k:03d}" for k in range(1, N + 1)], "unit_name": [f"示例{k:03d}{t}" for k, t in enumerate(kind, 1)],
        "type": kind, "province": province, "prefecture": prefecture, "class": cls, "pop": pop,
        "gdp": gdp, "revenue": revenue, "income": income, "industry_va": industry_va, "industry_share": industry_share,
        "rd_intensity": rd, "patents": patents, "forest": forest, "energy_intensity": energy,
    })
    frame.to_csv(Path(__file__).with_name("counties.csv"), index=False, encoding="utf-8")
    # The year before: every flow shrinks by its own growth rate, shares and rates move a little.
    growth = np.exp(rng.normal(0.05, 0.04, N))
    before = frame.copy()
    for col in ("gdp", "revenue", "industry_va", "income"):
        before[col] = np.round(frame[col] / growth * np.exp(rng.normal(0, 0.02, N)), 2)
    before["patents"] = np.round(frame["patents"] * np.exp(rng.normal(-0.08, 0.15, N))).astype(int)
    for col, scale in (("industry_share", 1.0), ("rd_intensity", 0.1), ("forest", 0.5), ("energy_intensity", 0.02)):
        before[col] = np.round(frame[col] + rng.normal(0, scale, N), 3)
    before.to_csv(Path(__file__).with_name("counties_2022.csv"), index=False, encoding="utf-8")


if __name__ == "__main__":
    main()
