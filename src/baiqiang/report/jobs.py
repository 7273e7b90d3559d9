"""The job loop of the publishing children (:mod:`baiqiang.report.pdf_worker`, :mod:`baiqiang.report.vl_png`).

Protocol: one JSON object per line on stdin; one reply per job on stdout, ``{"ok": true}``
or ``{"ok": false, "error": TRACEBACK}``, in the order the jobs came; the child exits at
the end of its input.  Imports only the standard library, so a child starts fast.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any, Callable, Sequence


def serve(do: Callable[[dict[str, Any]], None], children: Sequence[int] = ()) -> None:
    """Run ``do`` on every job read from stdin and reply to each; a failing job is reported, not fatal.

    At the end of the input the process waits for ``children`` (processes it forked:
    reaped, their CPU counts as its own) and ends at once (``os._exit``), without the
    interpreter's teardown: every output was complete before its reply, and freeing
    WeasyPrint's or V8's objects one by one took 0.1–0.3 s per child that the
    parent, waiting for its children at exit, spent idle.
    """
    for line in sys.stdin:
        job = json.loads(line)
        try:
            do(job)
            reply = {"ok": True}
        except Exception:  # reported to the parent, which raises it
            reply = {"ok": False, "error": traceback.format_exc()[-4000:]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    for pid in children:
        os.waitpid(pid, 0)
    sys.stderr.flush()
    os._exit(0)
