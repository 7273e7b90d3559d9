"""report.html and the profile in Debian's headless Chromium: offline, no failed request, no console error, charts drawn."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.mark.parametrize("name, charts", [
    ("report.html", ["map", "region", "province", "tiers", "pillar_leaders", "movers"]),
    ("profile_330784.html", ["pillars", "location"]),
])
def test_page_opens_offline_without_errors(published, browser, name, charts):
    context = browser.new_context(offline=True)
    page = context.new_page()
    failed, errors, remote = [], [], []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.goto((published.out / name).as_uri())
    for chart in charts:
        page.wait_for_selector(f"#chart-{chart} svg", timeout=60_000)
    assert failed == [] and errors == [] and remote == []
    if name == "report.html":
        # Every top-100 unit with a polygon is a coloured path; the grey base layer draws the whole country.
        n_paths = page.eval_on_selector("#chart-map svg", "svg => svg.querySelectorAll('path').length")
        assert n_paths >= 2875 + 100
        page.select_option("#chart-map select", "scale")  # the drop-down switches to a dimension's top 100
        page.wait_for_timeout(500)
        assert errors == []
    context.close()
