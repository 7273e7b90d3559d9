"""The ``baiqiang`` command.

Each command group lives in its own module and registers itself on ``app``;
this module only assembles them and owns the outcome of every run:

* exit 0 on success, 1 for a data or input error (a located message),
  2 for a usage error (unknown option, missing argument: a Chinese message
  and the command's ``--help``), 130 when interrupted;
* no traceback reaches a user: an unexpected error prints one line and the
  hint to re-run with ``--debug``, which shows the traceback;
* ``--version``, ``--lang zh|en`` (messages of the CLI layer; default Chinese).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from baiqiang.cli import common

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130


def _usage_message(exc: Exception, lang: str) -> str:
    """A usage error in the user's language, with the way to the command's help."""
    from typer._click import exceptions as ce

    ctx = getattr(exc, "ctx", None)
    help_hint = f"{ctx.command_path} --help" if ctx is not None else "baiqiang --help"
    if lang == "en":
        return f"usage error: {exc.format_message()}\n(see {help_hint})"  # type: ignore[attr-defined]
    hint = getattr(exc, "param_hint", None) or ""
    hint = "/".join(hint) if isinstance(hint, (list, tuple)) else str(hint)
    param = getattr(exc, "param", None)
    if param is not None and not hint:
        hint = "/".join(getattr(param, "opts", []) or [param.name or ""]) or ""
        if getattr(param, "param_type_name", "") == "argument":
            hint = (param.name or "").upper()
    if isinstance(exc, ce.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += f"（是否要用：{'、'.join(sorted(exc.possibilities))}）"
    elif isinstance(exc, ce.MissingParameter):
        kind = "参数" if getattr(param, "param_type_name", "") == "argument" else "选项"
        text = f"缺少{kind} {hint}"
    elif isinstance(exc, ce.BadParameter):
        detail = exc.message
        for en, zh in (("Input should be a valid integer, unable to parse string as an integer", "应为整数"),
                       ("Input should be a valid number, unable to parse string as a number", "应为数字"),
                       ("Input should be a valid integer", "应为整数"), ("Input should be a valid number", "应为数字"),
                       ("is not a valid integer", "不是整数"), ("is not a valid float", "不是数字"),
                       ("is not one of", "不是以下之一："), ("does not exist", "不存在"),
                       ("is a directory", "是目录"), ("is not a valid boolean", "不是布尔值")):
            detail = detail.replace(en, zh)
        text = f"{hint} 的值无效：{detail}"
    elif "No such command" in exc.format_message():  # type: ignore[attr-defined]
        text = exc.format_message().replace("No such command", "没有命令").replace("Did you mean", "是否要用")  # type: ignore[attr-defined]
    elif "unexpected extra argument" in exc.format_message():  # type: ignore[attr-defined]
        text = "多余的参数：" + exc.format_message().split("(")[-1].rstrip(")")  # type: ignore[attr-defined]
    else:
        text = exc.format_message()  # type: ignore[attr-defined]
    return f"用法错误：{text}\n（用 {help_hint} 查看用法）"


#: Each command's module, in the order a user meets them in `baiqiang --help` (the demo, building, data,
#: facts, analysis, the web, reports, then the groups).  A run imports only the module of the command it
#: runs, so `baiqiang build` does not pay for parsing the parameters of thirty others; `--help` loads all.
COMMAND_MODULES = {
    "demo": "demo", "build": "build", "import": "data", "resolve": "data", "units": "data", "extract": "extract",
    "uncertainty": "analysis", "sensitivity": "analysis", "explain": "analysis", "target": "analysis",
    "change": "analysis", "serve": "serve", "report": "report", "profile": "report",
    "framework": "build", "store": "data", "review": "extract", "users": "serve", "firms": "firms",
}


def load_commands() -> None:
    """Import every command module (each registers its commands on :data:`app`)."""
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(f"baiqiang.cli.{module}")


class BaiqiangGroup(TyperGroup):
    """The command group that maps every outcome to a message and an exit code (see module docstring).

    Commands are added when first asked for (see :data:`COMMAND_MODULES`).
    """

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            if cmd_name in COMMAND_MODULES:
                importlib.import_module(f"baiqiang.cli.{COMMAND_MODULES[cmd_name]}")
            else:  # a typo: every command, for the "did you mean" suggestion
                load_commands()
            self._add_registered()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        load_commands()
        self._add_registered()
        order = list(COMMAND_MODULES)
        return sorted(super().list_commands(ctx), key=lambda n: order.index(n) if n in order else len(order))

    def _add_registered(self) -> None:
        """Turn the commands and groups registered on :data:`app` since the last call into click commands."""
        from typer.main import get_command_from_info, get_command_name, get_group_from_info

        for info in app.registered_commands:
            if (info.name or get_command_name(info.callback.__name__)) not in self.commands:  # type: ignore[union-attr]
                self.add_command(get_command_from_info(info, pretty_exceptions_short=app.pretty_exceptions_short,
                                                       rich_markup_mode=app.rich_markup_mode))
        for group in app.registered_groups:
            if group.name not in self.commands:
                self.add_command(get_group_from_info(group, pretty_exceptions_short=app.pretty_exceptions_short,
                                                     rich_markup_mode=app.rich_markup_mode,
                                                     suggest_commands=app.suggest_commands))

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        from typer._click import exceptions as ce

        from baiqiang.errors import BaiqiangError

        common.reset_settings(args)
        try:
            rv = super().main(args, prog_name or "baiqiang", complete_var, standalone_mode=False, **extra)
        except ce.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(0)
        except ce.UsageError as exc:
            common.err_console.print(_usage_message(exc, common.settings.lang), highlight=False, markup=False)
            sys.exit(USAGE_EXIT)
        except (KeyboardInterrupt, typer.Abort):
            common.err_console.print("已中断 (interrupted)", highlight=False)
            sys.exit(INTERRUPTED_EXIT)
        except BaiqiangError as exc:
            common.print_error(exc)
            sys.exit(1)
        except ce.ClickException as exc:
            common.err_console.print(exc.format_message(), highlight=False, markup=False)
            sys.exit(exc.exit_code)
        except Exception as exc:
            if common.settings.debug:
                raise
            common.print_unexpected(exc)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    name="baiqiang",
    help="百强：县域经济评价与排名 (Baiqiang: county economy evaluation and ranking).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=BaiqiangGroup,
)


def _version(value: bool) -> None:
    if value:
        from baiqiang import __version__

        typer.echo(f"baiqiang {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本并退出"),
    lang: str = typer.Option(os.environ.get("BAIQIANG_LANG", "zh"), "--lang", help="提示语言：zh（默认）或 en"),
    debug: bool = typer.Option(False, "--debug", help="出错时显示完整的 Python 调用栈（供报告问题）"),
) -> None:
    """百强：县域经济评价与排名。出错时：1 = 数据或输入错误，2 = 用法错误（见 docs/cli.md）。"""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("只能是 zh 或 en", param_hint="--lang")
    common.settings.lang = lang
    common.settings.debug = debug or common.settings.debug


