"""The HTML pages (Jinja2, htmx for partial updates).  Each page's data comes from the same calls as the API."""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from markupsafe import Markup, escape

from baiqiang.errors import DataError
from baiqiang.web import api, auth, charts, tables, writes
from baiqiang.web.app import HERE
from baiqiang.web.cache import CSRF_MARK, put_csrf, request_key
from baiqiang.web.deps import User, can_read, check_csrf, current_user, editor_write, lang_of, require
from baiqiang.web.model import FILTERS, RANKINGS

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")
read = [Depends(can_read)]

FILTER_LABELS = {"province": ("省份", "Province"), "prefecture": ("地级市", "Prefecture"), "type": ("类型", "Type"),
                 "region": ("区域", "Region"), "tier": ("梯队", "Tier")}
COLUMN_LABELS = {"rank": ("排名", "Rank"), "name": ("名称", "Name"), "province": ("省份", "Province"),
                 "prefecture": ("地级市", "Prefecture"), "type": ("类型", "Type"), "region": ("区域", "Region"),
                 "score": ("得分", "Score"), "tier": ("梯队", "Tier"), "tier_name": ("梯队名称", "Tier name"), "province_rank": ("省内排名", "Rank in province"),
                 "code": ("代码", "Code")}


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths may be redirected to (no open redirect)."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/rankings"


def context(request: Request, **extra: Any) -> dict[str, Any]:
    lang = lang_of(request)
    user = current_user(request)

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    here = request.url.path + ("?" + request.url.query if request.url.query else "")
    return {"request": request, "lang": lang, "t": t, "user": user, "csrf": auth.csrf_token(request.session),
            "can_edit": user is not None and auth.role_at_least(user.role, "editor"),
            "here": quote(here, safe="/?=&%"), "rankings": RANKINGS, **extra}


def render(request: Request, name: str, status: int = 200, **extra: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context(request, **extra), status_code=status)


async def cached_page(request: Request, build: Callable[[], tuple[str, dict[str, Any]]]) -> HTMLResponse:
    """A read-only page rendered once per (store version, URL, language, signed-in user, htmx target).

    ``build()`` returns (template, context).  The page is cached with
    :data:`CSRF_MARK` for the token and each reader gets their own token back
    (see :mod:`baiqiang.web.cache`).
    """
    state = request.app.state
    user = current_user(request)
    target = request.headers.get("hx-target") if request.headers.get("hx-request") else None
    key = request_key(request.url.path, request.query_params, lang_of(request),
                      user.name if user else None, user.role if user else None, target)
    csrf = auth.csrf_token(request.session)

    def body() -> bytes:
        name, extra = build()
        ctx = context(request, **extra)
        ctx["csrf"] = CSRF_MARK
        return templates.get_template(name).render(ctx).encode("utf-8")

    version = state.db.version
    cached = state.cache.peek(version, key)
    if cached is None:  # build on a worker thread; a hit is answered on the event loop
        cached = await run_in_threadpool(state.cache.get, version, key, body)
    return HTMLResponse(put_csrf(cached, csrf))


def error_page(request: Request, status: int, message: str, errors: list[dict[str, str]],
               headers: dict[str, str] | None = None) -> HTMLResponse:
    response = render(request, "error.html", status=status, status_code=status, message=message, errors=errors)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + ("?" + request.url.query if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def vega(spec: dict[str, Any]) -> Markup:
    """A chart spec as JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(spec, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def label(key: str, lang: str, request: Request) -> str:
    book = request.app.state.book
    if key in COLUMN_LABELS:
        zh, en = COLUMN_LABELS[key]
        return en if lang == "en" else zh
    if key.endswith("_rank"):
        return book.node_name(key[:-5], lang) + (" rank" if lang == "en" else "排名")
    return book.node_name(key, lang)


# -- language and sign-in ---------------------------------------------------------
@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/rankings", status_code=303)


@router.get("/lang/{lang}")
def set_lang(request: Request, lang: str, next: str | None = None) -> RedirectResponse:
    request.session["lang"] = "en" if lang == "en" else "zh"
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), message="")


@router.post("/login")
async def login(request: Request, username: str = Form(...), password: str = Form(...),
                next: str = Form("/rankings")) -> Response:
    await check_csrf(request)
    state = request.app.state
    client = request.client.host if request.client else "?"
    keys = (f"ip:{client}", f"user:{username}")
    wait = state.limiter.retry_after(*keys)
    if wait > 0:
        raise HTTPException(429, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试 (too many attempts)",
                            headers={"Retry-After": str(int(wait) + 1)})
    with state.db.read() as store:
        role = auth.verify(store.con, username, password)
    if role is None:
        state.limiter.failed(*keys)
        return render(request, "login.html", status=401, next=_safe_next(next),
                      message=context(request)["t"]("用户名或密码错误", "Wrong user name or password"))
    state.limiter.succeeded(*keys)
    lang = request.session.get("lang")
    request.session.clear()  # a new session on sign-in: no fixation
    request.session.update({"user": username, "role": role, **({"lang": lang} if lang else {})})
    auth.csrf_token(request.session)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    await check_csrf(request)
    request.session.clear()
    return RedirectResponse("/rankings", status_code=303)


# -- rankings ---------------------------------------------------------------------
TEXT_COLUMNS = frozenset({"name", "province", "prefecture", "type", "region", "tier_name"})
RANK_COLUMNS = frozenset({"rank", "tier"})


def _cell(column: str, value: Any) -> str:
    """One table cell: text as is, scores with two decimals, ranks and tiers as integers (— when missing)."""
    if column in TEXT_COLUMNS:
        return f"<td>{escape('' if value is None else value)}</td>"
    if value is None or value != value:  # None, NaN
        return '<td class="num">—</td>'
    if column in RANK_COLUMNS or column.endswith("_rank"):
        return f'<td class="num">{int(value)}</td>'
    return f'<td class="num">{float(value):.2f}</td>'


def rows_html(rows: Any, columns: list[str], year: int, compare: str) -> Markup:
    """The ``<tbody>`` rows of a rankings page, formatted in Python (a Jinja loop over 50 x 17 cells costs ~10 ms)."""
    out = []
    for r in writes._records(rows[["code", *columns]]):
        code = escape(r["code"])
        cells = "".join(f'<td><a href="/units/{code}?year={year}">{escape(r[c])}</a></td>' if c == "name"
                        else _cell(c, r[c]) for c in columns)
        out.append(f'<tr data-code="{code}">{cells}<td><a href="/compare?units={code}">{escape(compare)}</a></td></tr>')
    return Markup("\n".join(out))


def options_html(values: list[str], chosen: str) -> Markup:
    """``<option>`` elements of a filter (hundreds for prefectures), the chosen one selected."""
    return Markup("".join(f"<option{' selected' if v == chosen else ''}>{escape(v)}</option>" for v in values))


def _ranking_view(request: Request, ranking: str, year: int | None, q: str, sort: str, order: str,
                  page: int, list_id: str = "") -> dict[str, Any]:
    lang = lang_of(request)
    ranked, pg = api.ranking_rows(request, ranking, year, q, sort, order, page, None, list_id)
    book = request.app.state.book
    columns = book.columns(ranked, list_id or None)
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "sort", "order", "lang")}
    params.update({"ranking": ranked.ranking.id, "year": str(ranked.year)})
    if list_id:
        params["list"] = list_id
    else:
        params.pop("list", None)
    filters = {k: request.query_params.get(k, "") for k in FILTERS}
    facets = book.memo(("facets", ranked.ranking.id, ranked.year, list_id), lambda: book.facets(ranked, list_id or None))
    base_qs = urlencode(params) + "&"  # the links differ only in sort, order and page
    return {"ranked": ranked, "pg": pg, "columns": columns, "labels": {c: label(c, lang, request) for c in columns},
            "list_id": list_id, "list": ranked.list_spec(list_id) if list_id else None,
            "gate_names": {g.id: g.name or g.id for g in (ranked.results.framework.rankings.gates
                                                          if ranked.results.framework.rankings else [])},
            "rows_html": rows_html(pg.rows, columns, ranked.year, "Compare" if lang == "en" else "比较"),
            "options": {k: options_html(v, filters[k]) for k, v in facets.items()}, "filters": filters,
            "filter_labels": {k: (en if lang == "en" else zh) for k, (zh, en) in FILTER_LABELS.items()},
            "years": book.years(), "q": q, "sort": sort, "order": order, "base": params,
            "qs": lambda **kw: base_qs + urlencode({"sort": sort, "order": order, "page": str(pg.page),
                                                    **{k: str(v) for k, v in kw.items()}})}


@router.get("/rankings", dependencies=read)
async def rankings(request: Request, ranking: str = "county", year: int | None = None, q: str = "", sort: str = "rank",
             order: str = "asc", page: int = 1, list_id: str = Query("", alias="list")) -> HTMLResponse:
    def build() -> tuple[str, dict[str, Any]]:
        view = _ranking_view(request, ranking, year, q, sort, order, page, list_id)
        partial = request.headers.get("hx-request") and request.headers.get("hx-target") == "results"
        return ("_ranking_rows.html" if partial else "rankings.html"), view

    return await cached_page(request, build)


@router.get("/rankings/download.{fmt}", dependencies=read)
def download(request: Request, fmt: str, ranking: str = "county", year: int | None = None, q: str = "",
             sort: str = "rank", order: str = "asc", page: int = 1, list_id: str = Query("", alias="list")) -> Response:
    """Exactly the rows and columns the page shows, with the page's headers."""
    if fmt not in ("csv", "xlsx"):
        raise DataError.single("format", "下载格式须为 csv 或 xlsx", "not_found")
    lang = lang_of(request)
    view = _ranking_view(request, ranking, year, q, sort, order, page, list_id)
    cols = ["code", *view["columns"]]
    frame = view["pg"].rows[cols].rename(columns={c: label(c, lang, request) for c in cols})
    name = f"baiqiang_{view['ranked'].ranking.id}_{list_id + '_' if list_id else ''}{view['ranked'].year}_p{view['pg'].page}.{fmt}"
    if fmt == "csv":
        body, media = tables.to_csv(frame), "text/csv; charset=utf-8"
    else:
        body = tables.to_xlsx(frame)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- map, profile, compare, methodology ------------------------------------------
@router.get("/map", dependencies=read)
async def map_page(request: Request, ranking: str = "county", year: int | None = None, measure: str = "score") -> HTMLResponse:
    def build() -> tuple[str, dict[str, Any]]:
        lang = lang_of(request)
        book = request.app.state.book
        ranked, units = book.map_units(ranking, year, measure)
        spec_url = f"/api/v1/map/{ranked.ranking.id}?" + urlencode({"year": ranked.year, "measure": measure, "lang": lang})
        return "map.html", {"ranked": ranked, "measure": measure, "years": book.years(),
                            "measures": [("score", label("score", lang, request))]
                            + [(p, label(p, lang, request)) for p in ranked.pillars],
                            "spec_url": spec_url, "n_units": len(units), "n_ranked": len(ranked.table)}

    return await cached_page(request, build)


@router.get("/units/{code}", dependencies=read)
async def profile(request: Request, code: str, year: int | None = None) -> HTMLResponse:
    def build() -> tuple[str, dict[str, Any]]:
        lang = lang_of(request)
        book = request.app.state.book
        p = book.profile(code, year, lang)
        return "profile.html", {
            "p": p, "years": book.years(),
            "pillar_spec": vega(charts.pillar_spec(p["pillars"], lang)) if p["pillars"] else None,
            "history_spec": vega(charts.history_spec(p["history"], lang)) if len(p["history"]) > 1 else None}

    return await cached_page(request, build)


@router.get("/units/{code}/analysis", dependencies=read)
async def unit_analysis(request: Request, code: str, year: int | None = None, target: bool = False) -> HTMLResponse:
    """The report's profile analysis, loaded into the profile page after it shows (it takes a moment the first time)."""
    book = request.app.state.book

    def build() -> tuple[str, dict[str, Any]]:
        try:
            return "_analysis.html", {"a": book.analysis(code, year, target=target)}
        except DataError as exc:  # e.g. a unit the list's gates leave out: say why inside the page
            if not any(p.code == "not_found" for p in exc.problems):
                raise
            return "_analysis.html", {"a": None, "message": exc.problems[0].message}

    return await cached_page(request, build)


@router.get("/units/{code}/history/{indicator}", dependencies=read)
def cell_history(request: Request, code: str, indicator: str) -> HTMLResponse:
    versions = request.app.state.book.cell_history(code, indicator)
    return render(request, "_cell_history.html", versions=api.records(versions), code=code, indicator=indicator)


@router.get("/compare", dependencies=read)
def compare(request: Request, units: str = "", year: int | None = None, add: str = "") -> Response:
    chosen = [u for u in units.split(",") if u.strip()]
    if add.strip():
        book = request.app.state.book
        chosen.append(str(book.unit(add.strip()).name))
        return RedirectResponse("/compare?" + urlencode({"units": ",".join(dict.fromkeys(chosen)),
                                                         **({"year": year} if year else {})}), status_code=303)
    data = None
    if len(chosen) >= 2:
        data = request.app.state.book.compare(chosen, year, lang_of(request))
    elif chosen:
        data = {"year": year, "units": [request.app.state.book.profile(chosen[0], year, lang_of(request))],
                "indicators": []}
    spec = vega(charts.compare_spec(data, lang_of(request))) if data and len(data["units"]) >= 2 else None
    codes = [u["code"] for u in data["units"]] if data else []
    return render(request, "compare.html", data=data, spec=spec, codes=codes, units=",".join(codes))


def compare_frame(data: dict[str, Any], t: Any) -> Any:
    """The compare table as shown: one row per measure, one column per unit."""
    import pandas as pd

    units = data["units"]
    rows = [(t("全国排名", "National rank"), [u["ranking"]["rank"] if u["ranking"] else None for u in units]),
            (t("得分", "Score"), [round(u["ranking"]["score"], 4) if u["ranking"] else None for u in units]),
            (t("省内排名", "Rank in province"), [u["ranking"]["province_rank"] if u["ranking"] else None for u in units])]
    for i, pillar in enumerate(units[0]["pillars"]):
        rows.append((pillar["name"] + t("排名", " rank"), [u["pillars"][i]["rank"] if u["pillars"] else None for u in units]))
    rows += [(ind["name"], ind["values"]) for ind in data["indicators"]]
    return pd.DataFrame([[name, *values] for name, values in rows],
                        columns=[t("项目", "Measure"), *[f"{u['name']}（{u['code']}）" for u in units]])


@router.get("/compare/download.{fmt}", dependencies=read)
def compare_download(request: Request, fmt: str, units: str, year: int | None = None) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise DataError.single("format", "下载格式须为 csv 或 xlsx", "not_found")
    data = request.app.state.book.compare(units.split(","), year, lang_of(request))
    frame = compare_frame(data, context(request)["t"])
    name = f"baiqiang_compare_{data['year']}.{fmt}"
    if fmt == "csv":
        body, media = tables.to_csv(frame), "text/csv; charset=utf-8"
    else:
        body, media = tables.to_xlsx(frame, "比较"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/methodology", dependencies=read)
async def methodology(request: Request, ranking: str = "county", year: int | None = None) -> HTMLResponse:
    book = request.app.state.book
    return await cached_page(request, lambda: ("methodology.html", {"m": book.methodology(ranking, year, lang_of(request)),
                                                               "years": book.years()}))


# -- import -----------------------------------------------------------------------
@router.get("/import")
def import_page(request: Request) -> HTMLResponse:
    require(request, "editor")
    with request.app.state.db.read() as store:
        batches = api.records(writes.batches(store))
    return render(request, "import.html", batches=batches, report=None, token=None)


@router.post("/import")
async def import_upload(request: Request, file: UploadFile = File(...), year: str = Form(""), user: User = Depends(editor_write)) -> HTMLResponse:
    if year and not year.strip().isdigit():
        raise DataError.single("year", f"年份须为数字，收到 {year!r}", "bad_year")
    pending, outcome = await api.dry_run(request, user.name, file, int(year) if year.strip() else None)
    with request.app.state.db.read() as store:
        batches = api.records(writes.batches(store))
    return render(request, "import.html", batches=batches, report=outcome.as_dict(), token=pending.token)


@router.post("/import/{token}/confirm")
async def import_confirm(request: Request, token: str, user: User = Depends(editor_write)) -> RedirectResponse:
    job = api.start_confirm(request, token, user.name)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> HTMLResponse:
    require(request, "viewer")
    job = request.app.state.db.jobs.get(job_id)
    if job is None:
        raise DataError.single(f"job {job_id}", "不存在", "not_found")
    partial = bool(request.headers.get("hx-request"))
    return render(request, "_job.html" if partial else "job.html", job=api.job_dict(job))


@router.post("/batches/{batch_id}/undo")
async def undo(request: Request, batch_id: int, user: User = Depends(editor_write)) -> RedirectResponse:
    await request.app.state.db.write(lambda s: writes.undo_batch(s, batch_id, username=user.name))
    return RedirectResponse("/import?undone=" + str(batch_id), status_code=303)


# -- fact review ------------------------------------------------------------------
def _document_marks(text: str, rows: list[dict[str, Any]]) -> Markup:
    """The document with each candidate's quote marked (offsets from the extractor), escaped."""
    spans = sorted({(int(r["start_offset"]), int(r["end_offset"]), int(r["id"])) for r in rows
                    if r.get("start_offset") is not None and r.get("end_offset") is not None})
    out, pos = [], 0
    for start, end, cid in spans:
        if start < pos or end > len(text):
            continue  # overlapping quotes: the first one is marked
        out.append(str(escape(text[pos:start])))
        out.append(f'<mark id="q{cid}" data-candidate="{cid}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


@router.get("/review")
def review_page(request: Request, doc: str | None = None, status: str | None = None) -> HTMLResponse:
    require(request, "viewer")
    with request.app.state.db.read() as store:
        docs = store.con.execute("SELECT sha256, name, place, username, created_at FROM web_documents "
                                 "ORDER BY created_at DESC").df()
        rv = api.review_of(store)
        rows, text, document = [], "", None
        if doc:
            found = store.con.execute("SELECT name, text FROM web_documents WHERE sha256 = ?", [doc]).fetchone()
            if found is None:
                raise DataError.single(f"document {doc[:12]}", "不存在", "not_found")
            document, text = found
            cand = store.con.execute("SELECT * FROM fact_candidates WHERE sha256 = ? ORDER BY id", [doc]).df() \
                if _has_table(store, "fact_candidates") else None
            rows = api.records(cand) if cand is not None else []
        elif _has_table(store, "fact_candidates"):
            rows = api.records(rv.list(status=status))
        history = api.records(store.con.execute(
            "SELECT h.*, c.indicator, c.place FROM fact_history h JOIN fact_candidates c ON c.id = h.candidate_id "
            + ("WHERE c.sha256 = ? " if doc else "") + "ORDER BY h.changed_at DESC, h.rowid DESC LIMIT 200",
            [doc] if doc else []).df()) if _has_table(store, "fact_history") else []
    return render(request, "review.html", docs=api.records(docs), rows=rows, doc=doc, document=document,
                  marked=_document_marks(text, rows) if text else None, history=history, status_filter=status)


def _has_table(store: Any, name: str) -> bool:
    return bool(store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                                  [name]).fetchone()[0])


@router.post("/review/documents")
async def review_add(request: Request, text: str = Form(""), place: str = Form(""), name: str = Form(""),
                     file: UploadFile | None = File(None), user: User = Depends(editor_write)) -> RedirectResponse:
    if file is not None and file.filename:
        from baiqiang.extract.source import decode
        from baiqiang.web import uploads

        data = await uploads.read_limited(file, request.app.state.settings.max_upload_bytes)
        uploads.sniff(data, file.filename, uploads.TEXT_TYPES)
        text, _ = decode(data, uploads.display_name(file.filename))
        name = name or uploads.display_name(file.filename)
    label_ = name.strip()[:100] or "粘贴文本"
    sha, _, _ = await request.app.state.db.write(
        lambda s: writes.load_document(s, text, name=label_, place=place, username=user.name))
    return RedirectResponse(f"/review?doc={sha}", status_code=303)


@router.post("/review/candidates/{cid}/{action}")
async def review_action(request: Request, cid: int, action: str, user: User = Depends(editor_write)) -> RedirectResponse:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if k in ("value", "unit", "period", "place_code", "indicator_code",
                                                         "reason")}
    await request.app.state.db.write(lambda s: api.apply_review(s, cid, action, user.name, fields))
    back = form.get("back")
    return RedirectResponse(_safe_next(back if isinstance(back, str) else None) + f"#c{cid}", status_code=303)
