"""Choose the trigger classifier's feature groups by 5-fold cross-validation over the train stories.

`uv run python -m training.events.cv` builds the examples once, then for each variant (a set of
feature groups) and each fold trains the trigger classifier on the other four folds and scores
typed trigger precision/recall/F1 on the held-out fold; counts are pooled over the folds for each
threshold and the best threshold's F1 is the variant's figure. The results go to
training/events/cv_results.json and the winner into rules/event_features.yaml by hand (with the
figures). The `test` split is never read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from training import common
from training.events import convert
from transforms.extract import event_features
from transforms.extract.events import Classifiers

HERE = Path(__file__).resolve().parent
CONFIG = common.CONFIG
RESULTS = HERE / "cv_results.json"
THRESHOLDS = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]
ALL = {
    "l", "p", "t", "d", "lp", "hl", "hp", "ld", "hld", "lex", "lexl", "lexsubj", "neg", "aux",
    "prt", "lprt", "obj", "lobj", "objent", "prep", "lprep", "xcomp", "ccomp", "lxcomp",
    "lccomp", "mod", "subj", "subjent", "subjl", "subjkind", "anc", "root", "seen", "sent", "in",
}  # fmt: skip
SPARSE = {"hld", "anc", "ld", "lprep", "lobj", "mod", "subjl", "lccomp", "lxcomp"}
VARIANTS = {
    "all groups": ALL,
    "without sparse lemma pairs": ALL - SPARSE,
    "... and head lemma": ALL - SPARSE - {"hl"},
    "... and object/complement lemmas": ALL - SPARSE - {"hl", "obj", "xcomp", "ccomp"},
    "lemma + lexicon only": {"l", "p", "lp", "lex", "lexl", "neg", "aux"},
}


def _counts(model: Path, dev: Path) -> dict[float, list[int]]:
    textcat = spacy.load(model).get_pipe("textcat")
    docs = list(DocBin().from_disk(dev).get_docs(textcat.vocab))
    scores = Classifiers.scores(textcat, [[t.text for t in d] for d in docs])
    out = {}
    for th in THRESHOLDS:
        tp = fp = fn = 0
        for doc, probs in zip(docs, scores, strict=True):
            gold = max(doc.cats, key=doc.cats.get)
            best = max((k for k in probs if k != event_features.NONE), key=probs.__getitem__)
            pred = best if probs[best] >= th else event_features.NONE
            if gold != event_features.NONE and pred == gold:
                tp += 1
                continue
            fp += pred != event_features.NONE
            fn += gold != event_features.NONE
        out[th] = [tp, fp, fn]
    return out


def main(folds: int = 5) -> int:
    items, _ = convert.examples()
    results = {}
    with tempfile.TemporaryDirectory(prefix="newsledger-cv-") as tmp:
        for name, groups in VARIANTS.items():
            pooled = {th: [0, 0, 0] for th in THRESHOLDS}
            for fold in range(folds):
                work = Path(tmp) / f"f{fold}"
                convert.write(items, work, dev_fold=fold, trigger_groups=groups)
                cmd = [
                    sys.executable, "-m", "spacy", "train", str(CONFIG), "--output",
                    str(work / "out"), "--paths.train", str(work / "trigger_train.spacy"),
                    "--paths.dev", str(work / "trigger_dev.spacy"),
                ]  # fmt: skip
                subprocess.run(cmd, check=True, capture_output=True)
                for th, c in _counts(
                    work / "out" / "model-best", work / "trigger_dev.spacy"
                ).items():
                    pooled[th] = [a + b for a, b in zip(pooled[th], c, strict=True)]
            f1 = {
                th: 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                for th, (tp, fp, fn) in pooled.items()
            }
            best = max(f1, key=f1.get)
            results[name] = {"groups": sorted(groups), "best_threshold": best,
                             "typed_trigger_f1": round(f1[best], 4), "pooled": pooled}  # fmt: skip
            print(f"{name:40s} F1 {f1[best]:.3f} at {best}", flush=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
