"""One serialised DuckDB writer, concurrent readers, background jobs with progress.

DuckDB allows one writing process; inside it, connections to the same file
share one database instance, and each cursor reads a consistent snapshot
(MVCC) while a write transaction is open elsewhere.  So every write goes
through one thread (``write``), reads take their own cursor (``read``), and a
long import runs as a job on the writer thread while pages keep reading the
last committed state.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from baiqiang.data.store import Store
from baiqiang.errors import BaiqiangError, DataError

T = TypeVar("T")
Progress = Callable[[float, str], None]


@dataclass
class Job:
    """A write running in the background; ``progress`` is 0..1 with a stage label."""

    id: str
    kind: str
    user: str
    progress: float = 0.0
    stage: str = ""
    status: str = "running"  # running | done | failed
    result: Any = None
    error: BaiqiangError | None = None
    done: threading.Event = field(default_factory=threading.Event)


def _bound_store(con: Any, path: str) -> Store:
    """A :class:`Store` on an existing connection (a cursor of the shared instance).

    ``Store(path)`` would open a new connection and run its schema DDL, which
    must not happen on every read while the writer holds a transaction.
    """
    store = Store.__new__(Store)
    store.path = path
    store.con = con
    store._tx_depth = 0
    return store


class Database:
    """The server's access to one store file."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if path.exists() and path.is_dir():
            raise DataError.single(str(path), "是目录，不是 DuckDB 数据库文件", "not_a_store")
        self.path = str(path)
        self._writer = Store(path)  # creates the file and schema on first use
        self._writer.ensure_registry()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="baiqiang-writer")
        self._cursor_lock = threading.Lock()
        self._version = 0
        self._listeners: list[Callable[[int], None]] = []
        self.jobs: dict[str, Job] = {}
        self._closed = False

    @property
    def version(self) -> int:
        """Incremented after every committed write: caches keyed by it stay correct."""
        return self._version

    def on_write(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(new_version)`` on the writer thread after each write (e.g. to rebuild rankings)."""
        self._listeners.append(listener)

    def close(self) -> None:
        """Finish queued writes and close the store (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        self._writer.close()

    # -- reading ------------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[Store]:
        """A store on a fresh cursor: reads see the last committed state."""
        with self._cursor_lock:
            cur = self._writer.con.cursor()
        try:
            yield _bound_store(cur, self.path)
        finally:
            cur.close()

    # -- writing ------------------------------------------------------------------
    def _write_sync(self, fn: Callable[[Store], T], mutates: bool = True) -> T:
        try:
            return fn(self._writer)
        finally:
            # Bumped after the commit (or a failure, which may have written part of a non-transactional
            # step): a reader that sees the new version also sees the new data.
            if mutates:
                self._version += 1
                for listener in self._listeners:
                    listener(self._version)

    async def write(self, fn: Callable[[Store], T], *, mutates: bool = True) -> T:
        """Run ``fn(store)`` on the writer thread, after every write queued before it.

        ``mutates=False`` for work that leaves the store as it was (a dry run
        rolled back): the version, and so every cache, stays.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._write_sync, fn, mutates)

    def write_blocking(self, fn: Callable[[Store], T]) -> T:
        """:meth:`write` for synchronous callers (CLI, tests)."""
        return self._executor.submit(self._write_sync, fn).result()

    def start_job(self, kind: str, user: str, fn: Callable[[Store, Progress], Any]) -> Job:
        """Queue ``fn(store, progress)`` on the writer thread and return at once."""
        job = Job(uuid.uuid4().hex, kind, user)
        self.jobs[job.id] = job

        def progress(fraction: float, stage: str) -> None:
            job.progress, job.stage = max(0.0, min(1.0, fraction)), stage

        def body(store: Store) -> None:
            try:
                job.result = fn(store, progress)
                job.status, job.progress = "done", 1.0
            except BaiqiangError as exc:
                job.status, job.error = "failed", exc
            except Exception as exc:  # a bug must still end the job visibly, not hang the page
                job.status, job.error = "failed", BaiqiangError.single(kind, f"内部错误：{exc}", "internal")
            finally:
                job.done.set()

        self._executor.submit(self._write_sync, body)
        return job
