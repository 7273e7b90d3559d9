"""What the server is told: the store, the framework, who may read, limits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class WebSettings:
    """Server settings (``baiqiang serve`` fills them from its options).

    ``public_read``: anonymous visitors may read pages and the API; writes
    always need a signed-in user.  ``secure_cookies``: send the session cookie
    only over HTTPS (on behind a TLS reverse proxy; off for plain loopback).
    ``secret_key`` signs session cookies; a random one means sessions end when
    the server restarts.
    """

    db: Path
    framework: Path | None = None
    uncertainty: Path | None = None
    public_read: bool = True
    secure_cookies: bool = False
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    max_upload_bytes: int = 10 * 1024 * 1024
    page_size: int = 50
    login_attempts: int = 5
    login_window_seconds: float = 300.0
    warm: bool = False  # build every ranking in a background thread at start-up (baiqiang serve turns it on)
