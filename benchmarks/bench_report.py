"""Time the white paper and the county profile on the census demo (the demo's publication step).

    nice -n 10 .venv/bin/python benchmarks/bench_report.py

Builds the census demo once (not timed), then times each part of
``write_publication``: content, HTML, XLSX, charts (vl-convert), PDF
(WeasyPrint), profile content (explain + target solver), profile HTML and PDF.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from baiqiang.report.demo import run_demo, write_publication


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = run_demo(Path(tmp) / "census.duckdb")
        write_publication(result, Path(tmp) / "warm", pdf=False)  # warm caches (Vega bundle, fonts, geometry)
        t0 = time.perf_counter()
        seconds = write_publication(result, Path(tmp) / "report", pdf=True)
        total = time.perf_counter() - t0
        no_pdf = write_publication(result, Path(tmp) / "report-nopdf", pdf=False)
    print(f"{'part':<20}{'seconds':>10}")
    for part, s in seconds.items():
        print(f"{part:<20}{s:>10.2f}")
    print(f"{'total':<20}{total:>10.2f}")
    print(f"{'total without PDF':<20}{sum(no_pdf.values()):>10.2f}")
    pdf = seconds.get("report_pdf", 0) + seconds.get("profile_pdf", 0)
    print(f"PDF share of the publication step: {pdf / total:.0%}")


if __name__ == "__main__":
    main()
