"""Request plumbing shared by the pages and the API: language, current user, role and CSRF checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from baiqiang.web import auth

LANGS = ("zh", "en")


@dataclass(frozen=True)
class User:
    name: str
    role: str


def lang_of(request: Request) -> str:
    """``?lang=`` first, then the session's choice, then Chinese."""
    lang = request.query_params.get("lang") or request.session.get("lang") or "zh"
    return lang if lang in LANGS else "zh"


def current_user(request: Request) -> User | None:
    name, role = request.session.get("user"), request.session.get("role")
    return User(name, role) if name and role in auth.ROLES else None


def state(request: Request) -> Any:
    return request.app.state


async def can_read(request: Request) -> None:
    """Reading is public unless the server says otherwise; then any signed-in role may read."""
    if state(request).settings.public_read:
        return
    if current_user(request) is None:
        raise HTTPException(401, "请先登录 (sign in to read)")


def require(request: Request, role: str) -> User:
    """The signed-in user if their role is at least ``role`` (401 not signed in, 403 too low)."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "请先登录 (sign in first)")
    if not auth.role_at_least(user.role, role):
        raise HTTPException(403, f"需要 {role} 及以上角色 (needs role {role})")
    return user


async def check_csrf(request: Request) -> None:
    """Every write carries the session's CSRF token: header ``X-CSRF-Token`` or form field ``csrf_token``."""
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not auth.csrf_ok(request.session, sent):
        raise HTTPException(403, "CSRF 令牌缺失或无效，请刷新页面后重试 (missing or invalid CSRF token)")


async def writer(request: Request, role: str = "editor") -> User:
    """A write: signed in with ``role``, and the CSRF token matches."""
    user = require(request, role)
    await check_csrf(request)
    return user


async def editor_write(request: Request) -> User:
    """Dependency form of :func:`writer` for editors: runs before the body is validated."""
    return await writer(request, "editor")
