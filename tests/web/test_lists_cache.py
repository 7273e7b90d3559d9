"""Named ranking lists (the framework's ``rankings.lists``), the response cache and its freshness after writes."""

from __future__ import annotations

import gzip
import json
import time

import pytest

from baiqiang.web.cache import CSRF_MARK, ResponseCache, put_csrf

from .conftest import sign_in, yearbook_xlsx

# tiny_economy.yaml's list top5: gate gdp >= 200 亿元 (磐安县 330727 has 100: gated out), top 5, tiers cut at
# ranks 2 and 5.  The county build's order is ORDER_2023 of test_model.py.
TOP5 = ["320583", "330782", "330783", "330784", "330781"]


def test_rankings_meta_describes_the_lists(client):
    meta = client.get("/api/v1/rankings").json()["data"]
    county = meta["rankings"][0]
    assert county["framework"] == "tiny_economy"
    assert county["lists"] == [{"id": "top5", "name": "小五强", "top": 5, "gates": ["big"],
                                "tiers": {"cuts": [2, 5], "jenks": None, "names": ["第一梯队", "第二梯队"]}}]


def test_list_rows_ranks_and_tiers(client):
    r = client.get("/api/v1/rankings/county", params={"list": "top5"}).json()
    assert r["list"] == "top5" and r["total"] == 5
    assert [x["code"] for x in r["data"]] == TOP5
    assert [x["rank"] for x in r["data"]] == [1, 2, 3, 4, 5]
    assert [x["tier"] for x in r["data"]] == [1, 1, 2, 2, 2]
    assert [x["tier_name"] for x in r["data"]] == ["第一梯队"] * 2 + ["第二梯队"] * 3
    assert "tier_name" in r["columns"]
    # province rank recounted within the list: 浙江 has four listed units, 永康 third among them
    assert {x["code"]: x["province_rank"] for x in r["data"]}["330784"] == 3
    r = client.get("/api/v1/rankings/county", params={"list": "top5", "tier": "1"}).json()
    assert [x["code"] for x in r["data"]] == TOP5[:2]
    body = client.get("/api/v1/rankings/county", params={"list": "nope"}).json()
    assert body["status"] == 404 and "top5" in body["error"]


def test_profile_shows_each_lists_status_and_reason(client):
    yk = client.get("/api/v1/units/330784").json()["data"]
    assert yk["lists"] == [{"id": "top5", "name": "小五强", "top": 5, "status": "入选", "rank": 4, "tier": 2,
                            "tier_name": "第二梯队", "reason": ""}]
    assert [h["lists"] for h in yk["history"]] == [{"top5": 4}, {"top5": 4}]
    pa = client.get("/api/v1/units/330727").json()["data"]["lists"][0]
    assert pa["status"] == "未达门槛" and pa["rank"] is None and "地区生产总值" in pa["reason"]
    wy = client.get("/api/v1/units/330723").json()["data"]["lists"][0]
    assert wy["status"] == "未入选" and "前 5 名之外" in wy["reason"]


def test_rankings_page_and_download_of_a_list(client):
    html = client.get("/rankings", params={"list": "top5"}).text
    assert 'id="list-note"' in html and "小五强" in html and "第二梯队" in html
    assert html.count('<tr data-code="') == 5 and 'data-code="330723"' not in html
    csv = client.get("/rankings/download.csv", params={"list": "top5"}).content.decode("utf-8-sig").splitlines()
    assert len(csv) == 6 and "梯队名称" in csv[0] and csv[4].split(",")[0] == "330784"


def test_geometry_is_served_compressed_once_and_revalidated(client):
    r = client.get("/api/v1/geometry", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    features = r.json()["features"]  # httpx decodes the gzip body
    layers = {f["properties"]["layer"] for f in features}
    assert layers == {"county", "province"}
    assert any(f["properties"]["adcode"] == "330784" for f in features)
    again = client.get("/api/v1/geometry", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_cache_is_bounded_and_dropped_when_the_version_moves():
    cache = ResponseCache(max_entries=2)
    built = []

    def build(x: bytes):
        return lambda: built.append(x) or x

    assert cache.get(0, "a", build(b"A")) == b"A" and cache.get(0, "a", build(b"other")) == b"A"
    cache.get(0, "b", build(b"B"))
    cache.get(0, "c", build(b"C"))  # "a" is the least recently used: dropped
    assert len(cache) == 2 and cache.get(0, "a", build(b"A2")) == b"A2"
    assert cache.get(1, "b", build(b"B1")) == b"B1"  # a write: nothing from version 0 is served
    # a request that began before the write is answered but not stored under the new version
    assert cache.get(0, "b", build(b"old")) == b"old" and cache.get(1, "b", build(b"x")) == b"B1"
    assert built == [b"A", b"B", b"C", b"A2", b"B1", b"old"]
    assert cache.peek(1, "b") == b"B1" and cache.peek(0, "b") is None and cache.peek(1, "zz") is None
    page = cache.get(1, "p", lambda: f"<meta content='{CSRF_MARK}'>".encode())
    assert put_csrf(page, "token-1") == b"<meta content='token-1'>"
    assert put_csrf(cache.get(1, "p", lambda: b"never"), "token-2") == b"<meta content='token-2'>"


def test_cached_pages_carry_each_readers_own_csrf_token(make_app):
    from fastapi.testclient import TestClient

    app = make_app()
    with TestClient(app, base_url="http://127.0.0.1") as a, TestClient(app, base_url="http://127.0.0.1") as b:
        pa, pb = a.get("/rankings").text, b.get("/rankings").text
        ta = a.get("/api/v1/session").json()["data"]["csrf_token"]
        tb = b.get("/api/v1/session").json()["data"]["csrf_token"]
        assert ta != tb and f'content="{ta}"' in pa and f'content="{tb}"' in pb and CSRF_MARK not in pa + pb
        assert app.state.cache.hits >= 1  # the second reader got the first reader's rendering
        # a signed-in user's page names them; an anonymous reader's cached page does not
        sign_in(a, "editor1")
        assert "editor1" in a.get("/rankings").text and "editor1" not in b.get("/rankings").text


def _wait(client, job_id):
    for _ in range(200):
        job = client.get(f"/api/v1/jobs/{job_id}").json()["data"]
        if job["status"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError("import did not finish")


def test_no_stale_page_or_json_after_import_and_undo(client, tmp_path):
    """Read (cached), write, read again: every cached view shows the new value, then the old one after undo."""
    _, csrf = sign_in(client)
    views = {"api": "/api/v1/units/330784?year=2023", "page": "/units/330784?year=2023",
             "list": "/api/v1/rankings/county?list=top5", "rankings": "/rankings?year=2023"}

    def read():
        return {k: client.get(v) for k, v in views.items()}

    before = read()
    assert before["api"].json()["data"]["ranking"]["rank"] == 4
    assert [x["code"] for x in before["list"].json()["data"]][2:4] == ["330783", "330784"]
    assert read()["page"].text == before["page"].text  # served from the cache
    path = yearbook_xlsx(tmp_path / "年鉴.xlsx", [("永康市", 1200, 600000)])
    with open(path, "rb") as f:
        token = client.post("/api/v1/imports", files={"file": ("年鉴.xlsx", f)}, data={"year": "2023"},
                            headers={"X-CSRF-Token": csrf}).json()["data"]["token"]
    assert read()["page"].text == before["page"].text  # a dry run changes nothing, so the cache stays
    job = _wait(client, client.post(f"/api/v1/imports/{token}/confirm", headers={"X-CSRF-Token": csrf})
                .json()["data"]["id"])
    after = read()
    assert after["api"].json()["data"]["ranking"]["rank"] == 3
    assert '<b id="rank">3</b>' in after["page"].text and "1,200.00" in after["page"].text
    assert [x["code"] for x in after["list"].json()["data"]][2:4] == ["330784", "330783"]
    assert after["rankings"].text.index('data-code="330784"') < after["rankings"].text.index('data-code="330783"')
    client.post(f"/api/v1/batches/{job['result']['batch_id']}/undo", headers={"X-CSRF-Token": csrf})
    undone = read()
    assert undone["api"].json()["data"]["ranking"]["rank"] == 4 and '<b id="rank">4</b>' in undone["page"].text


def test_no_stale_profile_after_review_accept(client):
    _, csrf = sign_in(client)
    text = "2023年，永康市实现地区生产总值812.5亿元。"
    assert client.get("/api/v1/units/330784?year=2023").json()["data"]["indicators"][0]["value"] == 800
    client.post("/api/v1/review/documents", data={"text": text, "place": "永康市", "name": "公报"},
                headers={"X-CSRF-Token": csrf})
    cid = next(c["id"] for c in client.get("/api/v1/review/candidates").json()["data"] if c["indicator_code"] == "gdp")
    client.post(f"/api/v1/review/candidates/{cid}/accept", headers={"X-CSRF-Token": csrf})
    gdp = client.get("/api/v1/units/330784?year=2023").json()["data"]["indicators"][0]
    assert gdp["code"] == "gdp" and gdp["value"] == 812.5 and "812.5亿元" in gdp["provenance"]
    html = client.get("/units/330784?year=2023").text
    assert "812.50" in html


@pytest.mark.parametrize("path", ["/api/v1/rankings/county", "/api/v1/map/county", "/api/v1/units/330784"])
def test_cached_json_is_the_same_json(client, path):
    first, second = client.get(path), client.get(path)
    assert first.headers["content-type"] == "application/json" and first.content == second.content
    assert json.loads(first.content)["ok"] is True


def test_geometry_gzip_is_the_bundled_file(client):
    from importlib.resources import files

    raw = files("baiqiang.report").joinpath("resources", "counties.geojson").read_bytes()
    r = client.get("/api/v1/geometry", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and r.content == raw
    from baiqiang.web.api import _geometry

    assert gzip.decompress(_geometry()[1]) == raw


def test_profile_analysis_is_the_reports_profile(client):
    """The web's analysis is report.profile.build_profile on the same build (the list top5 applied)."""
    a = client.get("/api/v1/units/永康市/analysis", params={"year": 2023}).json()["data"]
    f = a["facts"]
    # the report ranks the seven units that pass the gate (磐安县 does not): 永康 4th of 7, as in 2022
    assert (f["rank"], f["n_ranked"], f["tier"], f["top_n"]) == (4, 7, 2, 5)
    assert (f["previous_year"], f["previous_rank"], f["rank_change"]) == ("2022", 4, 0)
    assert (f["province.rank"], f["province.units"]) == (3, 6)
    # gdp 800 is 3rd (after 5000, 1900); income 70000 is 4th (after 90000, 80000, 72000)
    names = {r["code"]: r["rank"] for r in a["indicators"]}
    assert names["gdp"] == 3 and names["disposable_income"] == 4
    assert a["target"] is None and "target.rank" not in f
    t = client.get("/api/v1/units/永康市/analysis", params={"year": 2023, "target": "true"}).json()["data"]
    assert t["facts"]["target.rank"] == 2  # tier 2 -> the last rank of tier 1
    body = client.get("/api/v1/units/330727/analysis").json()
    assert body["status"] == 404 and "门槛" in body["error"]
    html = client.get("/units/330727/analysis").text
    assert 'id="analysis-none"' in html and "门槛" in html
    page = client.get("/units/330784/analysis?year=2023").text
    assert 'id="strengths"' in page and 'id="analysis-change"' in page


def test_large_json_is_sent_gzip_compressed_when_accepted(client):
    plain = client.get("/api/v1/map/county", headers={"Accept-Encoding": "identity"})
    packed = client.get("/api/v1/map/county", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
    assert packed.json() == plain.json()  # httpx decodes; the data is the same
    assert int(packed.headers["content-length"]) < len(plain.content) / 3


def test_a_sparse_new_year_does_not_break_the_default_pages(client):
    """One accepted fact for 2024 makes a year that cannot be ranked: pages open on 2023, asking for 2024 says why."""
    _, csrf = sign_in(client)
    client.post("/api/v1/review/documents", data={"text": "2024年，永康市实现地区生产总值850亿元。", "place": "永康市",
                                                  "name": "公报2024"}, headers={"X-CSRF-Token": csrf})
    cid = next(c["id"] for c in client.get("/api/v1/review/candidates").json()["data"] if c["indicator_code"] == "gdp")
    client.post(f"/api/v1/review/candidates/{cid}/accept", headers={"X-CSRF-Token": csrf})
    assert client.get("/api/v1/rankings").json()["data"]["years"] == [2022, 2023, 2024]
    r = client.get("/api/v1/rankings/county").json()
    assert r["year"] == 2023 and r["total"] == 8
    assert client.get("/api/v1/units/330784").json()["data"]["year"] == 2023
    assert client.get("/rankings").status_code == 200 and client.get("/units/330784").status_code == 200
    # 2024 is still there to choose: one unit with one of the three indicators
    sparse = client.get("/api/v1/rankings/county", params={"year": 2024}).json()
    assert sparse["year"] == 2024 and sparse["total"] <= 1


def test_map_page_loads_its_spec_from_the_api(client):
    html = client.get("/map", params={"measure": "scale"}).text
    assert 'data-vega-src="/api/v1/map/county?year=2023&amp;measure=scale&amp;lang=zh"' in html
    assert len(html.encode()) < 20_000  # the polygons' values and the spec are not inlined
    assert client.get("/api/v1/map/county?year=2023&measure=scale&lang=zh").json()["data"]["measure"] == "scale"
