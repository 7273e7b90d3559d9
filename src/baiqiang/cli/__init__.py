"""Command-line interface: thin Typer wrappers over the library.

:func:`run` is the ``baiqiang`` script.  It imports the commands inside a
guard, so that Ctrl-C while Python is still starting prints one line, not a
traceback.
"""

from __future__ import annotations


def run() -> None:
    """Entry point of the ``baiqiang`` script."""
    import sys

    try:
        from baiqiang.cli.main import app
    except KeyboardInterrupt:
        sys.stderr.write("已中断 (interrupted)\n")
        sys.exit(130)
    app()
