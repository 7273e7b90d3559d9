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
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from baiqiang.report.jobs import serve

WAIT_LIMIT = 300.0
"""Seconds a fetch waits for a listed file before the job fails (the parent normally kills the child first)."""


def wait_until_exists(path: Path, parent: int, limit: float = WAIT_LIMIT) -> None:
    """Return once ``path`` exists; fail when the parent process ``parent`` is gone (nobody would move it in) or after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if os.getppid() != parent:
            raise RuntimeError(f"{path}: the parent process ended before the drawing was moved into place")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path}: not drawn within {limit:.0f} s")
        time.sleep(0.005)


def file_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL (resolved), else None."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    return Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None


def main() -> None:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    parent = os.getppid()

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

    serve(write)


if __name__ == "__main__":
    main()
