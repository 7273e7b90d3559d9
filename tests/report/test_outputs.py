"""The files a person opens: the PDF's pages and fonts, the map's coverage, the workbook, determinism."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTCollection
from openpyxl import load_workbook
from PIL import Image

from baiqiang.data.registry import Registry
from baiqiang.report.charts import choropleth
from baiqiang.report.geometry import geometry_meta, polygon_keys
from baiqiang.report.render import map_key, render_html, report_context, write_report

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _pages(pdf: Path, tmp_path: Path) -> list[np.ndarray]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    return [np.asarray(Image.open(p)) for p in sorted(tmp_path.glob("page-*.png"))]


@pytest.mark.parametrize("name", ["report.pdf", "profile_330784.pdf"])
def test_pdf_pages_have_content(published, tmp_path, name):
    pages = _pages(published.out / name, tmp_path)
    assert len(pages) >= (8 if name == "report.pdf" else 1)
    inks = [float((page < 200).mean()) for page in pages]
    for k, ink in enumerate(inks, start=1):
        assert 0.0008 < ink < 0.6, f"{name} page {k}: {ink:.4f} of the page inked"  # no blank or black page
    assert np.median(inks) > 0.01
    assert pages[0].shape[0] > pages[0].shape[1]  # portrait A4


@pytest.mark.parametrize("name", ["report.pdf", "profile_330784.pdf"])
def test_pdf_embeds_cjk_fonts_and_has_no_missing_glyphs(published, name):
    fonts = subprocess.run(["pdffonts", str(published.out / name)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert any("Noto-Sans-CJK-SC" in r[0] for r in rows)
    assert all("yes" in r[-5:-3] for r in rows), fonts  # every font embedded
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(published.out / name), "-"], capture_output=True, text=True, check=True).stdout
    assert "示意图" in text and "第1页" in text.replace(" ", "")
    assert "\ufffd" not in text
    cmap = next(f for f in TTCollection(str(NOTO)).fonts if "SC" in f["name"].getDebugName(1))["cmap"].getBestCmap()
    missing = {ch for ch in text if not ch.isspace() and ord(ch) not in cmap and ch not in "\x0c"}
    assert not missing, f"characters without a glyph in Noto Sans CJK SC: {sorted(missing)}"


def test_report_pdf_has_running_header_and_page_numbers(published):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(published.out / "report.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\x0c")[:-1]
    title = f"{published.content.year}年{published.content.title}报告"
    flat = [re.sub(r"\s", "", p) for p in pages]
    assert all(title in p for p in flat[1:])
    for k, p in enumerate(flat, start=1):
        assert f"第{k}页／共{len(pages)}页" in p


def test_map_draws_every_ranked_unit_with_a_polygon(published):
    content = published.content
    spec = choropleth(content)
    drawn = {f["properties"]["adcode"]: f["properties"] for f in spec["datasets"]["counties"]}
    top = content.top
    with_polygon = top[top["geo"] != ""]
    assert len(with_polygon) == len(top) - len(content.tables["no_polygon"].merge(top[["code"]]))
    for r in with_polygon.itertuples():
        assert drawn[r.geo]["index_score"] == pytest.approx(round(r.score, 2))
    coloured = [a for a, p in drawn.items() if p.get("index_score") is not None]
    assert sorted(coloured) == sorted(with_polygon["geo"])
    assert len(drawn) == geometry_meta()["counties"]  # the grey base layer is the whole country


def test_bundled_geometry_matches_its_record_and_registry_units_without_polygon_are_known():
    path = Path(__file__).resolve().parents[2] / "src/baiqiang/report/resources/counties.geojson"
    meta = geometry_meta()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == meta["sha256"]
    assert 2_000_000 < meta["bytes"] < 4_500_000 and meta["counties"] == 2875
    units = Registry.load().units
    current = units[(units["status"] == "current") & (units["level"] == "county")]
    keys = polygon_keys(current["code"].tolist())
    missing = set(current.loc[(keys == "").to_numpy(), "name"])
    assert missing == set(meta["registry_units_without_polygon"]), missing


def test_workbook_sheets_hold_the_list(published):
    wb = load_workbook(published.out / "report.xlsx", read_only=True)
    assert {"榜单", "分区域", "梯队构成", "维度前十", "名次变化", "新进与退出", "指标体系"} <= set(wb.sheetnames)
    rows = list(wb["榜单"].iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1]))
    assert first["排名"] == 1 and first["名称"] == published.content.top.iloc[0]["name"]
    assert len(rows) == 101


def test_rendering_twice_gives_identical_files(published, tmp_path):
    again = tmp_path / "again"
    write_report(published.content, again)
    for name in ("report.html", "report.xlsx", "charts/region.svg", "charts/map.png"):
        assert (again / name).read_bytes() == (published.out / name).read_bytes(), name
    a = subprocess.run(["pdftotext", str(again / "report.pdf"), "-"], capture_output=True, check=True).stdout
    b = subprocess.run(["pdftotext", str(published.out / "report.pdf"), "-"], capture_output=True, check=True).stdout
    assert a == b
    # WeasyPrint's byte stream is not stable (object order), so compare what a reader sees: every page's pixels.
    first, second = _pages(published.out / "report.pdf", tmp_path / "a"), _pages(again / "report.pdf", tmp_path / "b")
    assert len(first) == len(second) and all(np.array_equal(x, y) for x, y in zip(first, second))


def test_print_tables_declare_one_width_per_column_summing_to_100(published):
    """The PDF lays tables out with table-layout: fixed, so each needs its widths, one per column (conditional columns included)."""
    content = published.content
    images = {name: f"charts/{name}.svg" for name in ("map", "region", "province", "tiers", "pillar_leaders", "movers")}
    html = render_html("report.html.j2", report_context(content) | {"map_key": map_key(content, (0.0, 1.0))}, None, pdf=True,
                       images=images)
    tables = re.findall(r"<table[^>]*>(.*?)</table>", html, re.S)
    assert len(tables) >= 8
    for table in tables:
        widths = [float(w) for w in re.findall(r'<col style="width: ([\d.]+)%">', table)]
        first_row = re.search(r"<tr[^>]*>(.*?)</tr>", table, re.S).group(1)
        assert len(widths) == len(re.findall(r"<t[hd][ >]", first_row)), table[:200]
        assert sum(widths) == pytest.approx(100), table[:200]
    interactive = render_html("report.html.j2", report_context(content) | {"map_key": None}, {}, pdf=False)
    assert "<colgroup>" not in interactive and "table-layout" not in interactive.split("</style>")[1]


def test_html_is_self_contained(published):
    html = (published.out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"?https?:", html)
    specs = json.loads(re.search(r"const specs = (\{.*?\});\n", html, re.S).group(1))
    assert {"map", "region", "province", "tiers", "pillar_leaders", "movers"} <= set(specs)
    params = [p for layer in [specs["map"], *specs["map"]["layer"]] for p in layer.get("params", [])]
    assert [p["bind"]["input"] for p in params] == ["select"]  # one map, any dimension


def test_pdf_map_palette_is_vegas_reds_scheme():
    import re as _re

    from baiqiang.report.charts import REDS
    from baiqiang.report.render import vega_bundle

    stops = _re.search(r'reds:"([0-9a-f]+)"', vega_bundle()).group(1)
    assert ["#" + stops[i : i + 6] for i in range(0, len(stops), 6)] == list(REDS)


def test_pdf_map_colours_a_unit_by_its_score(published):
    from baiqiang.report.charts import MAP_SIZE, REDS, map_scores
    from baiqiang.report.map_png import _rings, projected, scheme_colours

    scores = map_scores(published.content)
    best, worst = max(scores, key=scores.get), min(scores, key=scores.get)
    img = np.asarray(Image.open(published.out / "charts" / "map.png").convert("RGB"))
    assert img.shape == (MAP_SIZE[1] * 2, MAP_SIZE[0] * 2, 3)
    codes, _, parts, _ = _rings()
    xy = projected(*MAP_SIZE) * 2
    for code, expected in ((best, REDS[-1]), (worst, REDS[0])):
        (a, b), *_ = max(parts[codes.index(code)], key=lambda p: p[0][1] - p[0][0])
        # a pixel well inside the polygon: its vertices' mean is inside for the compact county shapes here
        x, y = xy[a:b].mean(axis=0).astype(int)
        rgb = tuple(int(expected[i : i + 2], 16) for i in (1, 3, 5))
        assert np.abs(img[y, x].astype(int) - rgb).max() <= 2, (code, img[y, x], rgb)
    # halfway along the ramp is the mix of its middle stop's neighbours
    assert tuple(scheme_colours(np.array([0.5]))[0]) == tuple(int(REDS[5][i : i + 2], 16) for i in (1, 3, 5))
    assert tuple(img[0, 0]) == (255, 255, 255)
