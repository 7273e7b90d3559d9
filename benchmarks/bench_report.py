"""Time the white paper and the county profile on the census demo (the demo's publication step).

    nice -n 5 .venv/bin/python benchmarks/bench_report.py                      # one run, seconds per part
    nice -n 5 .venv/bin/python benchmarks/bench_report.py --baseline /tmp/main --rounds 3

Each run is a fresh process, as ``baiqiang demo`` is: it builds the census demo (not timed),
writes the publication once without PDFs (warms the Vega bundle's disk cache, as any second
run of the CLI finds it), then times one ``write_publication`` with PDFs.  The parts are
consecutive stretches of the parent's wall time (see ``render.write_report``): the maps'
children and the PDF worker run meanwhile, so ``report_pdf`` is the wait for the PDF after
the HTML and the workbook, not its whole cost.

With ``--baseline TREE`` (a checkout with ``src/``, e.g. ``git worktree add /tmp/main main``
or ``git archive main src | tar -x -C /tmp/main``) runs of the two trees are interleaved and the
min and median wall time of each are printed with their ratio: on a shared machine only ratios
measured in the same run mean something.  CPU seconds are printed too (the parent's during the
timed ``write_publication``, the children's over the whole run): they move less with the load.
``--warm-workers`` starts the children (WeasyPrint imports, V8) before the timed run, as
``baiqiang demo`` does during its core; without it their start-up is inside the timed run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ONE_RUN = """
import json, os, resource, sys, tempfile, time
from pathlib import Path
from baiqiang.report import render
from baiqiang.report.demo import run_demo, write_publication
with tempfile.TemporaryDirectory() as tmp:
    result = run_demo(Path(tmp) / "census.duckdb")
    write_publication(result, Path(tmp) / "warm", pdf=False)
    if sys.argv[1:] == ["--warm-workers"]:  # as in `baiqiang demo`: the children imported during the core
        render.start_workers(pdf=True)
        time.sleep(3)
    t0, c0 = time.perf_counter(), time.process_time()
    seconds = write_publication(result, Path(tmp) / "report", pdf=True)
    seconds["wall"], seconds["cpu"] = time.perf_counter() - t0, time.process_time() - c0
    for name in ("charts", "pdf_report", "pdf_profile"):  # end the children to count their CPU
        worker = getattr(render._workers, name, None)
        if worker is not None:
            worker.close()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds["children_cpu"] = usage.ru_utime + usage.ru_stime
print(json.dumps(seconds))
"""


def one_run(tree: Path, warm_workers: bool = False) -> dict[str, float]:
    """Seconds per part of one publication with PDFs, in a fresh process importing ``tree/src``."""
    out = subprocess.run([sys.executable, "-c", ONE_RUN, *(["--warm-workers"] if warm_workers else [])], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(tree / "src")))
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", type=Path, help="another checkout, interleaved with this tree")
    ap.add_argument("--rounds", type=int, default=1, help="runs per tree (default 1)")
    ap.add_argument("--warm-workers", action="store_true",
                    help="start the publishing children 3 s before the timed run, as the demo does during its core")
    a = ap.parse_args()
    trees = [ROOT] + ([a.baseline.resolve()] if a.baseline else [])
    walls: dict[Path, list[float]] = {tree: [] for tree in trees}
    cpus: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in trees}
    for r in range(a.rounds):
        for tree in trees if r % 2 == 0 else trees[::-1]:  # ABBA: the first run after a pause is often slow
            load = os.getloadavg()[0]
            seconds = one_run(tree, a.warm_workers)
            walls[tree].append(seconds.pop("wall"))
            cpus[tree].append((seconds.pop("cpu"), seconds.pop("children_cpu")))
            print(f"{tree}: {walls[tree][-1]:.2f} s (load {load:.1f}); " + ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()))
    # CPU seconds move less with the machine's load than wall time: the parent's during write_publication,
    # and the children's over the whole run (their start-up included).
    print("| tree | wall min (s) | wall median (s) | parent CPU median (s) | children CPU median (s) |\n|---|---|---|---|---|")
    for tree, w in walls.items():
        parent, children = zip(*cpus[tree])
        print(f"| {tree} | {min(w):.2f} | {statistics.median(w):.2f} | {statistics.median(parent):.2f} | {statistics.median(children):.2f} |")
    if a.baseline:
        this, base = walls[ROOT], walls[trees[1]]
        print(f"baseline / this: min {min(base) / min(this):.2f}x, median {statistics.median(base) / statistics.median(this):.2f}x")


if __name__ == "__main__":
    main()
