"""Assemble the web app: settings, store, middleware, error handling, pages and API."""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baiqiang.errors import BaiqiangError
from baiqiang.web import auth, writes
from baiqiang.web.auth import LoginLimiter
from baiqiang.web.cache import ResponseCache
from baiqiang.web.database import Database
from baiqiang.web.model import Book
from baiqiang.web.settings import WebSettings
from baiqiang.web.uploads import TooLarge

HERE = Path(__file__).resolve().parent
log = logging.getLogger("baiqiang.web")
STATUS_OF_CODE = {"not_found": 404, "too_large": 413, "ambiguous": 409, "user_exists": 409}
MULTIPART_OVERHEAD = 64 * 1024
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


def error_body(status: int, message: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"ok": False, "error": message, "errors": errors or [{"where": "", "message": message, "code": str(status)}],
            "status": status}


class BodyLimit:
    """Refuse request bodies over the limit with 413 before they are read into memory or spooled."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._reject(scope, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise TooLarge.single("upload", f"请求体超过上限 {self.limit // (1024 * 1024)} MB", "too_large")
            return message

        await self.app(scope, limited, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        body = error_body(413, f"请求体超过上限 {self.limit // (1024 * 1024)} MB（文件过大）",
                          [{"where": "upload", "message": "文件过大", "code": "too_large"}])
        await JSONResponse(body, status_code=413)(scope, _empty_receive, send)


class SecurityHeaders:
    """CSP (no inline scripts, nothing from other origins), no MIME sniffing, no framing (pure ASGI: cheap)."""

    HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def create_app(settings: WebSettings) -> FastAPI:
    """The app for one store; ``baiqiang serve`` runs it with uvicorn."""
    from baiqiang.web import api, pages

    db = Database(settings.db)
    auth.ensure_schema(db._writer.con)
    writes.ensure_schema(db._writer.con)
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.warm:
            threading.Thread(target=app.state.book.warm, name="baiqiang-warm", daemon=True).start()
        yield
        db.close()

    app = FastAPI(title="百强 Baiqiang", version="1", docs_url="/api/v1/docs", redoc_url=None,
                  openapi_url="/api/v1/openapi.json", lifespan=lifespan)
    app.state.settings = settings
    app.state.db = db
    app.state.book = Book(db, settings.framework, settings.uncertainty)
    app.state.cache = ResponseCache()
    if settings.warm:  # rebuild the rankings in the background after each write, not on the next reader's time
        db.on_write(lambda _: threading.Thread(target=app.state.book.warm, name="baiqiang-warm", daemon=True).start())
    app.state.limiter = LoginLimiter(settings.login_attempts, settings.login_window_seconds)
    app.state.pending = {}
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="baiqiang_session",
                       max_age=8 * 3600, same_site="lax", https_only=settings.secure_cookies)

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + MULTIPART_OVERHEAD)

    def respond(request: Request, status: int, message: str, errors: list[dict[str, str]] | None = None,
                headers: dict[str, str] | None = None) -> Response:
        if _wants_json(request):
            return JSONResponse(error_body(status, message, errors), status_code=status, headers=headers)
        return pages.error_page(request, status, message, errors or [], headers)

    @app.exception_handler(BaiqiangError)
    async def domain_error(request: Request, exc: BaiqiangError) -> Response:
        codes = {p.code for p in exc.problems}
        status = 413 if isinstance(exc, TooLarge) else next((STATUS_OF_CODE[c] for c in codes if c in STATUS_OF_CODE), 400)
        errors = [{"where": p.where, "message": p.message, "code": p.code} for p in exc.problems]
        return respond(request, status, exc.summary or str(exc), errors)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc.__cause__, BaiqiangError):  # FastAPI wraps errors raised while parsing the body
            return await domain_error(request, exc.__cause__)
        if exc.status_code == 401 and not _wants_json(request):
            return pages.login_redirect(request)
        return respond(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(404)
    async def missing(request: Request, exc: Exception) -> Response:
        return respond(request, 404, "页面或资源不存在 (not found)")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"where": ".".join(str(x) for x in e.get("loc", ())), "message": e.get("msg", ""),
                   "code": e.get("type", "invalid")} for e in exc.errors()]
        return respond(request, 422, "请求参数有误 (invalid request)", errors)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return respond(request, 500, "服务器内部错误 (internal error)")

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.public)
    app.include_router(api.router)
    app.include_router(pages.router)

    return app

