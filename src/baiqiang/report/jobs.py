"""The job loop of the publishing children (:mod:`baiqiang.report.pdf_worker`, :mod:`baiqiang.report.vl_png`).

Protocol: one JSON object per line on stdin; one reply per job on stdout, ``{"ok": true}``
or ``{"ok": false, "error": TRACEBACK}``, in the order the jobs came; the child exits at
the end of its input.  Imports only the standard library, so a child starts fast.
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any, Callable


def serve(do: Callable[[dict[str, Any]], None]) -> None:
    """Run ``do`` on every job read from stdin and reply to each; a failing job is reported, not fatal."""
    for line in sys.stdin:
        job = json.loads(line)
        try:
            do(job)
            reply = {"ok": True}
        except Exception:  # reported to the parent, which raises it
            reply = {"ok": False, "error": traceback.format_exc()[-4000:]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
