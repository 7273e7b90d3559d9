"""The ``baiqiang`` command.

Each command group lives in its own module and registers itself on ``app``;
this module only assembles them.  Commands parse arguments, call one library
function and map :class:`baiqiang.errors.BaiqiangError` to exit code 1.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="baiqiang",
    help="百强：县域经济评价与排名 (Baiqiang: county economy evaluation and ranking).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules register themselves on import, in the order a user meets
# them in `baiqiang --help`: the demo, building, data, facts, analysis.
from baiqiang.cli import demo  # noqa: E402,F401,I001
from baiqiang.cli import build  # noqa: E402,F401
from baiqiang.cli import data  # noqa: E402,F401
from baiqiang.cli import extract  # noqa: E402,F401
from baiqiang.cli import analysis  # noqa: E402,F401
from baiqiang.cli import serve  # noqa: E402,F401
from baiqiang.cli import report  # noqa: E402,F401
