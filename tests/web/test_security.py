"""Security: sign-in, roles, CSRF, rate limiting, upload limits and sniffing, safe downloads and names."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from baiqiang.data.store import Store
from baiqiang.web import auth, uploads
from baiqiang.web.tables import to_csv

from .conftest import PASSWORD, sign_in, yearbook_xlsx
from .test_api import assert_error

WRITES = [("post", "/api/v1/imports"), ("post", "/api/v1/imports/abc/confirm"), ("post", "/api/v1/batches/1/undo"),
          ("post", "/api/v1/review/documents"), ("post", "/api/v1/review/candidates/1/accept")]


@pytest.mark.parametrize("method, url", WRITES)
def test_writes_need_a_signed_in_editor(client, method, url):
    assert_error(client.request(method, url), 401)
    sign_in(client, "viewer1")
    assert_error(client.request(method, url), 403)


@pytest.mark.parametrize("method, url", WRITES)
def test_writes_need_the_csrf_token(client, method, url):
    sign_in(client, "editor1")
    body = assert_error(client.request(method, url, data={"text": "x"}), 403)
    assert "CSRF" in body["error"]
    assert_error(client.request(method, url, headers={"X-CSRF-Token": "forged"}), 403)


def test_login_form_needs_csrf_and_pages_redirect_to_login(client):
    r = client.post("/login", data={"username": "editor1", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    r = client.get("/import", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fimport")


def test_session_cookie_is_signed_http_only_and_secure_when_asked(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app(secure_cookies=True), base_url="https://127.0.0.1") as c:
        r, _ = sign_in(c)
        cookie = r.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "secure" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert "editor1" not in cookie  # signed and encoded, not plain


def test_wrong_passwords_are_rate_limited(client):
    token = client.get("/api/v1/session").json()["data"]["csrf_token"]
    form = {"username": "editor1", "password": "wrong-password", "csrf_token": token}
    codes = [client.post("/login", data=form, follow_redirects=False).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    # even the right password is refused until the window passes
    r = client.post("/login", data={**form, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_passwords_are_argon2_hashes(store_path):
    with Store(store_path) as store:
        h = store.con.execute("SELECT password_hash FROM web_users WHERE username = 'editor1'").fetchone()[0]
        assert h.startswith("$argon2id$") and PASSWORD not in h
        assert auth.verify(store.con, "editor1", PASSWORD) == "editor"
        assert auth.verify(store.con, "editor1", PASSWORD + "x") is None
        assert auth.verify(store.con, "nobody", PASSWORD) is None


def test_private_mode_needs_sign_in_to_read(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app(public_read=False)) as c:
        assert_error(c.get("/api/v1/rankings/county"), 401)
        assert c.get("/rankings", follow_redirects=False).status_code == 303
        sign_in(c, "viewer1")
        assert c.get("/api/v1/rankings/county").json()["ok"]


def _upload(client, csrf, name, data):
    return client.post("/api/v1/imports", files={"file": (name, data)}, data={"year": "2023"},
                       headers={"X-CSRF-Token": csrf})


def test_oversize_upload_is_413(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app(max_upload_bytes=100_000)) as c:
        _, csrf = sign_in(c)
        body = assert_error(_upload(c, csrf, "big.csv", b"a,b\n" + b"1,2\n" * 200_000), 413)
        assert body["errors"][0]["code"] == "too_large"


def test_html_disguised_as_xlsx_is_rejected(client):
    _, csrf = sign_in(client)
    body = assert_error(_upload(client, csrf, "年鉴.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>"),
                        400)
    assert body["errors"][0]["code"] == "bad_type" and "网页" in body["error"]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("evil.txt", "not a workbook")
    assert assert_error(_upload(client, csrf, "a.xlsx", zipped.getvalue()), 400)["errors"][0]["code"] == "bad_type"


def test_a_real_xlsx_named_csv_is_read_as_xlsx(client, tmp_path):
    _, csrf = sign_in(client)
    data = yearbook_xlsx(tmp_path / "t.xlsx", [("永康市", 1200, 600000)]).read_bytes()
    r = _upload(client, csrf, "whatever.csv", data)
    assert r.status_code == 200 and r.json()["data"]["report"]["n_changed"] == 1


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\boot.ini", "/tmp/x.csv", "a\x00b.csv", "....//x.xlsx"])
def test_path_traversal_names_never_reach_paths(client, name, tmp_path):
    _, csrf = sign_in(client)
    data = yearbook_xlsx(tmp_path / "t.xlsx", [("永康市", 1200, 600000)]).read_bytes()
    r = _upload(client, csrf, name, data)
    assert r.status_code == 200, r.text
    label = r.json()["data"]["report"]["file"]
    assert "/" not in label and "\\" not in label and "\x00" not in label and not label.startswith(".")
    pending = next(iter(client.app.state.pending.values()))
    assert pending.upload.path.name.endswith(".xlsx") and pending.upload.path.parent.name.startswith("baiqiang-upload-")
    assert "\x00" not in uploads.display_name(name) and "/" not in uploads.display_name(name)


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点击\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_formula_cells_are_escaped_in_csv_and_xlsx(client, tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"名称": FORMULAS, "得分": [1.5, -2.0, 3, 4, 5, 6]})
    text = to_csv(frame).decode("utf-8-sig").splitlines()
    assert text[1].startswith("\"'=HYPERLINK") and text[2] == "'+1+1,-2.0" and text[3].startswith("'-2+3")
    # through the server: a unit whose name is a formula comes back escaped in both downloads
    with Store(client.app.state.db.path) as store:
        store.con.execute("UPDATE units SET name = ? WHERE code = '330784'", [FORMULAS[0]])
    client.app.state.db._version += 1  # the direct edit bypassed the writer: drop cached rankings
    r = client.get("/rankings/download.csv", params={"q": "330784"})
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("代码,排名,名称") and "'=HYPERLINK" in lines[1]
    r = client.get("/rankings/download.xlsx", params={"q": "330784"})
    ws = load_workbook(io.BytesIO(r.content)).active
    cell = ws.cell(row=2, column=3)
    assert cell.value == FORMULAS[0] and cell.data_type == "s"
    assert ws.cell(row=2, column=2).value == 4  # numbers stay numbers


def test_download_is_exactly_the_page_shown(client):
    r = client.get("/rankings/download.csv", params={"province": "浙江省", "sort": "prosperity", "order": "desc"})
    rows = [line.split(",") for line in r.content.decode("utf-8-sig").splitlines()]
    page = client.get("/api/v1/rankings/county", params={"province": "浙江省", "sort": "prosperity",
                                                          "order": "desc"}).json()["data"]
    assert [row[0] for row in rows[1:]] == [x["code"] for x in page]
    assert len(rows[0]) == 1 + len(client.get("/api/v1/rankings/county").json()["columns"])


def test_security_headers(client):
    r = client.get("/rankings")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"


def test_open_redirects_are_refused(client):
    r = client.get("/lang/en", params={"next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/rankings"
