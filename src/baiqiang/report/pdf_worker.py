"""Write PDFs in a process of its own: ``python -m baiqiang.report.pdf_worker`` (driven by :class:`baiqiang.report.render.PdfWorker`).

WeasyPrint takes about 0.5 s to import and 2 s to lay out and write the white paper, all
of it holding the GIL.  The report therefore starts this child first: it imports WeasyPrint
while the parent works, then writes each PDF it is sent, in order, while the parent goes on.
A job may be sent before its charts exist (``wait_for``): WeasyPrint parses the HTML and
computes every element's style meanwhile (about a sixth of its work) and fetches an image
only when it builds the image's box, so the fetch of a listed file waits until the parent
has moved the drawing into place.

Protocol: one JSON object per line on stdin, ``{"html": PRINT_HTML_FILE, "base": BASE_URL,
"out": PDF_FILE, "wait_for": [FILE, ...]}`` (``wait_for`` optional); one reply per job on
stdout, ``{"ok": true}`` or ``{"ok": false, "error": TRACEBACK}``, in the order the jobs came.
The PDF goes to ``out`` (the parent moves it into place); the child exits at the end of its input.

``python -m baiqiang.report.pdf_worker FD ...``: each FD is a socket (passed by the parent);
once WeasyPrint is imported the child forks one sibling per socket, which serves the same
protocol on it (its first line ``{"pid": PID}``), so that two documents are laid out side by
side for one import.  The first child waits for its siblings before it exits.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from baiqiang.report.jobs import serve

WAIT_LIMIT = 300.0
"""Seconds a fetch waits for a listed file before the job fails (the parent normally kills the child first)."""


def running(parent: int) -> bool:
    """Whether the process ``parent`` still runs: it is this process's parent, or (in a forked sibling, whose
    parent is the first worker) a process of that id exists."""
    if os.getppid() == parent:
        return True
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def wait_until_exists(path: Path, parent: int, limit: float = WAIT_LIMIT) -> None:
    """Return once ``path`` exists; fail when the parent process ``parent`` is gone (nobody would move it in) or after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if not running(parent):
            raise RuntimeError(f"{path}: the parent process ended before the drawing was moved into place")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path}: not drawn within {limit:.0f} s")
        time.sleep(0.005)


def file_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL (resolved), else None."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    return Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None


def fork_siblings(channels: list[int]) -> list[int]:
    """Fork one sibling per socket of ``channels``; returns the siblings' ids (in the first process) or [] (in a sibling).

    A sibling serves its socket as stdin and stdout (``dup2``) and closes every other
    channel and the first process's pipes, so that the parent sees each process end
    when it does; it announces its id first (``{"pid": PID}``), for the parent to stop it.
    """
    pids = []
    for channel in channels:
        pid = os.fork()
        if pid == 0:
            for other in channels:
                if other != channel:
                    os.close(other)
            os.dup2(channel, 0)  # replaces the first process's pipes
            os.dup2(channel, 1)
            os.close(channel)
            sys.stdout.write(json.dumps({"pid": os.getpid()}) + "\n")
            sys.stdout.flush()
            return []
        pids.append(pid)
    for channel in channels:
        os.close(channel)
    return pids


def main() -> None:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    parent = os.getppid()  # before the fork: a sibling's parent is this process
    siblings = fork_siblings([int(fd) for fd in sys.argv[1:]])

    class WaitingFetcher(URLFetcher):
        """WeasyPrint's fetcher, but a file listed in the job's ``wait_for`` is fetched only once it exists.

        A failed wait stops the layout (WeasyPrint would only warn and leave the image out).
        """

        def __init__(self, wait_for: list[str]) -> None:
            super().__init__()
            self.pending = {Path(p).resolve() for p in wait_for}

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = file_path(url)
            if path in self.pending:
                try:
                    wait_until_exists(path, parent)
                except Exception as error:
                    raise FatalURLFetchingError(str(error)) from error
            return super().fetch(url, headers)

    def write(job: dict) -> None:
        with open(job["html"], encoding="utf-8") as f:
            html = HTML(string=f.read(), base_url=job["base"], url_fetcher=WaitingFetcher(job.get("wait_for", [])))
        try:
            html.write_pdf(job["out"])
        except FatalURLFetchingError as error:  # a BaseException: reported as the job's failure, not the child's end
            raise RuntimeError(f"{error}: {error.__cause__}") from error

    serve(write, children=siblings)


if __name__ == "__main__":
    main()
