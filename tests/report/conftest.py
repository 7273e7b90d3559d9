"""Fixtures: the census demo's 2020 county build (2010 as previous), its white paper and the 永康市 profile, made once."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from baiqiang.report.content import ReportContent, build_report
from baiqiang.report.demo import PROFILE_UNIT, run_demo
from baiqiang.report.profile import build_profile
from baiqiang.report.render import write_profile, write_report


@dataclass
class Published:
    results: object
    previous: object
    lists: tuple
    content: ReportContent
    profile: dict
    out: Path


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Published:
    tmp = tmp_path_factory.mktemp("publication")
    demo = run_demo(tmp / "census.duckdb")
    res, prev = demo.results[("county", 2020)], demo.results[("county", 2010)]
    lists = demo.outcomes[("county", 2020)].lists["top100"], demo.outcomes[("county", 2010)].lists["top100"]
    content = build_report(res, prev, year="2020", previous_year="2010", ranked_list=lists[0], previous_list=lists[1])
    out = tmp / "out"
    write_report(content, out)
    profile = build_profile(content, res, PROFILE_UNIT, prev)
    write_profile(content, profile, out)
    return Published(res, prev, lists, content, profile, out)


class TextNodes(HTMLParser):
    """Collects, per element with a class in ``wanted``, its text with the numbers marked ``span.num`` set apart."""

    def __init__(self, wanted: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.blocks: list[dict] = []
        self.depth = 0
        self.in_num: dict | None = None
        self.table_rows: dict[str, list[list[str]]] = {}
        self.table: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if self.depth:
            self.depth += 1
        elif tag == "p" and classes & self.wanted:
            self.depth = 1
            self.blocks.append({"id": a.get("id"), "text": [], "nums": []})
        if self.depth and tag == "span" and "num" in classes:
            self.in_num = {"key": a["data-key"], "sign": a.get("data-sign"), "text": ""}
        if tag == "table" and a.get("id"):
            self.table = a["id"]
            self.table_rows[self.table] = []
        if self.table and tag == "tr":
            self.row = []
        if self.row is not None and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if self.depth:
            if tag == "span" and self.in_num is not None:
                self.blocks[-1]["nums"].append(self.in_num)
                self.in_num = None
            self.depth -= 1
        if tag == "td" and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        if tag == "tr" and self.row is not None:
            if self.row:
                self.table_rows[self.table].append(self.row)
            self.row = None
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.depth:
            if self.in_num is not None:
                self.in_num["text"] += data
            else:
                self.blocks[-1]["text"].append(data)
        if self.cell is not None:
            self.cell.append(data)


def parse(path: Path) -> TextNodes:
    p = TextNodes({"text"})
    p.feed(path.read_text(encoding="utf-8"))
    return p
