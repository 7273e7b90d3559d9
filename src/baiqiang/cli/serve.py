"""``baiqiang serve`` (the web app) and ``baiqiang users`` (its accounts)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.table import Table

from baiqiang.cli.common import console, user_errors
from baiqiang.cli.main import app
from baiqiang.errors import DataError

users_app = typer.Typer(help="网页版账户：添加、改密码、列出 (web accounts).", no_args_is_help=True)
app.add_typer(users_app, name="users")
DB = typer.Option(..., "--db", help="DuckDB 数据库文件（账户保存在其中）")
SECRET_ENV = "BAIQIANG_SECRET_KEY"


@app.command()
def serve(
    db: Path = typer.Option(..., "--db", help="DuckDB 数据库文件（如 baiqiang-demo/census.duckdb）"),
    host: str = typer.Option("127.0.0.1", help="监听地址（对外服务请放在反向代理之后）"),
    port: int = typer.Option(8000, help="端口"),
    framework: Path = typer.Option(None, "--framework", help="框架文件，两个排名共用（默认：演示的县域与市辖区两个框架，各带 top100 榜单）"),
    uncertainty: Path = typer.Option(None, "--uncertainty", help="baiqiang uncertainty 的输出目录（显示排名区间）"),
    private: bool = typer.Option(False, "--private", help="浏览也需要登录（默认公开只读）"),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="会话 Cookie 只经 HTTPS 发送（HTTPS 反向代理之后请打开）"),
    max_upload_mb: int = typer.Option(10, "--max-upload-mb", help="上传文件大小上限（MB）"),
) -> None:
    """启动网页版：浏览排名、地图、县域档案、比较、方法；登录后导入数据、审核事实。"""
    import uvicorn

    from baiqiang.web import WebSettings, create_app

    with user_errors():
        if not db.exists():
            raise DataError.single(str(db), "数据库文件不存在（先运行 baiqiang demo 或 baiqiang import）", "file_missing")
        if max_upload_mb < 1:
            raise DataError.single("--max-upload-mb", "至少 1 MB", "bad_option")
        settings = WebSettings(db=db, framework=framework, uncertainty=uncertainty, public_read=not private,
                               secure_cookies=secure_cookies, warm=True, max_upload_bytes=max_upload_mb * 1024 * 1024,
                               **({"secret_key": os.environ[SECRET_ENV]} if os.environ.get(SECRET_ENV) else {}))
        web = create_app(settings)
    if not os.environ.get(SECRET_ENV):
        console.print(f"提示：未设置 {SECRET_ENV}，重启后需重新登录", highlight=False)
    console.print(f"百强网页版：http://{host}:{port}/  （数据库 {db}；Ctrl+C 停止）", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="warning", timeout_keep_alive=30)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt=True)


def _store(db: Path):  # type: ignore[no-untyped-def]
    from baiqiang.data.store import Store

    if not db.exists():
        raise DataError.single(str(db), "数据库文件不存在", "file_missing")
    return Store(db)


@users_app.command("add")
def users_add(username: str = typer.Argument(..., help="用户名"), db: Path = DB,
              role: str = typer.Option("editor", "--role", help="角色：viewer、editor 或 admin"),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码")) -> None:
    """添加网页版用户（密码以 Argon2id 散列保存）。"""
    from baiqiang.web import auth

    with user_errors():
        with _store(db) as store:
            auth.add_user(store.con, username, _password(password_stdin), role)
    console.print(f"已添加用户 {username}（{role}）", highlight=False)


@users_app.command("passwd")
def users_passwd(username: str = typer.Argument(..., help="用户名"), db: Path = DB,
                 role: str = typer.Option(None, "--role", help="同时修改角色"),
                 password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码")) -> None:
    """修改用户密码（可同时改角色）。"""
    from baiqiang.web import auth

    with user_errors():
        with _store(db) as store:
            auth.set_password(store.con, username, _password(password_stdin), role)
    console.print(f"已更新用户 {username}", highlight=False)


@users_app.command("list")
def users_list(db: Path = DB) -> None:
    """列出用户与角色。"""
    from baiqiang.web import auth

    with user_errors():
        with _store(db) as store:
            df = auth.list_users(store.con)
    view = Table(title="网页版用户")
    for col in ("用户名", "角色", "创建时间", "更新时间"):
        view.add_column(col)
    for r in df.itertuples(index=False):
        view.add_row(r.username, r.role, str(r.created_at), str(r.updated_at))
    console.print(view)
