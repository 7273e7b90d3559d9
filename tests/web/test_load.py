"""A bounded load test on loopback: 2,000 requests at concurrency 50 with an import running meanwhile, 0 errors."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from baiqiang.web.loadtest import check_loopback, run_load

from .conftest import PASSWORD, yearbook_xlsx

PATHS = [("list", "/api/v1/rankings/county?page_size=5&page=1"), ("list_page", "/rankings?province=浙江省"),
         ("profile", "/api/v1/units/330784"), ("profile_page", "/units/330782"), ("map", "/api/v1/map/county")]


def import_meanwhile(url: str, path, outcome: dict) -> None:
    """Sign in, dry-run and confirm a yearbook import, wait for the job: all while the load runs."""
    with httpx.Client(base_url=url, timeout=60) as c:
        csrf = c.get("/api/v1/session").json()["data"]["csrf_token"]
        c.post("/login", data={"username": "editor1", "password": PASSWORD, "csrf_token": csrf})
        csrf = c.get("/api/v1/session").json()["data"]["csrf_token"]
        with open(path, "rb") as f:
            r = c.post("/api/v1/imports", files={"file": ("年鉴.xlsx", f)}, data={"year": "2023"},
                       headers={"X-CSRF-Token": csrf})
        token = r.json()["data"]["token"]
        job = c.post(f"/api/v1/imports/{token}/confirm", headers={"X-CSRF-Token": csrf}).json()["data"]
        while job["status"] == "running":
            time.sleep(0.05)
            job = c.get(f"/api/v1/jobs/{job['id']}").json()["data"]
        outcome.update(job)


def test_load_with_an_import_meanwhile(live, tmp_path):
    path = yearbook_xlsx(tmp_path / "年鉴.xlsx", [("永康市", 1200, 600000)])
    outcome: dict = {}
    importer = threading.Thread(target=import_meanwhile, args=(live.url, path, outcome))
    importer.start()
    result = asyncio.run(run_load(live.url, PATHS, total=2000, concurrency=50, max_seconds=120))
    importer.join(timeout=60)
    assert result.errors == []
    assert result.sent == 2000, f"only {result.sent} requests within the 120 s cap"
    assert outcome["status"] == "done" and outcome["result"]["n_changed"] == 1
    summary = result.summary()
    assert all(summary[k]["n"] == 400 for k, _ in PATHS)


def test_load_generator_refuses_other_hosts():
    check_loopback("http://127.0.0.1:8000")
    check_loopback("http://[::1]:8000")
    for url in ("http://10.0.0.5:8000", "http://192.168.1.2", "http://example.com"):
        with pytest.raises(ValueError, match="loopback"):
            check_loopback(url)
