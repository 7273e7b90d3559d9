"""The PDF worker: PDFs written in a child process, in order, moved into place only when complete."""

from __future__ import annotations

import subprocess

import pytest

from baiqiang.report.render import PdfWorker, pdf_worker

PAGE = "<html><head><style>body {{ font-family: 'Noto Sans CJK SC'; }}</style></head><body><p>{}</p></body></html>"


def _text(path):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_worker_writes_each_pdf_in_place_and_leaves_nothing_else(tmp_path):
    worker = PdfWorker()
    try:
        worker.submit(PAGE.format("永康市县域画像"), tmp_path, tmp_path / "a.pdf")
        worker.submit(PAGE.format("第二份文档"), tmp_path, tmp_path / "b.pdf")
        worker.wait()
        assert "永康市县域画像" in _text(tmp_path / "a.pdf") and "第二份文档" in _text(tmp_path / "b.pdf")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]  # no print HTML, no file written aside
        worker.submit(PAGE.format("同一进程再写一份"), tmp_path, tmp_path / "c.pdf")  # the warm child takes more jobs
        worker.wait()
        assert "同一进程再写一份" in _text(tmp_path / "c.pdf")
    finally:
        worker.close()
    assert worker._child.returncode == 0  # it ends at the end of its input


def test_a_dead_worker_is_an_error_naming_the_pdf_and_leaves_no_partial_file(tmp_path):
    worker = PdfWorker()
    worker.submit(PAGE.format("不会写完"), tmp_path, tmp_path / "lost.pdf")
    worker._child.kill()  # still importing WeasyPrint: the job cannot have finished
    with pytest.raises(RuntimeError, match="lost.pdf"):
        worker.wait()
    worker.close()
    assert list(tmp_path.iterdir()) == []


def test_abandon_stops_the_child_and_removes_its_unfinished_files(tmp_path):
    worker = PdfWorker()
    worker.submit(PAGE.format("放弃"), tmp_path, tmp_path / "gone.pdf")
    worker.abandon()
    assert worker._child.returncode is not None and list(tmp_path.iterdir()) == []


def test_the_thread_keeps_one_warm_worker_and_replaces_a_dead_one():
    first = pdf_worker()
    assert pdf_worker() is first
    first.abandon()
    second = pdf_worker()
    assert second is not first and second.alive()


def test_report_without_waiting_gets_its_pdf_from_the_next_wait(published, tmp_path):
    from baiqiang.report.render import write_report

    seconds = write_report(published.content, tmp_path, wait=False)
    assert "pdf" not in seconds
    pdf_worker().wait()
    assert _text(tmp_path / "report.pdf") == _text(published.out / "report.pdf")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


BAR = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": "各维度全国名次",
       "data": {"values": [{"name": "经济", "rank": 3}]}, "mark": "bar",
       "encoding": {"y": {"field": "name", "type": "nominal"}, "x": {"field": "rank", "type": "quantitative"}}}


def test_chart_worker_draws_svg_in_place_and_leaves_nothing_else(tmp_path):
    from baiqiang.report.render import VlWorker

    worker = VlWorker()
    try:
        worker.submit(BAR, tmp_path / "a.svg")
        worker.submit(BAR, tmp_path / "b.svg")
        with pytest.raises(ValueError, match="c.png"):
            worker.submit(BAR, tmp_path / "c.png")  # maps are drawn with Pillow (report.map_png)
        worker.wait()
        svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "各维度全国名次" in svg
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.svg", "b.svg"]
    finally:
        worker.close()
    assert worker._child.returncode == 0


def test_a_dead_chart_worker_is_an_error_naming_the_drawing(tmp_path):
    from baiqiang.report.render import VlWorker

    worker = VlWorker()
    worker.submit(BAR, tmp_path / "lost.svg")
    worker._child.kill()
    with pytest.raises(RuntimeError, match="lost.svg"):
        worker.wait()
    worker.close()
    assert list(tmp_path.iterdir()) == []


def test_a_bad_spec_is_an_error_naming_the_drawing_and_the_worker_goes_on(tmp_path):
    from baiqiang.report.render import VlWorker

    worker = VlWorker()
    try:
        worker.submit({"mark": "no-such-mark"}, tmp_path / "bad.svg")
        worker.submit(BAR, tmp_path / "good.svg")
        with pytest.raises(RuntimeError, match="bad.svg"):
            worker.wait()
        assert [p.name for p in tmp_path.iterdir()] == ["good.svg"]
    finally:
        worker.close()


def test_start_workers_is_idempotent_and_the_profile_has_its_own_pdf_worker():
    from baiqiang.report.render import chart_worker, start_workers

    start_workers()
    workers = (pdf_worker("report"), pdf_worker("profile"), chart_worker())
    start_workers()
    assert (pdf_worker(), pdf_worker("profile"), chart_worker()) == workers
    assert len({id(w) for w in workers}) == 3
    with pytest.raises(ValueError, match="unknown document"):
        pdf_worker("slides")


LATE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="25" font-size="16">late chart 42</text></svg>'


def test_a_pdf_sent_before_its_chart_exists_waits_for_the_file_and_draws_it(tmp_path):
    """The white paper is sent before its charts are drawn: the child waits for each listed file, then lays it out."""
    import time

    worker = PdfWorker()
    try:
        chart = tmp_path / "late.svg"
        worker.submit(PAGE.format('图表之前<img src="late.svg">'), tmp_path, tmp_path / "late.pdf", wait_for=[chart])
        time.sleep(1.5)  # the child has imported WeasyPrint and is waiting for the file
        assert not (tmp_path / "late.pdf").exists()
        chart.write_text(LATE_SVG, encoding="utf-8")
        worker.wait()
        assert "late chart 42" in _text(tmp_path / "late.pdf")
    finally:
        worker.close()


def test_abandoning_a_worker_that_waits_for_a_chart_stops_it_at_once(tmp_path):
    import time

    worker = PdfWorker()
    worker.submit(PAGE.format('<img src="never.svg">'), tmp_path, tmp_path / "never.pdf", wait_for=[tmp_path / "never.svg"])
    time.sleep(0.5)
    t = time.perf_counter()
    worker.abandon()
    assert time.perf_counter() - t < 5 and list(tmp_path.iterdir()) == []


def test_waiting_for_a_file_fails_after_the_limit_naming_it(tmp_path):
    import os

    from baiqiang.report.pdf_worker import file_path, wait_until_exists

    with pytest.raises(TimeoutError, match="missing.svg"):
        wait_until_exists(tmp_path / "missing.svg", os.getppid(), limit=0.05)
    (tmp_path / "here.svg").write_text(LATE_SVG)
    wait_until_exists(tmp_path / "here.svg", os.getppid(), limit=0.0)  # present: no wait
    assert file_path((tmp_path / "图 1.svg").as_uri()) == (tmp_path / "图 1.svg").resolve()
    assert file_path("https://example.org/a.svg") is None


def _in_a_new_thread(job):
    """``job()`` in a thread of its own (fresh per-thread workers); its result or its exception."""
    import threading

    out = {}

    def run():
        try:
            out["value"] = job()
        except BaseException as error:  # re-raised in the test's thread
            out["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_start_workers_forks_the_profile_worker_from_the_report_worker_and_both_write(tmp_path):
    """One WeasyPrint import for both documents: the profile's worker is a fork of the white paper's, not our child."""
    import os

    from baiqiang.report.render import ForkedPdfWorker, start_workers

    def both():
        start_workers()
        report, profile = pdf_worker("report"), pdf_worker("profile")
        report.submit(PAGE.format("白皮书"), tmp_path, tmp_path / "report.pdf")
        profile.submit(PAGE.format("县域画像"), tmp_path, tmp_path / "profile.pdf")
        profile.wait()
        report.wait()
        return report, profile

    report, profile = _in_a_new_thread(both)
    try:
        assert isinstance(profile, ForkedPdfWorker) and report.siblings == [profile]
        with pytest.raises(ChildProcessError):  # forked by the report's child, so not ours to wait for
            os.waitpid(profile._hello(), os.WNOHANG)
        assert "白皮书" in _text(tmp_path / "report.pdf") and "县域画像" in _text(tmp_path / "profile.pdf")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["profile.pdf", "report.pdf"]
    finally:
        report.close()  # ends its sibling too (the child reaps it before it exits)
        profile.close()
    assert report._child.returncode == 0 and not profile.alive()


def test_a_killed_sibling_is_an_error_naming_its_pdf_and_abandon_stops_a_waiting_one(tmp_path):
    import os
    import signal
    import time

    first = PdfWorker(siblings=2)
    lost, waiting = first.siblings
    try:
        lost.submit(PAGE.format("不会写完"), tmp_path, tmp_path / "lost.pdf", wait_for=[tmp_path / "never.svg"])
        os.kill(lost._hello(), signal.SIGKILL)
        with pytest.raises(RuntimeError, match="lost.pdf"):
            lost.wait()
        assert not lost.alive() and first.alive()
        waiting.submit(PAGE.format('<img src="never.svg">'), tmp_path, tmp_path / "never.pdf", wait_for=[tmp_path / "never.svg"])
        time.sleep(0.5)
        t = time.perf_counter()
        waiting.abandon()
        assert time.perf_counter() - t < 5 and list(tmp_path.iterdir()) == []
        first.submit(PAGE.format("第一个照常"), tmp_path, tmp_path / "first.pdf")  # the first worker goes on
        first.wait()
        assert "第一个照常" in _text(tmp_path / "first.pdf")
    finally:
        first.close()
        lost.close()
        waiting.close()
    assert first._child.returncode == 0
