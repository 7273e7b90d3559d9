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
