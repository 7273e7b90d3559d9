"""Regenerate the Parquet copies of the bundled census workbooks (src/baiqiang/data/resources).

    python scripts/build_census_parquet.py

Reads each workbook with the importer's own reader (``read_raw``, openpyxl) and
writes its cell grid with :func:`baiqiang.data.census_parquet.write_grid`, recording
the workbook's SHA-256.  Run it whenever a workbook changes; the demo refuses a
Parquet file whose recorded checksum no longer matches its workbook, and
tests/data/test_census_parquet.py checks both grids cell for cell.
"""

from __future__ import annotations

from baiqiang.data.census_parquet import parquet_path, write_grid
from baiqiang.data.census_rows import CENSUS_FILES, census_path
from baiqiang.data.importers.read import read_raw
from baiqiang.data.store import file_sha256


def main() -> None:
    for year in CENSUS_FILES:
        workbook = census_path(year)
        target = parquet_path(workbook)
        grid = read_raw(workbook)
        write_grid(grid, target, workbook_sha256=file_sha256(workbook))
        print(f"{year}: {workbook} -> {target} ({grid.shape[0]} x {grid.shape[1]} cells, {target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
