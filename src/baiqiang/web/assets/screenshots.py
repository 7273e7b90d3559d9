"""Screenshots of every page for docs/web.md, taken in Debian's headless Chromium.

    python src/baiqiang/web/assets/screenshots.py baiqiang-demo/census.duckdb docs/web

Serves a copy of the store on a loopback port, signs in a temporary editor,
visits each page (a dry-run import and a pasted bulletin included) and saves
one PNG per page.
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from openpyxl import Workbook

BULLETIN = ("2023年，永康市实现地区生产总值812.5亿元，比上年增长6.1%。规模以上工业增加值215.3亿元，增长8.2%。"
            "一般公共预算收入60.2亿元。全市居民人均可支配收入71234元，增长5.2%。")


def _serve(store: Path):  # type: ignore[no-untyped-def]
    import uvicorn

    from baiqiang.data.store import Store
    from baiqiang.web import WebSettings, auth, create_app

    with Store(store) as s:
        auth.add_user(s.con, "docs", "docs-password-1", "editor")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(WebSettings(db=store)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


def main(store: Path, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="web-shots-"))
    copy = work / "store.duckdb"
    shutil.copyfile(store, copy)
    sheet = work / "2020年金华统计年鉴.xlsx"
    wb = Workbook()
    wb.active.append(["地区", "15-64岁人口比重（%）"])
    for row in (("金华市", 74.0), ("永康市", 75.5), ("义乌市", 77.1), ("东阳市", 73.2)):
        wb.active.append(list(row))
    wb.save(sheet)
    server, url = _serve(copy)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 860}, base_url=url)

            def shot(path: str, name: str, ready: str = "main") -> None:
                page.goto(path)
                page.wait_for_selector(ready)
                page.screenshot(path=str(out / f"{name}.png"))

            shot("/rankings?province=浙江省", "rankings")
            shot("/rankings?list=top100", "rankings-top100", "#list-note")
            shot("/map", "map", "#map-chart[data-ready] svg")
            shot("/units/330784", "profile", "#analysis-body")
            page.screenshot(path=str(out / "profile-full.png"), full_page=True)
            shot("/compare?units=330784,330782,330783", "compare", "#compare-chart[data-ready] svg")
            shot("/methodology", "methodology")
            page.goto("/login")
            page.fill("input[name=username]", "docs")
            page.fill("input[name=password]", "docs-password-1")
            page.click("button[type=submit]")
            page.wait_for_url("**/rankings")
            page.goto("/import")
            page.set_input_files("#file", str(sheet))
            page.fill("#year", "2020")
            page.click("#dry-run")
            page.wait_for_selector("#dry-run-report")
            page.screenshot(path=str(out / "import.png"))
            page.goto("/review")
            page.fill("#doc-text", BULLETIN)
            page.fill("#doc-place", "永康市")
            page.fill("#doc-name", "永康市2023年国民经济和社会发展统计公报")
            page.click("#extract")
            page.wait_for_selector("#document mark")
            page.locator("#candidates tbody tr button.accept").first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(out / "review.png"))
            shot("/rankings?lang=en", "rankings-en")
            browser.close()
    finally:
        server.should_exit = True
        time.sleep(1)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
