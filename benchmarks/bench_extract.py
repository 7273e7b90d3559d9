"""Benchmark the fact extractor: quality on the gold files and the real-text corpus, and throughput.

    python benchmarks/bench_extract.py [--repeat N]

Quality: each gold file in tests/extract/data, and the forty real public texts of
tests/extract/corpus (per batch, genre and split, lenient and strict F1), scored with the
reference scorer (score.py, rule of shared/spec/facts.md).  Throughput: the fourteen own texts and
the forty corpus texts concatenated and repeated to about 1 MB, extracted in one process on one
core with every component (tables, grammar rules, the CRF), best of three runs after one warm-up
run that loads the lexicons and the model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=20, help="copies of the texts (default 20: about 0.5 MB of all texts)")
    args = ap.parse_args()
    quality()
    corpus_quality()
    throughput(args.repeat)


if __name__ == "__main__":
    main()
