"""Accounts, roles, password hashes, login rate limiting and CSRF tokens.

Users live in the store file (table ``web_users``), so a backup of the store
keeps them.  Passwords are hashed with Argon2id (``argon2-cffi``, the
maintained binding of the reference implementation); the hash carries its
own salt and parameters.  Roles are ordered: a ``viewer`` may read when
reading is not public, an ``editor`` may also write (import, undo, review),
an ``admin`` may also manage users.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import deque
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from baiqiang.errors import DataError

ROLES = ("viewer", "editor", "admin")
MIN_PASSWORD = 8
_NAME = re.compile(r"^[\w.@-]{1,64}$")
_HASHER = PasswordHasher()
# Verifying against this for an unknown user costs as much as for a known one,
# so response time does not tell which user names exist.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_users (
    username VARCHAR PRIMARY KEY, password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL,
    created_at TIMESTAMP DEFAULT current_timestamp, updated_at TIMESTAMP DEFAULT current_timestamp);
"""


def role_at_least(role: str | None, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _check_name(username: str) -> None:
    if not _NAME.match(username or ""):
        raise DataError.single("username", "用户名须为 1–64 个字母、数字、汉字或 . _ @ -", "bad_username")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise DataError.single("password", f"密码至少 {MIN_PASSWORD} 个字符", "weak_password")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DataError.single("role", f"未知角色 {role!r}；可选：{'、'.join(ROLES)}", "bad_role")


def ensure_schema(con: Any) -> None:
    con.execute(_SCHEMA)


def add_user(con: Any, username: str, password: str, role: str) -> None:
    """Create a user (error if the name is taken)."""
    _check_name(username)
    _check_password(password)
    _check_role(role)
    ensure_schema(con)
    if con.execute("SELECT count(*) FROM web_users WHERE username = ?", [username]).fetchone()[0]:
        raise DataError.single(username, "用户已存在（改密码用 baiqiang users passwd）", "user_exists")
    con.execute("INSERT INTO web_users (username, password_hash, role) VALUES (?, ?, ?)",
                [username, _HASHER.hash(password), role])


def set_password(con: Any, username: str, password: str, role: str | None = None) -> None:
    """Change a user's password (and role, if given)."""
    _check_password(password)
    if role is not None:
        _check_role(role)
    ensure_schema(con)
    if not con.execute("SELECT count(*) FROM web_users WHERE username = ?", [username]).fetchone()[0]:
        raise DataError.single(username, "用户不存在", "no_user")
    con.execute("UPDATE web_users SET password_hash = ?, role = coalesce(?, role), updated_at = now() "
                "WHERE username = ?", [_HASHER.hash(password), role, username])


def list_users(con: Any) -> pd.DataFrame:
    ensure_schema(con)
    return con.execute("SELECT username, role, created_at, updated_at FROM web_users ORDER BY username").df()


def verify(con: Any, username: str, password: str) -> str | None:
    """The user's role if the password is right, else ``None``."""
    try:
        row = con.execute("SELECT password_hash, role FROM web_users WHERE username = ?", [username]).fetchone()
    except Exception:  # no users table yet: nobody can sign in
        row = None
    try:
        _HASHER.verify(row[0] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return row[1] if row else None


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per key (client address, user name) per ``window`` seconds."""

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> float:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = [self.window - (now - q[0]) for k in keys if len(q := self._recent(k, now)) >= self.attempts]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def csrf_ok(session: dict[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and sent and hmac.compare_digest(str(expected), str(sent)))
