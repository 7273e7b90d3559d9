"""The JSON API under ``/api/v1`` (OpenAPI at ``/api/v1/docs``): the data of every page.

Success: ``{"ok": true, "data": ...}`` (lists add ``page``, ``page_size``,
``total``, ``pages``).  Failure, always: ``{"ok": false, "error": text,
"errors": [{"where", "message", "code"}], "status": http_status}``.
"""

from __future__ import annotations

import functools
import gzip
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from baiqiang.errors import DataError
from baiqiang.web import auth, charts, uploads, writes
from baiqiang.web.cache import request_key
from baiqiang.web.deps import User, can_read, current_user, editor_write, lang_of, require
from baiqiang.web.model import FILTERS, RANKINGS, Book

router = APIRouter(prefix="/api/v1", dependencies=[Depends(can_read)])
public = APIRouter(prefix="/api/v1")  # reachable before sign-in, even when reading is private
PENDING_SECONDS = 3600


def ok(data: Any, **extra: Any) -> dict[str, Any]:
    return {"ok": True, "data": data, **extra}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return writes._records(frame)


def book(request: Request) -> Book:
    return request.app.state.book


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                      default=_json_default).encode("utf-8")


GZIP_MIN_BYTES = 1400  # below one packet compression saves nothing


async def cached_json(request: Request, build: Callable[[], dict[str, Any]]) -> Response:
    """``build()`` serialised once per (store version, URL, language) and served from memory until the next write.

    A hit is answered on the event loop; a miss builds on a worker thread
    (reading DuckDB and pandas must not block the loop).  Bodies over a
    packet are also kept gzip-compressed (once per version) for clients that
    accept it: the map's 450 KB go out as about a tenth.  The version is read
    before building (see :mod:`baiqiang.web.cache`).
    """
    state = request.app.state
    key = request_key(request.url.path, request.query_params, lang_of(request))
    version = state.db.version
    body = state.cache.peek(version, key)
    if body is None:
        body = await run_in_threadpool(state.cache.get, version, key, lambda: json_bytes(build()))
    if len(body) < GZIP_MIN_BYTES or "gzip" not in request.headers.get("accept-encoding", ""):
        return Response(body, media_type="application/json", headers={"Vary": "Accept-Encoding"})
    packed = state.cache.peek(version, (*key, "gzip"))
    if packed is None:
        packed = await run_in_threadpool(state.cache.get, version, (*key, "gzip"),
                                         lambda: gzip.compress(body, compresslevel=6, mtime=0))
    return Response(packed, media_type="application/json",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})


@dataclass
class PendingImport:
    """An upload that passed its dry run and waits for the same user to confirm it."""

    token: str
    user: str
    upload: uploads.Upload
    year: int | None
    created: float


def filters_from(request: Request) -> dict[str, str]:
    return {k: request.query_params[k] for k in FILTERS if request.query_params.get(k)}


def ranking_rows(request: Request, ranking: str, year: int | None, q: str, sort: str, order: str,
                 page: int, page_size: int | None, list_id: str | None = None) -> tuple[Any, Any]:
    """The ranked rows a rankings view shows (shared by the page, the API and the downloads)."""
    b = book(request)
    ranked = b.ranked(ranking, year)
    rows = b.filtered(ranked, filters=filters_from(request), q=q, sort=sort, order=order, list_id=list_id or None)
    return ranked, b.page(rows, page, page_size or request.app.state.settings.page_size)


def list_info(lst: Any) -> dict[str, Any]:
    """A named list as the API describes it: id, name, length, gates and tiers."""
    tiers = lst.tiers
    return {"id": lst.id, "name": lst.name, "top": lst.top, "gates": list(lst.gates),
            "tiers": None if tiers is None else {"cuts": tiers.cuts, "jenks": tiers.jenks, "names": tiers.names}}


# -- reading ------------------------------------------------------------------------
@router.get("/rankings", summary="Rankings, their named lists, and the years in the store")
async def list_rankings(request: Request) -> Response:
    b, lang = book(request), lang_of(request)

    def build() -> dict[str, Any]:
        years = b.years()
        return ok({"years": years, "rankings": [
            {"id": r.id, "name": r.name(lang), "types": list(r.types), "framework": b.frameworks[r.id].id,
             "lists": [list_info(x) for x in (b.frameworks[r.id].rankings.lists if b.frameworks[r.id].rankings else [])]}
            for r in RANKINGS]})

    return await cached_json(request, build)


@router.get("/rankings/{ranking}", summary="One ranking or one of its named lists (list=top100): filter, search, sort, paginate")
async def ranking(request: Request, ranking: str, year: int | None = None, q: str = "", sort: str = "rank",
            order: str = "asc", page: int = 1, page_size: int | None = None,
            list_id: str = Query("", alias="list", description="a named list of the framework, e.g. top100")) -> Response:
    def build() -> dict[str, Any]:
        ranked, pg = ranking_rows(request, ranking, year, q, sort, order, page, page_size, list_id)
        return ok(records(pg.rows), ranking=ranked.ranking.id, list=list_id or None, year=ranked.year, page=pg.page,
                  page_size=pg.page_size, total=pg.total, pages=pg.pages,
                  columns=book(request).columns(ranked, list_id or None))

    return await cached_json(request, build)


@router.get("/units/{code}", summary="A unit's profile: ranks, named lists, pillars, indicators with provenance, history")
async def unit(request: Request, code: str, year: int | None = None) -> Response:
    return await cached_json(request, lambda: ok(book(request).profile(code, year, lang_of(request))))


@router.get("/units/{code}/analysis", summary="The report's county profile: strengths, weaknesses, obstacles, change, peers, next-tier target")
async def unit_analysis(request: Request, code: str, year: int | None = None, target: bool = False) -> Response:
    return await cached_json(request, lambda: ok(book(request).analysis(code, year, target=target)))


@router.get("/units/{code}/history/{indicator}", summary="Every version of one cell, with its batch")
def cell_history(request: Request, code: str, indicator: str) -> dict[str, Any]:
    return ok(records(book(request).cell_history(code, indicator)))


@router.get("/compare", summary="2–5 units side by side (units=a,b,c)")
async def compare(request: Request, units: str, year: int | None = None) -> Response:
    def build() -> dict[str, Any]:
        data = book(request).compare(units.split(","), year, lang_of(request))
        data["chart"] = charts.compare_spec(data, lang_of(request))
        return ok(data)

    return await cached_json(request, build)


@router.get("/map/{ranking}", summary="Choropleth: each unit's polygon key and value (score or a pillar), and the Vega-Lite spec")
async def map_data(request: Request, ranking: str, year: int | None = None, measure: str = "score") -> Response:
    b, lang = book(request), lang_of(request)

    def build() -> dict[str, Any]:
        ranked, units = b.map_units(ranking, year, measure)
        label = b.node_name(measure, lang) if measure != "score" else ("综合得分" if lang == "zh" else "Score")
        return ok({"ranking": ranked.ranking.id, "year": ranked.year, "measure": measure,
                   "geometry": charts.GEOMETRY_URL, "units": records(units[["code", "name", "province", "rank",
                                                                           "value", "geo"]]),
                   "spec": charts.map_spec(units, label, lang)})

    return await cached_json(request, build)


@functools.lru_cache(maxsize=1)
def _geometry() -> tuple[bytes, bytes, str]:
    """The bundled geometry file as is and gzip-compressed (once per process), and its ETag (the file's SHA-256)."""
    from importlib.resources import files

    from baiqiang.report.geometry import geometry_meta

    raw = files("baiqiang.report").joinpath("resources", "counties.geojson").read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0), f'"{geometry_meta()["sha256"][:32]}"'


@router.get("/geometry", summary="County and province polygons (GeoJSON, GCJ-02, simplified; see counties.meta.json)")
def geometry(request: Request) -> Response:
    raw, packed, etag = _geometry()
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(packed, media_type="application/geo+json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(raw, media_type="application/geo+json", headers=headers)


@router.get("/methodology/{ranking}", summary="Indicator tree with weights; rank intervals if analysed")
async def methodology(request: Request, ranking: str, year: int | None = None) -> Response:
    return await cached_json(request, lambda: ok(book(request).methodology(ranking, year, lang_of(request))))


@router.get("/batches", summary="Import batches, newest first, with undo state")
def list_batches(request: Request) -> dict[str, Any]:
    with request.app.state.db.read() as store:
        return ok(records(writes.batches(store)))


@public.get("/session", summary="Who is signed in, and the CSRF token for writes")
def session(request: Request) -> dict[str, Any]:
    user = current_user(request)
    return ok({"user": user.name if user else None, "role": user.role if user else None,
               "csrf_token": auth.csrf_token(request.session)})


# -- imports ------------------------------------------------------------------------
async def receive_table(request: Request, file: UploadFile) -> uploads.Upload:
    limit = request.app.state.settings.max_upload_bytes
    data = await uploads.read_limited(file, limit)
    kind = uploads.sniff(data, file.filename or "", uploads.TABLE_TYPES)
    return uploads.save(data, file.filename or "", kind)


async def dry_run(request: Request, user_name: str, file: UploadFile, year: int | None) -> tuple[PendingImport, Any]:
    """Receive an upload, dry-run it on the writer and keep it pending for confirmation."""
    state = request.app.state
    upload = await receive_table(request, file)
    try:
        outcome = await state.db.write(lambda s: writes.dry_run_import(s, upload, year=year), mutates=False)
    except Exception:
        uploads.discard(upload)
        raise
    now = time.monotonic()
    for token, p in list(state.pending.items()):
        if now - p.created > PENDING_SECONDS:
            uploads.discard(state.pending.pop(token).upload)
    pending = PendingImport(uuid.uuid4().hex, user_name, upload, year, now)
    state.pending[pending.token] = pending
    return pending, outcome


def start_confirm(request: Request, token: str, user_name: str) -> Any:
    """Start the confirmed import of a pending upload as a background job."""
    state = request.app.state
    pending = state.pending.get(token)
    if pending is None or pending.user != user_name:
        raise DataError.single(f"import {token[:8]}", "没有待确认的导入（已确认、已过期或属于其他用户）", "not_found")
    del state.pending[token]

    def body(store: Any, progress: Any) -> dict[str, Any]:
        try:
            return writes.confirm_import(store, pending.upload, year=pending.year, progress=progress).as_dict()
        finally:
            uploads.discard(pending.upload)

    return state.db.start_job("import", user_name, body)


def job_dict(job: Any) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress, "stage": job.stage,
            "result": job.result, "error": str(job.error) if job.error else None}


@router.post("/imports", summary="Upload CSV/XLSX: dry-run report and a token to confirm")
async def create_import(request: Request, file: UploadFile = File(...), year: int | None = Form(None), user: User = Depends(editor_write)) -> dict[str, Any]:
    pending, outcome = await dry_run(request, user.name, file, year)
    return ok({"token": pending.token, "report": outcome.as_dict()})


@router.post("/imports/{token}/confirm", summary="Confirm a dry-run import (runs as a job)")
async def confirm(request: Request, token: str, user: User = Depends(editor_write)) -> JSONResponse:
    job = start_confirm(request, token, user.name)
    return JSONResponse(ok(job_dict(job)), status_code=202)


@router.get("/jobs/{job_id}", summary="Progress and result of a background write")
def job(request: Request, job_id: str) -> dict[str, Any]:
    require(request, "viewer")
    j = request.app.state.db.jobs.get(job_id)
    if j is None:
        raise DataError.single(f"job {job_id}", "不存在", "not_found")
    return ok(job_dict(j))


@router.post("/batches/{batch_id}/undo", summary="Undo an import batch")
async def undo(request: Request, batch_id: int, user: User = Depends(editor_write)) -> dict[str, Any]:
    n = await request.app.state.db.write(lambda s: writes.undo_batch(s, batch_id, username=user.name))
    return ok({"batch_id": batch_id, "cells": n})


# -- review -------------------------------------------------------------------------
def review_of(store: Any) -> Any:
    from baiqiang.extract.review import Review

    return Review(store)


@router.get("/review/candidates", summary="Candidate facts (status, document filters)")
def candidates(request: Request, status: str | None = None, document: str | None = None) -> dict[str, Any]:
    require(request, "viewer")
    with request.app.state.db.read() as store:
        return ok(records(review_of(store).list(status=status, document=document)))


@router.get("/review/candidates/{cid}/history", summary="Every change of one candidate")
def candidate_history(request: Request, cid: int) -> dict[str, Any]:
    require(request, "viewer")
    with request.app.state.db.read() as store:
        return ok(records(review_of(store).history(cid)))


@router.post("/review/documents", summary="Extract facts from text and load them as candidates")
async def add_document(request: Request, text: str = Form(...), place: str = Form(""),
                       name: str = Form(""), user: User = Depends(editor_write)) -> dict[str, Any]:
    label = uploads.display_name(name) if name else "粘贴文本"
    sha, added, skipped = await request.app.state.db.write(
        lambda s: writes.load_document(s, text, name=label, place=place, username=user.name))
    return ok({"sha256": sha, "document": label, "added": added, "skipped": skipped})


@router.post("/review/candidates/{cid}/{action}", summary="accept / reject / edit a candidate")
async def review_action(request: Request, cid: int, action: str, user: User = Depends(editor_write)) -> dict[str, Any]:
    body = await request.json() if request.headers.get("content-type", "").startswith("application/json") else {}
    batch = await request.app.state.db.write(lambda s: apply_review(s, cid, action, user.name, body))
    return ok({"id": cid, "action": action, "batch_id": batch})


def apply_review(store: Any, cid: int, action: str, reviewer: str, fields: dict[str, Any]) -> int | None:
    rv = review_of(store)
    if action == "accept":
        return rv.accept(cid, reviewer=reviewer)
    if action == "reject":
        rv.reject(cid, reviewer=reviewer, reason=str(fields.get("reason", "")))
        return None
    if action == "edit":
        changes = {k: v for k, v in fields.items() if v not in ("", None)}
        if "value" in changes:
            try:
                changes["value"] = float(changes["value"])
            except (TypeError, ValueError):
                raise DataError.single(f"候选事实 {cid}.value", f"不是数字：{changes['value']!r}", "bad_value") from None
        if not changes:
            raise DataError.single(f"候选事实 {cid}", "没有给出要修改的字段", "no_change")
        return rv.edit(cid, reviewer=reviewer, **changes)
    raise DataError.single("action", f"未知操作 {action!r}；可选：accept、reject、edit", "not_found")
