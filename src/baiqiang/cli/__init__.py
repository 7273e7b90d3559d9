"""Command-line interface: thin Typer wrappers over the library.

:func:`run` is the ``baiqiang`` script.  It sets up the process (see
:func:`configure_process`) and imports the commands inside a guard, so that
Ctrl-C while Python is still starting prints one line, not a traceback.
"""

from __future__ import annotations

import os
import sys

#: glibc ``mallopt`` parameters (malloc.h) and the value docs/performance.md chose for both.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MALLOC_THRESHOLD = 1 << 30
#: glibc's own variables for the same settings: a user who sets one keeps it.
MALLOC_VARIABLES = {M_MMAP_THRESHOLD: "MALLOC_MMAP_THRESHOLD_", M_TRIM_THRESHOLD: "MALLOC_TRIM_THRESHOLD_"}


def configure_process(environ: dict[str, str] | None = None) -> list[str]:
    """Process settings measured best for Baiqiang's workloads (docs/performance.md, "Process environment").

    * ``OPENBLAS_NUM_THREADS=1`` unless the variable is already set: must happen
      before NumPy is first imported, since OpenBLAS reads it when it loads.
    * On glibc, ``mallopt(M_MMAP_THRESHOLD, 1 GiB)`` and ``mallopt(M_TRIM_THRESHOLD, 1 GiB)``
      (freed arrays stay in the heap instead of being unmapped and faulted in again),
      each unless its glibc variable (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``) is set.
      Anywhere else (musl, macOS, Windows) nothing is done and nothing fails.

    Returns what was applied (for tests).
    """
    env = os.environ if environ is None else environ
    applied = []
    if "OPENBLAS_NUM_THREADS" not in env:
        env["OPENBLAS_NUM_THREADS"] = "1"
        applied.append("OPENBLAS_NUM_THREADS=1")
    mallopt = _glibc_mallopt()
    if mallopt is not None:
        for param, variable in MALLOC_VARIABLES.items():
            if variable not in env and mallopt(param, MALLOC_THRESHOLD) == 1:
                applied.append(f"mallopt({variable.removeprefix('MALLOC_').rstrip('_')})")
    return applied


def _glibc_mallopt():  # type: ignore[no-untyped-def]
    """glibc's ``mallopt``, or ``None`` where the C library is not glibc or cannot be loaded."""
    try:
        # glibc answers this itself (platform.libc_ver() would scan the interpreter's binary instead).
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        import ctypes

        fn = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, ValueError):
        return None
    fn.argtypes, fn.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return fn


def run() -> None:
    """Entry point of the ``baiqiang`` script."""
    try:
        configure_process()
        from baiqiang.cli.main import app
    except KeyboardInterrupt:
        sys.stderr.write("已中断 (interrupted)\n")
        sys.exit(130)
    try:
        app()
    finally:
        _skip_final_collection()


def _skip_final_collection() -> None:
    """Spare the interpreter's last garbage collection, which the process's end makes pointless.

    At exit Python collects every tracked object once more, only to free memory the operating
    system takes back anyway: 0.21 s after ``baiqiang demo --no-report`` (millions of objects), 0.04 s
    with them frozen (``gc.freeze``; 2026-12-04).  Everything a command writes is closed before it
    returns, and the publishing workers are closed by ``atexit``, which runs before that collection.
    A program that calls :func:`run` and goes on afterwards can undo it with ``gc.unfreeze()``.
    """
    import gc

    gc.freeze()
