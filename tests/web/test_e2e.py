"""End-to-end flows in a real headless Chromium (Debian's, through Playwright's executable_path).

Screenshots of every step are saved under tests/web/artifacts/.  No request may
fail and no console error may appear on any page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, PASSWORD, yearbook_xlsx

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed "
                                "(apt-get install -y chromium)")
BULLETIN = ("2023年，永康市实现地区生产总值812.5亿元，比上年增长6.1%。一般公共预算收入60.2亿元。"
            "全市居民人均可支配收入71234元，增长5.2%。")


@pytest.fixture()
def browser_page(live):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                      base_url=live.url, locale="zh-CN")
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        # a download ends its navigation with net::ERR_ABORTED: that is how browsers save files
        page.on("requestfailed", lambda r: None if "/download." in r.url else problems.append(f"failed: {r.url}"))
        page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
        page.set_default_timeout(15_000)
        yield page
        browser.close()
    assert problems == []


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def analysed(page) -> None:
    """Wait for the profile page's analysis fragment (the report's profile, loaded by htmx after the page)."""
    page.wait_for_selector("#analysis-body, #analysis-none")


def sign_in(page, name: str = "editor1") -> None:
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/rankings")


def test_find_by_short_name_profile_compare_download(browser_page, tmp_path):
    page = browser_page
    page.goto("/rankings")
    assert page.locator("#ranking-table tbody tr").count() == 8
    page.fill("#q", "永康")  # short name, through the shared resolver; htmx swaps the rows in
    page.wait_for_function("document.querySelectorAll('#ranking-table tbody tr').length === 1")
    assert "永康市" in page.inner_text("#ranking-table tbody")
    shot(page, "e2e-1-search")
    with page.expect_download() as dl:
        page.click("#dl-csv")
    rows = Path(dl.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith("330784,4,永康市")
    page.click("#ranking-table >> text=永康市")
    page.wait_for_url("**/units/330784**")
    analysed(page)
    assert page.inner_text("#rank") == "4"
    # the report's profile, loaded into the page: 永康's strongest indicator is its gdp (3rd of 8)
    assert "地区生产总值" in page.inner_text("#strengths") and page.locator("#analysis-change").count() == 1
    assert "入选" in page.inner_text("#lists tr[data-list=top5]")
    page.wait_for_selector("#pillar-chart[data-ready] svg")
    shot(page, "e2e-2-profile")
    page.click("#compare-link")
    for peer in ("义乌", "东阳"):
        page.fill("#add-unit", peer)
        page.click("#add-button")
        page.wait_for_load_state()
    headers = page.locator("#compare-table thead th").all_inner_texts()
    assert [h.split("\n")[0] for h in headers[1:]] == ["永康市", "义乌市", "东阳市"]
    page.wait_for_selector("#compare-chart[data-ready] svg")
    shot(page, "e2e-3-compare")
    with page.expect_download() as dl:
        page.click("#compare-xlsx")
    from openpyxl import load_workbook

    saved = tmp_path / dl.value.suggested_filename
    dl.value.save_as(saved)
    ws = load_workbook(saved).active
    assert [c.value for c in ws[1]] == ["项目", "永康市（330784）", "义乌市（330782）", "东阳市（330783）"]
    assert [c.value for c in ws[2]] == ["全国排名", 4, 2, 3]


def test_sign_in_import_confirm_see_value_undo(browser_page, tmp_path):
    page = browser_page
    sign_in(page)
    path = yearbook_xlsx(tmp_path / "金华统计年鉴2024.xlsx", [("永康市", 1200, 600000), ("东阳市", 700, 550000)])
    page.goto("/import")
    page.set_input_files("#file", str(path))
    page.fill("#year", "2023")
    page.click("#dry-run")
    page.wait_for_selector("#dry-run-report")
    assert page.inner_text("#n-changed") == "1" and page.inner_text("#n-new") == "0"
    assert "永康市" in page.inner_text("#changes") and "subtotal" in page.inner_text("#rows")
    shot(page, "e2e-4-dry-run")
    page.click("#confirm")
    page.wait_for_selector("#job[data-status=done]")
    shot(page, "e2e-5-imported")
    page.goto("/units/330784?year=2023")
    analysed(page)
    assert page.inner_text("#rank") == "3"  # 1200 亿元 lifts 永康 above 东阳 (see test_api)
    assert "1,200.00" in page.inner_text("#indicators tr[data-indicator=gdp]")
    page.click("#indicators tr[data-indicator=gdp] a")
    page.wait_for_selector("#h-gdp table")
    shot(page, "e2e-6-new-value-history")
    page.goto("/import")
    page.click("#batches tbody tr:first-child button.undo")
    page.wait_for_url("**/import?undone=*")
    assert "已撤销" in page.inner_text("#batches tbody tr:first-child")
    page.goto("/units/330784?year=2023")
    analysed(page)
    assert page.inner_text("#rank") == "4"
    assert "800.00" in page.inner_text("#indicators tr[data-indicator=gdp]")
    shot(page, "e2e-7-undone")


def test_paste_bulletin_accept_two_edit_one_history(browser_page):
    page = browser_page
    sign_in(page)
    page.goto("/review")
    page.fill("#doc-text", BULLETIN)
    page.fill("#doc-place", "永康市")
    page.fill("#doc-name", "永康市2023年统计公报")
    page.click("#extract")
    page.wait_for_selector("#document mark")
    assert page.locator("#document mark").count() >= 3  # 812.5亿元 and 6.1% share one quote
    shot(page, "e2e-8-candidates")

    def row(code: str):
        return page.locator("#candidates tbody tr", has_text=code).first

    row("general_budget_revenue").locator("button.accept").click()
    page.wait_for_load_state()
    row("gdp_growth").locator("button.accept").click()
    page.wait_for_load_state()
    edit = row("disposable_income")
    edit.locator("summary").click()
    edit.locator("input[name=value]").fill("71000")
    edit.locator("button.save").click()
    page.wait_for_load_state()
    statuses = page.locator("#candidates tbody tr td:nth-child(9)").all_inner_texts()
    assert sum("已接受" in s for s in statuses) == 2 and sum("已修改" in s for s in statuses) == 1
    actions = page.locator("#history tbody td:nth-child(3)").all_inner_texts()
    assert actions.count("accept") == 2 and actions.count("edit") == 1 and actions.count("load") >= 4
    assert set(page.locator("#history tbody td:nth-child(4)").all_inner_texts()) == {"", "editor1"}
    shot(page, "e2e-9-reviewed")
    page.goto("/units/330784?year=2023")
    analysed(page)
    assert "71,000.00" in page.inner_text("#indicators tr[data-indicator=disposable_income]")
    assert "71234元" in page.inner_text("#indicators tr[data-indicator=disposable_income]")


def test_map_click_opens_profile_and_english_switch(browser_page):
    page = browser_page
    page.goto("/map")
    page.wait_for_selector("#map-chart[data-ready] svg path")
    # county polygons, not points: the coloured layer draws one geoshape per ranked county (all 8 have one)
    coloured = page.locator("#map-chart svg path[aria-roledescription='geoshape'][aria-label*='名称']")
    assert coloured.count() == 8
    assert page.locator("#map-chart svg .mark-shape path").count() > 2800  # the whole country in grey
    shot(page, "e2e-10-map")
    page.locator("#map-chart svg path[aria-label*='永康市']").click()
    page.wait_for_url("**/units/330784")
    analysed(page)
    assert page.inner_text("#rank") == "4"
    page.goto("/map?measure=prosperity")
    page.wait_for_selector("#map-chart[data-ready] svg path")
    page.goto("/rankings")
    page.select_option("#f-list", "top5")  # htmx swaps in the named list
    page.wait_for_selector("#list-note")
    assert page.locator("#ranking-table tbody tr").count() == 5 and "第二梯队" in page.inner_text("#ranking-table")
    shot(page, "e2e-12-list")
    page.goto("/methodology")
    assert "规模" in page.inner_text(".tree")
    page.click("text=English")
    page.wait_for_url("**/methodology")
    assert "Indicator tree and weights" in page.inner_text("main")
    page.goto("/rankings")
    assert page.inner_text("#ranking-table thead").startswith("Rank")
    shot(page, "e2e-11-english")
