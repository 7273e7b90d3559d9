"""Train the added-vs-level CRF (``models/kind.crfsuite``) on the project's own gold files.

    python -m baiqiang.extract.training            # rebuild the model
    python -m baiqiang.extract.training --check    # cross-validated accuracy, no model written

Training data: the gold files in ``tests/extract/data`` and the ``dev`` split of the real-text
corpus in ``tests/extract/corpus`` (never the ``test`` split).  For each document the extractor runs
with the model switched off; every fuzzy count (see :func:`baiqiang.extract.learned.is_fuzzy`) that
matches a gold fact of kind added or level (same value_std, overlapping indicator) becomes one item
labelled with the gold kind.  Files are read in sorted order and the optimiser is deterministic, so
the same data give the same model.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from baiqiang.extract import learned
from baiqiang.extract.extractor import extract_layout
from baiqiang.extract.layout import normalise
from baiqiang.extract.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "extract" / "data"
CORPUS = ROOT / "tests" / "extract" / "corpus"
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True}


def documents() -> list[tuple[str, Path, Path]]:
    """(name, raw, gold) of every training document: own gold files and the corpus dev split."""
    docs = [(p.name.removesuffix("_gold.jsonl"), DATA / p.name.replace("_gold.jsonl", "_raw.txt"), p)
            for p in sorted(DATA.glob("*_gold.jsonl"))]
    with (CORPUS / "sources.tsv").open(encoding="utf-8") as handle:
        dev = [r["id"] for r in csv.DictReader(handle, delimiter="\t") if r["split"] == "dev"]
    docs += [(f"corpus/{i}", CORPUS / f"{i}_raw.txt", CORPUS / f"{i}_gold.jsonl") for i in sorted(dev)]
    return [d for d in docs if d[1].exists()]


def _overlap(a: str, b: str) -> bool:
    a, b = "".join(a.split()), "".join(b.split())
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    ga = {a[i:i + 2] for i in range(len(a) - 1)}
    gb = {b[i:i + 2] for i in range(len(b) - 1)}
    return bool(ga and gb) and 2 * len(ga & gb) / (len(ga) + len(gb)) >= 0.5


def sequences() -> list[tuple[list[list[str]], list[str]]]:
    lex = load_lexicon()
    out = []
    for _, raw, gold_path in documents():
        gold = [json.loads(x) for x in gold_path.read_text("utf-8").splitlines() if x.strip()]
        layout = normalise(raw.read_text("utf-8"))
        facts = extract_layout(layout, lexicon=lex, model=False)
        xs, ys = [], []
        for i, f in enumerate(facts):
            if not learned.is_fuzzy(layout.text, f, lex):
                continue
            match = next((g for g in gold if g["kind"] in ("added", "level")
                          and abs(float(g["value_std"]) - f.value_std) <= 1e-6 * max(1.0, abs(f.value_std))
                          and _overlap(g["indicator"], f.indicator)), None)
            if match is not None:
                xs.append(learned.features(layout.text, f, facts[i - 1] if i else None))
                ys.append(match["kind"])
        if xs:
            out.append((xs, ys))
    return out


def train(data: list[tuple[list[list[str]], list[str]]], path: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for xs, ys in data:
        trainer.append(xs, ys)
    trainer.set_params(PARAMS)
    trainer.train(str(path))


def check(data: list[tuple[list[list[str]], list[str]]], folds: int = 5) -> tuple[float, float, int]:
    """Leave-documents-out accuracy of the model and of the rules' default, over ``folds`` folds."""
    import tempfile

    import pycrfsuite

    right = default_right = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            train_part = [d for i, d in enumerate(data) if i % folds != k]
            held = [d for i, d in enumerate(data) if i % folds == k]
            path = Path(tmp) / f"fold{k}.crfsuite"
            train(train_part, path)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            for xs, ys in held:
                pred = tagger.tag(xs)
                right += sum(p == y for p, y in zip(pred, ys))
                default_right += sum(x[1].removeprefix("rule=") == y for x, y in zip(xs, ys))
                total += len(ys)
    return right / max(total, 1), default_right / max(total, 1), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    data = sequences()
    items = sum(len(ys) for _, ys in data)
    if args.check:
        acc, base, n = check(data)
        print(f"{len(data)} documents, {items} fuzzy counts; 5-fold accuracy: model {acc:.3f}, rules' default {base:.3f} (n={n})")
        return
    learned.MODEL.parent.mkdir(exist_ok=True)
    train(data, learned.MODEL)
    print(f"trained on {len(data)} documents, {items} fuzzy counts → {learned.MODEL} "
          f"({learned.MODEL.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
