"""Fixtures for the web tests: a small real store, the app, a live server on loopback."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from baiqiang.data.registry import Registry
from baiqiang.data.store import Store

HERE = Path(__file__).resolve().parent
FRAMEWORK = HERE / "data" / "tiny_economy.yaml"
ARTIFACTS = HERE / "artifacts"
PASSWORD = "correct-horse-9"
# 2023: (gdp 亿元, general_budget_revenue 亿元, disposable_income 元).  Hand-computed
# index values are in test_model.py.
UNITS_2023 = {
    "320583": (5000, 450, 80000),  # 昆山市
    "330782": (1900, 130, 90000),  # 义乌市
    "330784": (800, 60, 70000),    # 永康市
    "330783": (700, 55, 72000),    # 东阳市
    "330781": (500, 30, 55000),    # 兰溪市
    "330723": (300, 25, 50000),    # 武义县
    "330726": (280, 20, 48000),    # 浦江县
    "330727": (100, 10, 40000),    # 磐安县
    "330702": (900, 70, 65000),    # 婺城区 (district)
    "330703": (400, 35, 60000),    # 金东区 (district)
}
INDICATORS = ("gdp", "general_budget_revenue", "disposable_income")
USERS = {"editor1": "editor", "editor2": "editor", "viewer1": "viewer", "admin1": "admin"}


def observations() -> pd.DataFrame:
    rows = []
    for code, values in UNITS_2023.items():
        for ind, v in zip(INDICATORS, values, strict=True):
            rows.append({"unit_code": code, "indicator": ind, "year": 2023, "value": float(v),
                         "provenance": f"测试数据 {code} {ind}"})
            # 2022: everything 10 % lower, so ranks equal 2023's
            rows.append({"unit_code": code, "indicator": ind, "year": 2022, "value": round(v * 0.9, 6),
                         "provenance": f"测试数据 {code} {ind}"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def base_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web") / "base.duckdb"
    with Store(path) as store:
        store.load_registry(Registry.load().units)
        store.ensure_catalog()
        store.add_observations(observations(), source="测试年鉴")
    for name, role in USERS.items():
        add_user(path, name, role)
    return path


@pytest.fixture()
def store_path(base_store, tmp_path) -> Path:
    """A fresh copy of the base store for each test that writes."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(base_store, path)
    return path


def add_user(path: Path, name: str, role: str) -> None:
    from baiqiang.web import auth

    with Store(path) as store:
        auth.add_user(store.con, name, PASSWORD, role)


@pytest.fixture()
def make_app(store_path):
    from baiqiang.web import WebSettings, create_app

    apps = []

    def make(**overrides):
        settings = WebSettings(db=store_path, framework=FRAMEWORK, secret_key="test-secret", **overrides)
        app = create_app(settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.db.close()


@pytest.fixture()
def client(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app(), base_url="http://127.0.0.1") as c:
        yield c


def sign_in(client, name: str = "editor1", password: str = PASSWORD):
    token = client.get("/api/v1/session").json()["data"]["csrf_token"]
    r = client.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": "/rankings"},
                    follow_redirects=False)
    return r, client.get("/api/v1/session").json()["data"]["csrf_token"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving the app on a loopback port in a thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", timeout_keep_alive=60))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture()
def live(make_app):
    with LiveServer(make_app()) as server:
        yield server


def yearbook_xlsx(path: Path, rows: list[tuple[str, float, float]]) -> Path:
    """A yearbook-style sheet: a title row, a header with units (revenue in 万元), a subtotal row."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2023年金华市各县（市、区）主要经济指标"])
    ws.append(["地区", "地区生产总值（亿元）", "一般公共预算收入（万元）"])
    ws.append(["金华市", 6000, 5000000])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path
