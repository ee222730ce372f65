"""The party country chooser's 5-fold CV by story on the `train` split, as `make train` runs it
(training/actors/train.py), with its error table by the mention's kind, to decide what to try.

    .venv/bin/python -m training.actors.chooser_cv [name [section.key=value ...]]

Prints the accuracy per threshold (claim speakers, event parties, all) and, at the best
threshold, a table per kind of mention (person, pronoun, organization, country, description):
parties, right, accuracy, the rules' accuracy and the ceiling (the gold country among the
candidates). The wrong parties go to $TMPDIR/chooser_cv_{name}.json. Nothing is shipped; never
reads the `test` split. The `section.key=value` overrides of training/textcat_bow.cfg (e.g.
`training.optimizer.L2=0.001`, added to the chooser's own `train.OVERRIDES`) try other
classifier settings without changing the shared config.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from training.actors import train
from transforms.extract import country_chooser

KINDS = ["person", "pronoun", "organization", "country", "description"]


def mention_kind(features: list[str], text: str) -> str:
    """The mention's kind for the table: a pronoun; else what the rules read there (the
    chooser's own `k_` feature: person, organization, country); else a description ("the
    spokesman", "officials", a group)."""
    if text.strip().lower() in country_chooser.PRONOUNS:
        return "pronoun"
    kind = next((f[2:] for f in features if f.startswith("k_")), "none")
    return kind if kind in ("person", "organization", "country") else "description"


def table(predictions: list, threshold: float) -> dict:
    """Per source and kind: n, right (chooser at `threshold`, else rules), rules right, ceiling."""
    cells: dict = {}
    for it, best, rule, cands in predictions:
        kind = mention_kind(next(iter(cands.values()), []), it.text)
        iso3 = best[0] if best and best[1] >= threshold else rule[0]
        for key in ((it.source, kind), (it.source, "all"), ("all", kind), ("all", "all")):
            c = cells.setdefault(key, Counter())
            c["n"] += 1
            c["right"] += iso3 == it.gold
            c["rules"] += rule[0] == it.gold
            c["ceiling"] += it.gold in cands
    return cells


def main(argv: list[str]) -> int:
    name = argv[0] if argv else "base"
    work = Path(tempfile.mkdtemp(prefix="newsledger-choosercv-"))
    predictions: list = []
    try:
        for arg in argv[1:]:
            key, _, value = arg.partition("=")
            train.OVERRIDES[key] = json.loads(value) if value[:1] in "0123456789-[{tf" else value
        data = train.rows()
        cv = train.cross_validate(data, work, predictions)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    threshold = max(train.THRESHOLDS, key=lambda t: (cv[str(t)]["all"], -t))
    for key in ["rules", *train.THRESHOLDS]:
        print(f"{name} {key}: {json.dumps(cv[str(key)])}")
    best = cv[str(threshold)]
    print(f"{name} BEST threshold {threshold}: all {best['all']} ({best['right']}) "
          f"claim {best['claim']} event {best['event']}")  # fmt: skip
    cells = table(predictions, threshold)
    print(f"{'source':6} {'kind':12} {'n':>5} {'right':>5} {'acc':>6} {'rules':>6} {'ceil':>6}")
    for src in ("claim", "event", "all"):
        for kind in [*KINDS, "all"]:
            c = cells.get((src, kind))
            if c:
                print(f"{src:6} {kind:12} {c['n']:5} {c['right']:5} {c['right'] / c['n']:6.3f} "
                      f"{c['rules'] / c['n']:6.3f} {c['ceiling'] / c['n']:6.3f}")  # fmt: skip
    wrong = [
        {
            "story": it.story_id, "source": it.source, "text": it.text, "gold": it.gold,
            "kind": mention_kind(next(iter(cands.values()), []), it.text),
            "chosen": best[0] if best and best[1] >= threshold else rule[0],
            "p": round(best[1], 3) if best else None, "rule": rule[0],
            "gold_candidate": it.gold in cands, "sentence": it.sentence[:200],
            "gold_features": cands.get(it.gold),
            "chosen_features": cands.get(best[0]) if best else None,
        }
        for it, best, rule, cands in predictions
        if (best[0] if best and best[1] >= threshold else rule[0]) != it.gold
    ]  # fmt: skip
    out = Path(tempfile.gettempdir()) / f"chooser_cv_{name}.json"
    out.write_text(json.dumps(wrong, indent=1), encoding="utf-8")
    print(f"{len(wrong)} wrong parties -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
