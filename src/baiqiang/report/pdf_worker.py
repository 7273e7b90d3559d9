"""Write PDFs in a process of its own: ``python -m baiqiang.report.pdf_worker`` (driven by :class:`baiqiang.report.render.PdfWorker`).

WeasyPrint takes about 0.5 s to import and 2 s to lay out and write the white paper, all
of it holding the GIL.  The report therefore starts this child first: it imports WeasyPrint
while the parent draws the charts and writes the HTML and the workbook, then writes each
PDF it is sent, in order, while the parent goes on.

Protocol: one JSON object per line on stdin, ``{"html": PRINT_HTML_FILE, "base": BASE_URL,
"out": PDF_FILE}``; one reply per job on stdout, ``{"ok": true}`` or ``{"ok": false, "error":
TRACEBACK}``, in the order the jobs came.  The PDF goes to ``out`` (the parent moves it into
place); the child exits at the end of its input.
"""

from __future__ import annotations

from baiqiang.report.jobs import serve


def main() -> None:
    from weasyprint import HTML

    def write(job: dict) -> None:
        with open(job["html"], encoding="utf-8") as f:
            HTML(string=f.read(), base_url=job["base"]).write_pdf(job["out"])

    serve(write)


if __name__ == "__main__":
    main()
