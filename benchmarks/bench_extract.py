"""Benchmark the fact extractor: quality on the gold files and the real-text corpus, and throughput.

    python benchmarks/bench_extract.py [--repeat N] [--quick] [--throughput-only]
    python benchmarks/bench_extract.py --throughput-only --against OTHER/src [--rounds 5]

``--quick`` uses 2 copies of the texts instead of 20.  ``--against`` measures another checkout of
the package (its ``src`` folder, e.g. ``git archive main src | tar -x -C /tmp/base``) and this one in
alternating subprocesses on the same text and prints the ratio of each round, so that a loaded
machine slows both alike.

Quality: each gold file in tests/extract/data, and the real public texts of
tests/extract/corpus (per batch, genre and split, lenient and strict F1), scored with the
reference scorer (score.py, rule of shared/spec/facts.md).  Throughput: the fourteen own texts and
the corpus texts concatenated and repeated (``--repeat``), extracted in one process on one
core with every component (tables, grammar rules, the CRF), best of three runs after one warm-up
run that loads the lexicons and the model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from baiqiang.extract import extract_facts

DATA = Path(__file__).resolve().parents[1] / "tests" / "extract" / "data"
CORPUS = DATA.parent / "corpus"
NAMES = ("seed", "bulletin", "report", "ocr_bulletin", "plan_report", "county_news",
         "monthly", "zone_summary", "audit_report", "stat_social", "invest_news", "town_summary",
         "hq_meeting", "agritour")


def _scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score", DATA / "score.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def quality() -> None:
    score = _scorer()
    for name in NAMES:
        gold = [json.loads(x) for x in (DATA / f"{name}_gold.jsonl").read_text("utf-8").splitlines() if x]
        pred = [f.to_dict() for f in extract_facts((DATA / f"{name}_raw.txt").read_text("utf-8"))]
        r = score.score_pair(gold, pred)
        p = r["tp"] / max(1, r["tp"] + r["fp"])
        rec = r["tp"] / max(1, r["tp"] + r["fn"])
        f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
        print(f"{name:12s} gold {r['n_req']:3d}  TP {r['tp']:3d}  FP {r['fp']:2d}  FN {r['fn']:2d}  F1 {f1:.3f}"
              f"  attribute mismatches {len(r['mism'])}")


def corpus_quality() -> None:
    spec = importlib.util.spec_from_file_location("score_corpus", CORPUS / "score_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    import sys

    sys.argv = [sys.argv[0]]
    mod.main()


def throughput(repeat: int) -> None:
    own = [(DATA / f"{n}_raw.txt").read_text("utf-8") for n in NAMES]
    corpus = [p.read_text("utf-8") for p in sorted(CORPUS.glob("*_raw.txt"))]
    for label, texts in (("own 14 texts", own), ("corpus", corpus), ("all", own + corpus)):
        text = "\n".join(texts)
        big = "\n".join([text] * repeat)
        extract_facts(text)  # warm-up: lexicons, regex compilation, the CRF model
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            n = len(extract_facts(big))
            best = min(best, time.perf_counter() - t0)
        print(f"throughput ({label}): {len(big):,} chars, {n:,} facts, {best:.3f} s → {len(big) / best:,.0f} chars/s")


def _one_sample(src: str | None, repeat: int) -> float:
    """chars/s of one fresh process (best of three) reading all texts ``repeat`` times."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    code = ("import sys; sys.argv=['x']; import runpy; m=runpy.run_path(%r); "
            "print(m['_rate'](%d))" % (str(Path(__file__).resolve()), repeat))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def _rate(repeat: int) -> float:
    own = [(DATA / f"{n}_raw.txt").read_text("utf-8") for n in NAMES]
    corpus = [p.read_text("utf-8") for p in sorted(CORPUS.glob("*_raw.txt"))]
    text = "\n".join(own + corpus)
    big = "\n".join([text] * repeat)
    extract_facts(text)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        extract_facts(big)
        best = min(best, time.perf_counter() - t0)
    return len(big) / best


def compare(src: str, repeat: int, rounds: int) -> None:
    ratios, best_other, best_this = [], 0.0, 0.0
    for i in range(rounds):
        other, this = _one_sample(src, repeat), _one_sample(None, repeat)
        ratios.append(this / other)
        best_other, best_this = max(best_other, other), max(best_this, this)
        print(f"round {i + 1}: other {other:,.0f} chars/s, this {this:,.0f} chars/s, ratio {this / other:.2f}")
    ratios.sort()
    print(f"median ratio this/other: {ratios[len(ratios) // 2]:.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f})")
    # the fastest round of each is the least disturbed by other jobs
    print(f"best of {rounds}: other {best_other:,.0f}, this {best_this:,.0f} chars/s, ratio {best_this / best_other:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=20, help="copies of the texts (default 20: about 1 MB of all texts)")
    ap.add_argument("--quick", action="store_true", help="2 copies instead of --repeat")
    ap.add_argument("--throughput-only", action="store_true", help="skip the quality tables")
    ap.add_argument("--against", help="src folder of another checkout to compare with, in alternating processes")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of --against (default 5)")
    args = ap.parse_args()
    repeat = 2 if args.quick else args.repeat
    if args.against:
        compare(args.against, repeat, args.rounds)
        return
    if not args.throughput_only:
        quality()
        corpus_quality()
    throughput(repeat)


if __name__ == "__main__":
    main()
