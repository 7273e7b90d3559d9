"""The JSON API: data of every page, pagination, one error shape, import → confirm → undo, review."""

from __future__ import annotations

import time

import pytest

from .conftest import sign_in, yearbook_xlsx

ERROR_KEYS = {"ok", "error", "errors", "status"}


def assert_error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == ERROR_KEYS and body["ok"] is False and body["status"] == status
    assert body["error"] and all({"where", "message", "code"} <= set(e) for e in body["errors"])
    return body


def test_rankings_list_pages_and_filters(client):
    meta = client.get("/api/v1/rankings").json()["data"]
    assert meta["years"] == [2022, 2023] and [r["id"] for r in meta["rankings"]] == ["county", "district"]
    r = client.get("/api/v1/rankings/county", params={"page_size": 3, "page": 2}).json()
    assert r["ok"] and r["total"] == 8 and r["pages"] == 3 and r["page"] == 2
    assert [x["code"] for x in r["data"]] == ["330784", "330781", "330723"]
    r = client.get("/api/v1/rankings/county", params={"q": "永康"}).json()
    assert [x["name"] for x in r["data"]] == ["永康市"] and r["data"][0]["rank"] == 4
    r = client.get("/api/v1/rankings/county", params={"province": "江苏省"}).json()
    assert [x["code"] for x in r["data"]] == ["320583"]


def test_profile_compare_map_methodology(client):
    p = client.get("/api/v1/units/永康市", params={"year": 2023}).json()["data"]
    assert p["ranking"]["rank"] == 4 and len(p["history"]) == 2
    h = client.get("/api/v1/units/330784/history/gdp").json()["data"]
    assert [(x["year"], x["value"]) for x in h] == [(2022, 720.0), (2023, 800.0)]
    c = client.get("/api/v1/compare", params={"units": "永康,义乌,东阳"}).json()["data"]
    assert [u["name"] for u in c["units"]] == ["永康市", "义乌市", "东阳市"]
    assert c["chart"]["mark"] == "bar" and len(c["chart"]["data"]["values"]) == 6
    m = client.get("/api/v1/map/county", params={"measure": "scale"}).json()["data"]
    # every county of the tiny store has its own polygon in the bundled geometry (keyed by its code)
    assert len(m["units"]) == 8 and all(u["geo"] == u["code"] for u in m["units"])
    yk = next(x for x in m["units"] if x["code"] == "330784")
    assert yk["value"] == pytest.approx((700 / 4900 + 50 / 440) * 50)
    counties, coloured, outlines = m["spec"]["layer"]
    assert counties["data"]["url"] == coloured["data"]["url"] == m["geometry"] == "/api/v1/geometry"
    assert coloured["transform"][1]["lookup"] == "properties.adcode"
    assert coloured["encoding"]["href"]["field"] == "href" and coloured["mark"]["type"] == "geoshape"
    assert {v["geo"]: v["href"] for v in coloured["transform"][1]["from"]["data"]["values"]}["330784"] == "/units/330784"
    tree = client.get("/api/v1/methodology/county").json()["data"]["tree"]
    assert [c["code"] for c in tree["children"]] == ["scale", "prosperity"]


def test_openapi_lists_the_api(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/rankings/{ranking}", "/api/v1/units/{code}", "/api/v1/compare", "/api/v1/map/{ranking}",
              "/api/v1/imports", "/api/v1/batches/{batch_id}/undo", "/api/v1/review/documents"):
        assert p in paths


@pytest.mark.parametrize("url, status", [
    ("/api/v1/rankings/nope", 404),
    ("/api/v1/rankings/county?year=1999", 404),
    ("/api/v1/rankings/county?sort=evil", 400),
    ("/api/v1/rankings/county?page=0", 400),
    ("/api/v1/rankings/county?page=abc", 422),
    ("/api/v1/units/不存在县", 404),
    ("/api/v1/compare?units=永康", 400),
    ("/api/v1/map/county?measure=nope", 400),
    ("/api/v1/jobs/unknown", 401),
    ("/api/v1/no/such/path", 404),
])
def test_every_error_has_one_shape(client, url, status):
    assert_error(client.get(url), status)


def test_import_dry_run_confirm_undo(client, tmp_path):
    _, csrf = sign_in(client)
    path = yearbook_xlsx(tmp_path / "年鉴.xlsx", [("永康市", 1200, 600000), ("东阳市", 700, 550000)])
    with open(path, "rb") as f:
        r = client.post("/api/v1/imports", files={"file": ("年鉴.xlsx", f)}, data={"year": "2023"},
                        headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    report = r.json()["data"]["report"]
    # 永康 gdp changes 800 -> 1200; revenue 600000 万元 = 60 亿元 unchanged; 东阳 unchanged
    assert (report["n_new"], report["n_changed"], report["n_unchanged"]) == (0, 1, 3)
    assert report["counts"] == {"imported": 2, "subtotal": 1}
    change = report["changes"][0]
    assert (change["unit_code"], change["value"], change["old_value"]) == ("330784", 1200.0, 800.0)
    # the dry run wrote nothing
    assert client.get("/api/v1/units/330784").json()["data"]["ranking"]["rank"] == 4
    token = r.json()["data"]["token"]
    r = client.post(f"/api/v1/imports/{token}/confirm", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 202
    job_id = r.json()["data"]["id"]
    for _ in range(200):
        job = client.get(f"/api/v1/jobs/{job_id}").json()["data"]
        if job["status"] != "running":
            break
        time.sleep(0.05)
    assert job["status"] == "done" and job["result"]["n_changed"] == 1
    batch = job["result"]["batch_id"]
    # 永康 gdp (1200-100)/4900 -> index ((1100/4900 + 50/440) * 50 + 60) / 2 = 38.45 > 东阳 37.62: rank 3
    p = client.get("/api/v1/units/330784").json()["data"]
    assert p["ranking"]["rank"] == 3
    assert p["ranking"]["score"] == pytest.approx(((1100 / 4900 + 50 / 440) * 50 + 60) / 2)
    gdp = next(i for i in p["indicators"] if i["code"] == "gdp")
    assert gdp["value"] == 1200 and gdp["versions"] == 2 and gdp["source"] == "年鉴.xlsx"
    # confirming twice is refused
    assert_error(client.post(f"/api/v1/imports/{token}/confirm", headers={"X-CSRF-Token": csrf}), 404)
    r = client.post(f"/api/v1/batches/{batch}/undo", headers={"X-CSRF-Token": csrf})
    assert r.json()["data"] == {"batch_id": batch, "cells": 1}
    p = client.get("/api/v1/units/330784").json()["data"]
    assert p["ranking"]["rank"] == 4
    assert next(i for i in p["indicators"] if i["code"] == "gdp")["value"] == 800
    batches = client.get("/api/v1/batches").json()["data"]
    assert batches[0]["batch_id"] == batch and batches[0]["undone_by"] == "editor1"
    assert batches[0]["undone"] is True
    assert "已撤销过" in assert_error(client.post(f"/api/v1/batches/{batch}/undo", headers={"X-CSRF-Token": csrf}),
                                   400)["error"]


def test_import_flags_implausible_jumps(client, tmp_path):
    _, csrf = sign_in(client)
    path = yearbook_xlsx(tmp_path / "t.xlsx", [("东阳市", 7000, 550000)])
    with open(path, "rb") as f:
        r = client.post("/api/v1/imports", files={"file": ("t.xlsx", f)}, data={"year": "2023"},
                        headers={"X-CSRF-Token": csrf})
    warnings = r.json()["data"]["report"]["warnings"]
    # the importer compares with the previous year: 7000 / 630 (2022) = 11.1 > 10
    assert len(warnings) == 1 and "11.1 倍" in warnings[0] and "630" in warnings[0]


def test_import_bad_rows_are_reported_not_written(client, tmp_path):
    _, csrf = sign_in(client)
    path = yearbook_xlsx(tmp_path / "t.xlsx", [("永康市", "一千", 600000)])
    with open(path, "rb") as f:
        r = client.post("/api/v1/imports", files={"file": ("t.xlsx", f)}, data={"year": "2023"},
                        headers={"X-CSRF-Token": csrf})
    body = assert_error(r, 400)
    assert any("第" in e["where"] for e in body["errors"])


BULLETIN = ("2023年，永康市实现地区生产总值812.5亿元，比上年增长6.1%。一般公共预算收入60.2亿元。"
            "全市居民人均可支配收入71234元。")


def _load_bulletin(client, csrf):
    r = client.post("/api/v1/review/documents", data={"text": BULLETIN, "place": "永康市", "name": "永康公报"},
                    headers={"X-CSRF-Token": csrf})
    assert r.json()["data"]["added"] >= 4
    return {c["indicator_code"]: c for c in client.get("/api/v1/review/candidates").json()["data"]}


def test_review_accept_edit_reject_history_two_reviewers(client):
    _, csrf = sign_in(client)
    cands = _load_bulletin(client, csrf)
    gdp, growth, inc = cands["gdp"], cands["gdp_growth"], cands["disposable_income"]
    assert BULLETIN[gdp["start_offset"]:gdp["end_offset"]] == gdp["quote"] and "812.5亿元" in gdp["quote"]
    assert client.post(f"/api/v1/review/candidates/{gdp['id']}/accept", headers={"X-CSRF-Token": csrf}).json()["ok"]
    assert client.post(f"/api/v1/review/candidates/{growth['id']}/reject",
                       json={"reason": "增速不入库"}, headers={"X-CSRF-Token": csrf}).json()["ok"]
    # a second reviewer corrects the income (元, the catalog's unit) and it becomes the active value
    client.post("/logout", data={"csrf_token": csrf})
    _, csrf2 = sign_in(client, "editor2")
    r = client.post(f"/api/v1/review/candidates/{inc['id']}/edit", json={"value": 71000},
                    headers={"X-CSRF-Token": csrf2})
    assert r.json()["ok"], r.text
    p = client.get("/api/v1/units/330784", params={"year": 2023}).json()["data"]
    income = next(i for i in p["indicators"] if i["code"] == "disposable_income")
    assert income["value"] == 71000 and income["versions"] == 2 and "71234元" in income["provenance"]
    hist = client.get(f"/api/v1/review/candidates/{inc['id']}/history").json()["data"]
    assert [(h["action"], h["reviewer"]) for h in hist] == [("load", None), ("edit", "editor2")]
    status = {c["id"]: (c["status"], c["reviewer"]) for c in client.get("/api/v1/review/candidates").json()["data"]}
    assert status[gdp["id"]] == ("accepted", "editor1") and status[inc["id"]] == ("edited", "editor2")
    assert status[growth["id"]] == ("rejected", "editor1")


def test_accepted_fact_is_stored_in_the_catalog_unit(client):
    """812.5亿元 is stored as 812.5 in the 亿元 indicator (the review converts to the catalog's unit)."""
    _, csrf = sign_in(client)
    gdp = _load_bulletin(client, csrf)["gdp"]
    client.post(f"/api/v1/review/candidates/{gdp['id']}/accept", headers={"X-CSRF-Token": csrf})
    p = client.get("/api/v1/units/330784", params={"year": 2023}).json()["data"]
    assert next(i for i in p["indicators"] if i["code"] == "gdp")["value"] == 812.5
