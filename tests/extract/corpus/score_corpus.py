"""Score the extractor on the real-text corpus: per file, per batch, per genre and per split.

    python tests/extract/corpus/score_corpus.py [--batch N] [--split dev|test] [--show ID]

--show ID scores that file alone and lists its misses and false positives; a test-split file
needs an explicit --split test, so that work against the dev split never prints test scores.

Uses the reference scorer (tests/extract/data/score.py, copied from shared/extract): lenient F1
(facts found) and strict F1 (indicator names close to the gold).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
from collections import defaultdict
from pathlib import Path

from baiqiang.extract import extract_facts

HERE = Path(__file__).resolve().parent
SCORER = HERE.parent / "data" / "score.py"


def scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest() -> list[dict[str, str]]:
    with (HERE / "sources.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score_file(score, doc_id: str) -> dict:  # type: ignore[no-untyped-def]
    gold = [json.loads(x) for x in (HERE / f"{doc_id}_gold.jsonl").read_text("utf-8").splitlines() if x]
    pred = [f.to_dict() for f in extract_facts((HERE / f"{doc_id}_raw.txt").read_text("utf-8"))]
    return score.score_pair(gold, pred)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch")
    parser.add_argument("--split")
    parser.add_argument("--show", help="one file's misses and false positives (test-split files need --split test)")
    args = parser.parse_args()
    score = scorer()
    groups: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for row in manifest():
        if (args.batch and row["batch"] != args.batch) or (args.split and row["split"] != args.split):
            continue
        if args.show and row["id"] != args.show:
            continue  # one file's details only, so a dev session never sees test-split scores
        if args.show and row["split"] == "test" and args.split != "test":
            raise SystemExit(f"{args.show} is in the test split: details only with --split test")
        r = score_file(score, row["id"])
        counts = [r["tp"], r["fp"], r["fn"], r["s_tp"], r["s_fp"], r["s_fn"]]
        print(f"{row['id']} {row['genre']:9s} {row['split']:4s} gold {r['n_req']:3d} TP {r['tp']:3d} FP {r['fp']:3d} "
              f"FN {r['fn']:3d}  F1 {f1(*counts[:3]):.3f}  strict {f1(*counts[3:]):.3f}")
        for key in ("all", f"batch {row['batch']}", f"genre {row['genre']}", f"split {row['split']}"):
            groups[key] = [a + b for a, b in zip(groups[key], counts)]
        if args.show == row["id"]:
            for gi in r["miss"]:
                print("   MISS", score.fmt_fact(r["gold"][gi]))
            for pi in r["false_pos"]:
                print("   FP  ", score.fmt_fact(r["pred"][pi]))
    for key in sorted(groups):
        c = groups[key]
        print(f"{key:18s} TP {c[0]:4d} FP {c[1]:4d} FN {c[2]:4d}  F1 {f1(*c[:3]):.3f}  strict {f1(*c[3:]):.3f}")


if __name__ == "__main__":
    main()
