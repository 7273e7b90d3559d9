"""Rendered responses kept in memory between writes: a bounded LRU keyed by the store version.

The store changes only through the server's one writer, which bumps
:attr:`Database.version` after each committed write.  A body rendered for
version *v* is therefore right for as long as the version is *v*; the cache
drops everything when the version moves, so a read after a write never gets
a body built before it.  The version is read before the body is built: a
body built from a snapshot older than the key's version cannot be stored
under it (the writer commits first, then bumps).

Pages embed the session's CSRF token; they are cached with
:data:`CSRF_MARK` in its place and the reader's own token is put back per
request (:func:`put_csrf`), so one cached page serves every
anonymous reader, and each signed-in user has their own (name and role show
in the page header).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

CSRF_MARK = "csrf-" + secrets.token_hex(16)
"""Stands for the reader's CSRF token in cached pages; random per process, so no URL can contain it."""


class ResponseCache:
    """Bodies (bytes) per (store version, key), least recently used dropped past the bounds."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 128 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._version: int | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def peek(self, version: int, key: Hashable) -> bytes | None:
        """The stored body, or None (no build): lets an async handler answer a hit without a worker thread."""
        with self._lock:
            body = self._items.get(key) if version == self._version else None
            if body is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return body

    def get(self, version: int, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """The body for ``key`` at ``version``, built (outside the lock) when missing."""
        with self._lock:
            if version != self._version:
                if self._version is not None and version < self._version:
                    return build()  # a request that began before a write finished: never store it
                self._items.clear()
                self._bytes, self._version = 0, version
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return body
            self.misses += 1
        body = build()
        with self._lock:
            if version == self._version and key not in self._items and len(body) <= self.max_bytes // 4:
                self._items[key] = body
                self._bytes += len(body)
                while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                    _, old = self._items.popitem(last=False)
                    self._bytes -= len(old)
        return body


def put_csrf(body: bytes, csrf: str) -> bytes:
    """A cached page with the reader's CSRF token in place of :data:`CSRF_MARK`."""
    return body.replace(CSRF_MARK.encode(), csrf.encode())


def request_key(path: str, query: Any, *parts: Hashable) -> tuple[Hashable, ...]:
    """A cache key from the path, the query parameters (order-insensitive) and what else varies the body."""
    return (path, tuple(sorted(query.multi_items())), *parts)
