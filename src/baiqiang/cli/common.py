"""Shared CLI plumbing: console, error mapping, atomic output directories."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import typer
from rich.console import Console

from baiqiang.errors import BaiqiangError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain errors into a red message on stderr and exit code 1."""
    try:
        yield
    except BaiqiangError as exc:
        err_console.print(f"[bold red]错误 / error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(1) from None


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary directory that replaces files in ``target`` only on success.

    Files are written into a sibling temporary directory; when the block ends
    without an exception each file is moved into ``target`` with ``os.replace``
    (atomic per file on one file system).  On failure nothing in ``target`` changes.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        target.mkdir(parents=True, exist_ok=True)
        for item in tmp.rglob("*"):
            if item.is_file():
                dest = target / item.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
