"""Whole-process start-up: ``baiqiang --help``, an ASEM build and (optionally) the demo.

Every command runs as a fresh child process, round-robin over the commands and
(with ``--baseline``) over two source trees, so that both see the same machine
load: on a shared machine only the ratios of one run mean something.  Wall time
is measured around the child, peak memory is the child's own ``ru_maxrss``
(from ``os.wait4``).

    python benchmarks/bench_startup.py                      # quick: 5 rounds, no demo
    python benchmarks/bench_startup.py --rounds 20 --demo   # full, demo included (2 rounds of it)
    python benchmarks/bench_startup.py --baseline /work/main   # this tree against another checkout
    python benchmarks/bench_startup.py --breakdown [--pdf]  # where the demo's time goes (one child)

The child is ``python -c "from baiqiang.cli import run; run()" ARGS`` with
``PYTHONPATH=<tree>/src``, so the installed ``baiqiang`` script's own start-up
(a few ms) is not included; each child first checks that it imported ``baiqiang``
from the intended tree.

Each tree's ``src`` is byte-compiled first (``compileall``), as ``pip install`` does: with
``PYTHONDONTWRITEBYTECODE`` set (as in some shells and CI) every child would otherwise
compile all of Baiqiang's modules from source again, a cost no installed copy pays.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = ("import sys, baiqiang; assert baiqiang.__file__.startswith(sys.argv[1]), baiqiang.__file__; "
         "sys.argv = ['baiqiang', *sys.argv[2:]]; from baiqiang.cli import run; run()")


def commands(out: Path, demo: bool) -> dict[str, list[str]]:
    """The measured commands (arguments of ``baiqiang``), by name."""
    asem = ROOT / "examples" / "asem"
    cmds = {
        "--help": ["--help"],
        "build ASEM": ["build", str(asem / "v1_default.yaml"), str(asem / "asem_data.csv"), "-o", str(out / "build")],
    }
    if demo:
        cmds["demo (no report)"] = ["demo", "-o", str(out / "demo-core"), "--no-report", "--force"]
        cmds["demo (full, with PDFs)"] = ["demo", "-o", str(out / "demo-full"), "--force"]
    return cmds


def run_once(tree: Path, args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one child process; raises if it fails."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tree / "src"), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: baiqiang {' '.join(args)} failed ({proc.returncode}):\n{stderr.decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports KiB


#: The demo's stages, timed by wrapping these functions in the child (wall and process CPU).
STAGES = [("baiqiang.data.registry", "Registry", "load"), ("baiqiang.report.demo", None, "import_census"),
          ("baiqiang.data.store", "Store", "panel"), ("baiqiang.report.demo", None, "_rank"),
          ("baiqiang.report.demo", None, "_table"), ("baiqiang.report.demo", None, "_movers"),
          ("baiqiang.report.demo", None, "_caict"), ("baiqiang.report.demo", None, "_agreement"),
          ("baiqiang.report.demo", None, "_rank_intervals"), ("baiqiang.report.demo", None, "write_demo"),
          ("baiqiang.report.demo", None, "write_publication")]
BREAKDOWN = """
import importlib, json, sys, time
t_start = time.perf_counter(); c_start = time.process_time()
try:
    from baiqiang.cli import configure_process
    configure_process()
except ImportError:  # a checkout from before the process settings: run it as it shipped
    pass
import baiqiang.report.demo, baiqiang.cli.main
spent = {"import (cli + report.demo and everything it loads)": [time.perf_counter() - t_start, time.process_time() - c_start]}
def timed(name, fn):
    def wrapper(*a, **k):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            w = spent.setdefault(name, [0.0, 0.0]); w[0] += time.perf_counter() - t; w[1] += time.process_time() - c
    return wrapper
for module, owner, attr in STAGES:
    target = importlib.import_module(module)
    target = getattr(target, owner) if owner else target
    fn = getattr(target, attr)
    setattr(target, attr, classmethod(timed(attr, fn.__func__)) if isinstance(target.__dict__.get(attr), classmethod) else timed(attr, fn))
sys.argv = ["baiqiang", *ARGS]
from baiqiang.cli import run
try:
    run()
except SystemExit as e:
    assert e.code in (0, None), e.code
spent["total"] = [time.perf_counter() - t_start, time.process_time() - c_start]
print(json.dumps(spent))
"""


def breakdown(pdf: bool, tree: Path = ROOT) -> None:
    """One instrumented demo run: wall and CPU seconds per stage (stages may nest: ``_rank`` is inside nothing else)."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        args = ["demo", "-o", str(Path(tmp) / "demo"), "--force"] + ([] if pdf else ["--no-report"])
        code = f"STAGES = {STAGES!r}\nARGS = {args!r}\n" + BREAKDOWN
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(tree / "src")))
        if out.returncode != 0:
            raise SystemExit(out.stderr)
    import json

    spent = json.loads(out.stdout.splitlines()[-1])
    print(f"{tree}: baiqiang {' '.join(args[:1] + args[3:])}; load average {os.getloadavg()[0]:.1f}")
    print("| stage | wall (s) | CPU (s) |\n|---|---|---|")
    for name, (wall, cpu) in spent.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="rounds of --help and build (default 5)")
    ap.add_argument("--demo", action="store_true", help="also time the demo, core and full (2 rounds)")
    ap.add_argument("--demo-rounds", type=int, default=2)
    ap.add_argument("--baseline", type=Path, help="another checkout (e.g. /work/main), interleaved with this tree "
                    "(with --breakdown: that checkout instead of this one)")
    ap.add_argument("--breakdown", action="store_true", help="only: one instrumented demo run, time per stage")
    ap.add_argument("--pdf", action="store_true", help="with --breakdown: the full demo (white paper, profile, PDFs)")
    a = ap.parse_args()
    if a.breakdown:
        breakdown(a.pdf, a.baseline.resolve() if a.baseline else ROOT)
        return
    trees = {"this": ROOT} | ({"baseline": a.baseline.resolve()} if a.baseline else {})
    for tree in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "src")], check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        cmds = commands(Path(tmp), a.demo)
        times: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        rss: dict[tuple[str, str], list[float]] = {}
        for r in range(max(a.rounds, a.demo_rounds if a.demo else 0)):
            for name, args in cmds.items():
                if r >= (a.demo_rounds if name.startswith("demo") else a.rounds):
                    continue
                for label, tree in trees.items():
                    wall, used, peak = run_once(tree, args)
                    times.setdefault((name, label), []).append(wall)
                    cpu.setdefault((name, label), []).append(used)
                    rss.setdefault((name, label), []).append(peak)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    head = "| command | tree | runs | wall min / median (s) | CPU min / median (s) | max RSS median (MiB) |"
    if a.baseline:
        head += " baseline / this (median wall; median CPU; RSS) |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name in cmds:
        for label in trees:
            t, c, m = times[(name, label)], cpu[(name, label)], rss[(name, label)]
            row = (f"| {name} | {label} | {len(t)} | {min(t):.3f} / {statistics.median(t):.3f} | "
                   f"{min(c):.3f} / {statistics.median(c):.3f} | {statistics.median(m):.0f} |")
            if a.baseline:
                if label == "this":
                    bt, bc, bm = times[(name, "baseline")], cpu[(name, "baseline")], rss[(name, "baseline")]
                    row += (f" {statistics.median(bt) / statistics.median(t):.2f}x;"
                            f" {statistics.median(bc) / statistics.median(c):.2f}x;"
                            f" {statistics.median(bm) / statistics.median(m):.2f}x |")
                else:
                    row += " |"
            print(row)


if __name__ == "__main__":
    main()
