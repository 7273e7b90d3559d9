"""Rendering: Jinja2 HTML (interactive, self-contained), WeasyPrint PDF, XLSX, chart files.

The HTML inlines the Vega/Vega-Lite/Vega-Embed bundle that ships inside
``vl-convert-python`` (no network at view time); the PDF is the same template
with the charts as SVG drawn once each by a warm vl-convert child process
(:class:`VlWorker`) and the maps as PNG drawn with Pillow in this one
(:mod:`baiqiang.report.map_png`; their SVG is too large for WeasyPrint to lay
out quickly), laid out by a WeasyPrint child process (:class:`PdfWorker`) while
this one writes the rest.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from importlib.resources import files
from itertools import chain
from pathlib import Path
from typing import IO, Any, Sequence

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

import baiqiang
from baiqiang.report.charts import (FONT, MAP_SIZE, REDS, choropleth, location_map, map_scores, map_title, profile_pillar_chart,
                                    report_charts, untruncated)
from baiqiang.report.content import REGION_ORDER, ReportContent
from baiqiang.report.geometry import geometry_json, geometry_meta


@lru_cache(maxsize=1)
def _env() -> Environment:
    """The templates' environment, made once per process: Jinja2 compiles each template on first use
    (about 0.1 s for the white paper) and keeps it, so four renders compile it once."""
    folder = str(files("baiqiang.report").joinpath("templates"))
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["j2", "html"]),
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
    return env


def _css() -> Markup:
    """The shared style sheet, inserted verbatim (it is ours, not user data)."""
    return Markup(files("baiqiang.report").joinpath("templates", "style.css").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script, cached on disk per vl-convert version (built offline)."""
    import vl_convert as vlc

    version = f"{vlc.get_vega_version()}-{vlc.get_vega_embed_version()}-{vlc.get_vegalite_versions()[-1]}"
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "baiqiang" / f"vega-bundle-{version}.js"
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    text = vlc.javascript_bundle()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only home only costs the rebuild next time
        pass
    return text


def _script_safe(text: str) -> str:
    """Text safe inside <script>: no "</script" can close the element early (``<\\/`` means the same in JS strings and regexes)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


class _Geometry:
    """Stands for a bundled geometry in :func:`specs_json` until its text is spliced in."""

    def __init__(self, text: str) -> None:
        self.text = text


def specs_json(specs: dict[str, dict[str, Any]]) -> str:
    """``json.dumps(specs, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``, safe inside <script>,
    with the bundled geometries of the specs' datasets spliced in as the file's text (:func:`geometry_json`)
    rather than serialised again: the same characters, ~0.1 s less for the national map (3.3 MB)."""
    texts = geometry_json()
    marked: list[str] = []

    def stand_in(value: Any) -> Any:
        if isinstance(value, _Geometry):
            marked.append(value.text)
            return "\x00"  # a NUL cannot occur unescaped in JSON text: the dump writes it as \u0000
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    def swap(feature: Any) -> Any:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        return {**feature, "geometry": _Geometry(texts[id(geometry)])} if id(geometry) in texts else feature

    light = {name: {**spec, "datasets": {k: [swap(f) for f in rows] if isinstance(rows, list) else rows
                                         for k, rows in spec["datasets"].items()}}
             if isinstance(spec.get("datasets"), dict) else spec for name, spec in specs.items()}
    text = _script_safe(json.dumps(light, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=stand_in))
    if not marked:
        return text
    pieces = text.split('"\\u0000"')
    if len(pieces) != len(marked) + 1:
        raise ValueError("specs_json: a spec holds the text NUL (\\x00), which stands for a spliced geometry")
    return "".join(chain.from_iterable(zip(pieces, marked))) + pieces[-1]


def chart_specs(content: ReportContent) -> dict[str, dict[str, Any]]:
    """Vega-Lite specs of every chart, plus the interactive map (measure chosen in a drop-down)."""
    specs = report_charts(content)
    if content.has_map:
        specs["map"] = choropleth(content, interactive=True)
    return specs


def pdf_maps(content: ReportContent, folder: Path, *, pillar_maps: bool = False) -> dict[Path, dict[str, float]]:
    """The PDF's maps, not drawn yet: the scores (adcode → score) each PNG shows, by file.

    ``folder/map.png`` for the index, and ``map_<dimension>.png`` per dimension with ``pillar_maps``.
    """
    measures = ["index", *(c for c, _ in content.pillars)] if pillar_maps else ["index"]
    return {folder / ("map.png" if m == "index" else f"map_{m}.png"): map_scores(content, m) for m in measures}


def write_maps(maps: dict[Path, dict[str, float]]) -> None:
    """Draw each map of :func:`pdf_maps` as PNG with Pillow, in place atomically (the PDF worker may wait for it).

    :mod:`baiqiang.report.map_png` draws the whole country in about 0.2 s in this
    process (vl-convert took 0.6 s to start and 1.5 s to draw it).  PNG because
    the maps' SVG (every county path) is too large for WeasyPrint to lay out quickly.
    """
    from baiqiang.report.map_png import write_choropleth

    for path, scores in maps.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_choropleth(scores, path, *MAP_SIZE)


def map_key(content: ReportContent, domain: tuple[float, float]) -> dict[str, str]:
    """The PDF map's title and legend (HTML/CSS, not in the image): score domain and the colour ramp."""
    return {"title": map_title(content), "legend_title": "总指数得分", "low": f"{domain[0]:.2f}", "high": f"{domain[1]:.2f}",
            "stops": ", ".join(REDS)}


def submit_charts(specs: dict[str, dict[str, Any]], folder: Path, prefix: str = "") -> dict[str, str]:
    """Have :func:`chart_worker` draw every chart of ``specs`` as ``folder/<prefix><name>.svg``; returns the PDF's image per chart.

    Returns at once; :func:`chart_worker` ``().wait()`` moves the SVGs into place.
    A previous run's SVG is removed first: the PDF worker may already wait for
    the file (``PdfWorker.submit(wait_for=...)``) and must get this run's drawing.
    SVG keeps the charts sharp in the PDF, drawn with labels never truncated
    (:func:`~baiqiang.report.charts.untruncated`: half the drawing time).  The
    interactive map (``specs["map"]``) is not drawn: :func:`write_maps` draws one PNG per measure.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shown = {}
    for name in (n for n in specs if n != "map"):
        (folder / f"{prefix}{name}.svg").unlink(missing_ok=True)
        chart_worker().submit(untruncated(specs[name]), folder / f"{prefix}{name}.svg")
        shown[name] = f"{folder.name}/{prefix}{name}.svg"
    return shown


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    if df is None or df.empty:
        return []
    return [{k: (None if v is pd.NA or (isinstance(v, float) and v != v) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


def report_context(content: ReportContent) -> dict[str, Any]:
    """Everything the report template reads (numbers only from ``content``)."""
    f = content.facts
    units = content.units
    rows = _records(content.tables["list"])
    for r in rows:
        ch = r.get("rank_change")
        r["change_text"] = "—" if ch is None else ("0" if ch == 0 else f"{ch:+d}")
        r["change_class"] = "" if not ch else ("up" if ch > 0 else "down")
        r["previous_rank"] = "—" if r.get("previous_rank") is None else r["previous_rank"]
    turnover = []
    if "turnover" in content.tables:
        t = content.tables["turnover"]
        turnover = [(size, _records(t[t["list"] == size])) for size in dict.fromkeys(t["list"])]
    rob = content.tables.get("robustness")
    m = content.method
    data = m.get("data", {})
    sources = [("框架", f"{m['framework']['name']['zh']}（{m['framework']['id']}）"),
               ("框架校验和 SHA-256", m.get("framework_sha256", "")),
               ("数据来源", data.get("source", "")), ("数据校验和 SHA-256", data.get("sha256", "")),
               ("参与排名单位数", str(data.get("units_ranked", len(units)))),
               ("地图边界", f"{geometry_meta()['source']}，简化容差{geometry_meta()['county_tolerance_degrees']}度，"
                           f"SHA-256 {geometry_meta()['sha256']}")]
    if content.previous_year and "previous" in content.method:
        pd_ = content.method["previous"]
        sources += [("对比数据来源", pd_.get("source", "")), ("对比数据校验和 SHA-256", pd_.get("sha256", ""))]
    missing = content.tables["no_polygon"]
    return {
        "title": f"{content.year}年{content.title}报告" if content.year else f"{content.title}报告",
        "framework_name": content.title, "framework_id": m["framework"]["id"],
        "framework_version": m["framework"].get("version"), "data_source": data.get("source", ""),
        "facts": f, "css": _css(), "version": baiqiang.__version__, "has_map": content.has_map,
        "type_keys": [k for k in f if k.startswith("type.")],
        "regions": [r for r in REGION_ORDER if f"region.{r}.count" in f],
        "has": {c: c in units.columns for c in ("province", "prefecture")},
        "list_rows": rows, "by_province": _records(content.tables.get("by_province")),
        "tiers": _records(content.tables["tiers"]), "pillars": content.pillars,
        "movers": _records(content.tables.get("movers")), "turnover": turnover,
        "robustness": _records(rob),
        "uncertain_names": "、".join(rob.loc[rob["uncertain"], "name"]) if rob is not None and rob["uncertain"].any() else "无",
        "indicators": _records(content.tables["indicators"]), "steps": _records(content.tables["steps"]),
        "gated": _records(content.tables.get("gated")),
        "sources": sources, "missing_names": "、".join(missing["name"]) if len(missing) else "",
    }


def render_html(template: str, context: dict[str, Any], specs: dict[str, dict[str, Any]] | None, *, pdf: bool,
                images: dict[str, str] | None = None) -> str:
    """One template, two targets: interactive HTML (``pdf=False``) or the PDF's print HTML."""
    extra = {"pdf": pdf, "images": images or {}}
    if not pdf:
        extra["vega_js"] = _script_safe(vega_bundle())
        extra["specs_json"] = specs_json(specs or {})
    if not pdf:
        extra["vega_js"], extra["specs_json"] = Markup(extra["vega_js"]), Markup(extra["specs_json"])
    return _env().get_template(template).render(**context, **extra)


class _ChildWorker:
    """A warm child process (``python -m MODULE``) doing one job per JSON line, in order, while this one works on.

    :meth:`_send` hands over one job and returns at once; :meth:`wait` blocks until
    every job is done and moves each output into place (written aside, then moved:
    a failed job leaves no partial file, and a dead child is an error naming the
    file).  One caller at a time: replies are read in the order jobs were sent.
    """

    module = ""
    what = ""  # the error's prefix, e.g. "PDF 写出失败 / PDF rendering"

    def __init__(self, args: Sequence[str] = (), pass_fds: Sequence[int] = ()) -> None:
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: warnings cannot fill it and stall the child
        self._child = subprocess.Popen([sys.executable, "-m", self.module, *args], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=self._stderr, text=True, encoding="utf-8",
                                       pass_fds=pass_fds)
        assert self._child.stdin is not None and self._child.stdout is not None
        self._jobs: IO[str] = self._child.stdin
        self._replies: IO[str] = self._child.stdout
        self._pending: list[tuple[Path, Path, Path]] = []  # (job's input file, output written aside, output)

    def alive(self) -> bool:
        return self._child.poll() is None

    def _send(self, source: Path, text: str, job: dict[str, str], path: Path) -> None:
        """Write ``text`` to ``source`` (a file: a long line would block in the pipe while the child imports), send ``job``."""
        aside = source.with_suffix(".tmp")
        source.write_text(text, encoding="utf-8")
        self._pending.append((source, aside, path))
        self._jobs.write(json.dumps({**job, "out": str(aside)}) + "\n")
        self._jobs.flush()

    def _aside(self, path: Path, suffix: str) -> Path:
        return path.with_name(f".{path.name}.{os.getpid()}{suffix}")

    def _reply(self) -> str:
        """The child's next reply line ('' once it has ended)."""
        return self._replies.readline()

    def _exit_status(self) -> str:
        return f"exit {self._child.poll()}"

    def wait(self) -> None:
        """Wait for every job and move each output into place; the first failure is raised (after all are done)."""
        failure = None
        while self._pending:
            try:
                line = self._reply()
            except BaseException:  # interrupted: nothing half-written stays behind
                self.abandon()
                raise
            source, aside, path = self._pending.pop(0)
            source.unlink(missing_ok=True)
            reply = json.loads(line) if line else {"ok": False, "error": f"{self._exit_status()}: {self._errors()}"}
            if reply["ok"]:
                os.replace(aside, path)
            else:
                aside.unlink(missing_ok=True)
                failure = failure or RuntimeError(f"{self.what} to {path} failed: {reply['error']}")
        if failure is not None:
            raise failure

    def _kill(self) -> None:
        self._child.kill()
        self._child.wait()

    def abandon(self) -> None:
        """Stop the child (the caller is failing) and remove what its unfinished jobs left."""
        self._kill()
        for source, aside, _ in self._pending:
            source.unlink(missing_ok=True)
            aside.unlink(missing_ok=True)
        self._pending = []

    def end_input(self) -> None:
        """Close the child's input: it exits once its last job is done (without waiting for it)."""
        if not self._jobs.closed:
            try:
                self._jobs.close()
            except BrokenPipeError:  # the child has ended: nothing left to tell it
                pass

    def close(self) -> None:
        """End the child: it exits at the end of its input."""
        self.end_input()
        self._child.wait()
        self._stderr.close()

    def _errors(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace").strip()[-2000:]


class PdfWorker(_ChildWorker):
    """A child process writing PDFs with WeasyPrint (:mod:`baiqiang.report.pdf_worker`).

    Started before anything else, it imports WeasyPrint (about 0.4 s of CPU) while
    this process works; a document is sent as soon as its print HTML exists, so
    its parsing and styling overlap the drawing of its charts and maps (the child
    waits for each image's file), and its layout (about 2 s for the white paper)
    overlaps the workbook.  Fonts come from fontconfig (Noto Sans CJK SC) and are
    embedded as subsets, as WeasyPrint does by default.

    ``siblings=n``: once WeasyPrint is imported the child forks ``n`` more workers
    (:attr:`siblings`, each a :class:`ForkedPdfWorker`), which start with it
    imported: one import for several documents laid out side by side.
    """

    module = "baiqiang.report.pdf_worker"
    what = "PDF 写出失败 / PDF rendering (WeasyPrint)"

    def __init__(self, siblings: int = 0) -> None:
        pairs = [socket.socketpair() for _ in range(siblings)]
        try:
            super().__init__([str(theirs.fileno()) for _, theirs in pairs], [theirs.fileno() for _, theirs in pairs])
        finally:
            for _, theirs in pairs:  # the child holds its end now; ours alone would hide its EOF
                theirs.close()
        self.siblings: list[ForkedPdfWorker] = [ForkedPdfWorker(ours, self._stderr) for ours, _ in pairs]

    def submit(self, html: str, base: Path, path: Path, wait_for: Sequence[Path] = ()) -> None:
        """Have the child write ``html`` (relative links resolved against ``base``) as the PDF ``path``.

        ``wait_for``: images not drawn yet (moved into place later, e.g. by the chart
        worker's ``wait()``); the child waits for each when its layout needs it.  A
        caller that fails before they exist must :meth:`abandon` this worker.
        """
        source = self._aside(path, ".html")
        self._send(source, html, {"html": str(source), "base": str(base), "wait_for": [str(p) for p in wait_for]}, path)

    def close(self) -> None:
        """End the child and its siblings (it reaps them before it exits, so their CPU is counted as its own)."""
        for sibling in self.siblings:
            sibling.end_input()
        super().close()


class ForkedPdfWorker(PdfWorker):
    """A PDF worker forked by a :class:`PdfWorker`'s child (``PdfWorker(siblings=1).siblings[0]``).

    The same jobs and replies over a socket instead of pipes; the forked process
    first sends its process id (for :meth:`abandon`).  It is not this process's
    child: it has ended when its socket is at its end.  Its errors go to the
    first worker's error file.
    """

    def __init__(self, channel: socket.socket, stderr: IO[bytes]) -> None:  # not super().__init__: it would start a process
        self._channel = channel
        self._stderr = open(os.dup(stderr.fileno()), "rb")  # shares the file (and its position) with the first worker
        self._jobs = channel.makefile("w", encoding="utf-8")
        self._replies = channel.makefile("r", encoding="utf-8")
        self._pending: list[tuple[Path, Path, Path]] = []
        self._pid: int | None = None
        self.siblings: list[ForkedPdfWorker] = []

    def _hello(self) -> int | None:
        """The forked process's id, read from its first line (waits for the fork); None if it never started."""
        if self._pid is None:
            line = self._line()
            self._pid = json.loads(line)["pid"] if line else -1
        return None if self._pid == -1 else self._pid

    def _reply(self) -> str:
        self._hello()
        return self._line()

    def _line(self) -> str:
        """The next line from the socket, '' once the sibling has ended.

        A sibling that dies with a job of ours unread resets the connection instead of closing it.
        """
        try:
            return self._replies.readline()
        except ConnectionResetError:
            return ""

    def _exit_status(self) -> str:
        return "the forked worker ended" if self._hello() is not None else "the worker ended before forking"

    def alive(self) -> bool:
        """Whether the forked process may still take jobs: its end of the socket is not closed."""
        try:
            data = self._channel.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:  # nothing to read yet: open
            return True
        except OSError:
            return False
        return bool(data)

    def _kill(self) -> None:
        pid = self._hello()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def end_input(self) -> None:
        if not self._jobs.closed:
            try:
                self._jobs.close()
                self._channel.shutdown(socket.SHUT_WR)  # the EOF the forked process reads
            except OSError:  # it has ended already
                pass

    def close(self) -> None:
        """End the forked process: its input closed, then read to the end (it exits, closing its socket)."""
        if self._replies.closed:  # closed before
            return
        self.end_input()
        self._hello()
        while self._replies.readline():
            pass
        self._replies.close()
        self._channel.close()
        self._stderr.close()


class VlWorker(_ChildWorker):
    """A child process drawing Vega-Lite specs with vl-convert (:mod:`baiqiang.report.vl_png`).

    vl-convert holds the GIL and its V8 start costs about 0.6 s: started early
    (:func:`start_workers`), the child is warm by the time the report needs it,
    and the charts' conversion (about 1 s) leaves this process.
    """

    module = "baiqiang.report.vl_png"
    what = "图表绘制失败 / chart rendering (vl-convert)"

    def submit(self, spec: dict[str, Any], path: Path) -> None:
        """Have the child draw ``spec`` as the SVG ``path``."""
        if path.suffix != ".svg":
            raise ValueError(f"{path}: charts are drawn as .svg")
        source = self._aside(path, ".vl.json")
        self._send(source, json.dumps(spec, ensure_ascii=False), {"spec": str(source)}, path)


_workers = threading.local()
_started: list[_ChildWorker] = []  # every thread's, for the exit


def _close_all() -> None:
    """At the interpreter's exit: every child's input closed first, then each waited for, so they end together."""
    for worker in _started:
        worker.end_input()
    for worker in _started:
        worker.close()


def _live(name: str) -> Any:
    """This thread's worker ``name`` if it is alive, else None."""
    worker = getattr(_workers, name, None)
    return worker if worker is not None and worker.alive() else None


def _keep(name: str, worker: _ChildWorker) -> None:
    """Make ``worker`` this thread's ``name``, closed at the interpreter's exit."""
    setattr(_workers, name, worker)
    if not _started:
        atexit.register(_close_all)
    _started.append(worker)


def _worker(name: str, kind: type[_ChildWorker]) -> Any:
    worker = _live(name)
    if worker is None:
        worker = kind()
        _keep(name, worker)
    return worker


def pdf_worker(document: str = "report") -> PdfWorker:
    """This thread's PDF worker for ``document`` ("report" or "profile"), started if there is none alive.

    Per thread, because replies are read in the order jobs were submitted; the
    profile has a child of its own so that its layout (about 0.6 s) runs beside
    the white paper's (about 2 s) instead of after it.  Closed when the
    interpreter exits.
    """
    if document not in ("report", "profile"):
        raise ValueError(f"unknown document {document!r} (report or profile)")
    return _worker(f"pdf_{document}", PdfWorker)


def chart_worker() -> VlWorker:
    """This thread's vl-convert worker for the charts' SVGs."""
    return _worker("charts", VlWorker)


def start_workers(*, pdf: bool = True) -> None:
    """Start this thread's publishing children now, so their imports overlap the caller's work.

    Idempotent: a later :func:`pdf_worker` or :func:`chart_worker` (or
    :func:`write_report`) gets the same warm child.  The two PDF workers are one
    child and its fork (:class:`PdfWorker` ``siblings``) when neither runs yet.
    """
    chart_worker()
    if pdf:
        if _live("pdf_report") is None and _live("pdf_profile") is None and sys.platform.startswith("linux"):
            # The profile's worker forked from the white paper's once WeasyPrint is imported: one import (~0.4 s CPU),
            # not two.  Linux only: Windows has no fork, and macOS's system frameworks are not safe across one.
            report = PdfWorker(siblings=1)
            _keep("pdf_report", report)
            _keep("pdf_profile", report.siblings[0])
        pdf_worker("report")
        pdf_worker("profile")


def write_xlsx(content: ReportContent, path: Path) -> None:
    """Every table of the report, one sheet each, Chinese headers."""
    from baiqiang.report.demo import HEADERS_ZH

    headers = {**HEADERS_ZH, "previous_rank": "上期排名", "rank_change": "名次变化", "count": "单位数", "previous": "上期",
               "share": "占比", "total": "合计", "ranks": "名次区间", "pillar_name": "维度", "kind": "类别",
               "driver_1": "驱动维度1", "driver_1_value": "贡献变化1", "driver_2": "驱动维度2", "driver_2_value": "贡献变化2",
               "previous_score": "上期得分", "rank_low": "排名下限", "rank_high": "排名上限", "rank_median": "中位排名",
               "p_top": "入选概率", "uncertain": "入选不确定", "geo": "边界代码", "within_parent": "父节点内权重",
               "in_index": "总指数中权重", "declared": "声明权重", "direction": "方向", "depth": "层深", "level": "层级",
               "unit": "单位", "method": "方法", "params": "参数", "step": "步骤", "id": "标识"}
    sheets = {"list": "榜单", "by_region": "分区域", "by_province": "分省份", "tiers": "梯队构成", "pillar_leaders": "维度前十",
              "movers": "名次变化", "turnover": "新进与退出", "robustness": "稳健性", "indicators": "指标体系",
              "steps": "计算步骤", "no_polygon": "无边界单位"}
    from baiqiang.pipeline.export import write_sheets

    tables = {"全部单位": content.units.rename(columns=headers)}
    tables |= {sheet: content.tables[key].rename(columns=headers) for key, sheet in sheets.items() if key in content.tables}
    tables["要点"] = pd.DataFrame({"项目": list(content.facts), "数值": [str(v) for v in content.facts.values()]})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # written aside, then moved
    write_sheets(tmp, tables)
    os.replace(tmp, path)


def write_report(content: ReportContent, outdir: Path, *, pdf: bool = True, pillar_maps: bool = False,
                 wait: bool = True) -> dict[str, float]:
    """Write report.html, report.pdf, report.xlsx and charts/ into ``outdir``; returns seconds per part.

    ``wait=False`` returns while the PDF worker still lays out report.pdf, so the
    caller can build the next document meanwhile; ``pdf_worker().wait()`` then
    moves it into place.

    The parts are consecutive stretches of this process's wall time: ``charts``
    builds the specs and hands them to the vl-convert worker (:func:`submit_charts`),
    ``print`` sends the PDF to its worker (which parses and styles it while the
    charts and maps are drawn), ``maps`` draws the PDF's maps (:func:`write_maps`),
    ``charts_wait`` waits for the drawings and moves them into place (the PDF's
    layout starts once they are all there), then, during the layout, ``html``
    writes the interactive HTML and ``xlsx`` the workbook, and ``pdf`` waits for the PDF.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    worker = pdf_worker() if pdf else None  # first: it imports WeasyPrint while we work
    t = time.perf_counter()
    try:
        try:
            specs = report_charts(content)  # once, for the drawings and the interactive HTML
            images = submit_charts(specs, outdir / "charts")  # first: the drawings head the PDF's chain
            maps = pdf_maps(content, outdir / "charts", pillar_maps=pillar_maps) if content.has_map else {}
            for path in maps:  # the PDF worker waits for this run's drawing, not a previous run's
                path.unlink(missing_ok=True)
            images |= {path.stem: f"charts/{path.name}" for path in maps}
            seconds["charts"] = time.perf_counter() - t
            t = time.perf_counter()
            index_map = maps.get(outdir / "charts" / "map.png")
            domain = (min(index_map.values()), max(index_map.values())) if index_map else None
            context = report_context(content) | {"map_key": map_key(content, domain) if domain else None}
            if worker is not None:  # sent before the maps are drawn: it parses and styles meanwhile
                worker.submit(render_html("report.html.j2", context, None, pdf=True, images=images), outdir,
                              outdir / "report.pdf", wait_for=[outdir / image for image in images.values()])
            seconds["print"] = time.perf_counter() - t
            t = time.perf_counter()
            write_maps(maps)
            seconds["maps"] = time.perf_counter() - t
            t = time.perf_counter()
        finally:
            # Idle until the drawings are in place: the two cores go to the chart and PDF children, whose
            # drawings and styling the PDF's layout waits for; the interactive HTML does not hold it up.
            chart_worker().wait()  # moves every drawing into place, even when we are failing
        seconds["charts_wait"] = time.perf_counter() - t
    except BaseException:  # a chart that never arrives would keep the PDF child waiting
        if worker is not None:
            worker.abandon()
        raise
    try:
        t = time.perf_counter()
        if content.has_map:  # the interactive map (loads the geometry, ~0.3 s)
            specs["map"] = choropleth(content, interactive=True)
        html = render_html("report.html.j2", context, specs, pdf=False)
        (outdir / "report.html").write_text(html, encoding="utf-8")
        seconds["html"] = time.perf_counter() - t
        t = time.perf_counter()
        write_xlsx(content, outdir / "report.xlsx")
        seconds["xlsx"] = time.perf_counter() - t
    except BaseException:
        if worker is not None:
            worker.abandon()
        raise
    if worker is not None and wait:
        t = time.perf_counter()
        worker.wait()
        seconds["pdf"] = time.perf_counter() - t
    return seconds


def profile_specs(content: ReportContent, profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The profile's charts: dimension ranks and the location map (Vega-Lite specs)."""
    specs = {"pillars": profile_pillar_chart(profile)}
    if profile["geo"]:
        specs["location"] = location_map(content, profile["code"])
    return specs


def write_profile(content: ReportContent, profile: dict[str, Any], outdir: Path, *, pdf: bool = True) -> dict[str, float]:
    """Write ``profile_<code>.html`` and ``.pdf`` (charts in ``charts/``) into ``outdir``; returns seconds per part."""
    outdir.mkdir(parents=True, exist_ok=True)
    stem = f"profile_{profile['code']}"
    seconds: dict[str, float] = {}
    worker = pdf_worker("profile") if pdf else None  # warm when started by start_workers
    t = time.perf_counter()
    specs = profile_specs(content, profile)
    context = {
        "facts": profile["facts"], "pillars": profile["pillars"], "peers": _records(profile["peers"]),
        "target": _records(profile["target"]), "css": _css(), "version": baiqiang.__version__,
        "data_source": content.method.get("data", {}).get("source", ""),
    }
    if worker is None:
        (outdir / f"{stem}.html").write_text(render_html("profile.html.j2", context, specs, pdf=False), encoding="utf-8")
        seconds["html"] = time.perf_counter() - t
        return seconds
    try:
        try:
            images = submit_charts(specs, outdir / "charts", prefix=f"{stem}_")  # drawn meanwhile
            worker.submit(render_html("profile.html.j2", context, None, pdf=True, images=images), outdir, outdir / f"{stem}.pdf",
                          wait_for=[outdir / image for image in images.values()])
            (outdir / f"{stem}.html").write_text(render_html("profile.html.j2", context, specs, pdf=False), encoding="utf-8")
            seconds["html"] = time.perf_counter() - t
            t = time.perf_counter()
        finally:
            chart_worker().wait()
    except BaseException:  # see write_report
        worker.abandon()
        raise
    worker.wait()
    seconds["pdf"] = time.perf_counter() - t
    return seconds


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


__all__ = ["FONT", "chart_specs", "render_html", "report_context", "pdf_maps", "write_maps", "map_key", "submit_charts", "PdfWorker", "ForkedPdfWorker", "VlWorker", "pdf_worker", "chart_worker", "start_workers", "write_profile", "write_report", "write_xlsx"]
