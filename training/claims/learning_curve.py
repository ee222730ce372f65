"""The learning curve of the claims extraction (issue 16): the 5-fold CV by story on the `train`
split with each fold's learned parts trained on a fraction of the other folds' stories
(speaker_cv.kept_stories: a seeded choice, nested across fractions; the held-out fold whole, so
every point is scored on the same stories).

    .venv/bin/python -m training.claims.learning_curve [--seed N] [--stance-only] F [F ...]

For each fraction F: the stories and gold claims each fold trains on (mean over the folds; the
dev gold's claims are added to every fold whatever F), the stance CV of train.py (accuracy of
each of train.METHODS; the rules' own stance does not depend on F) and, unless --stance-only,
the shipped pipeline's CV (speaker_cv base: induced cues, learned cue and speaker ranker trained
on the fraction). `--seed N` chooses the stories and trains the classifiers with seed N (default:
the config's seed, stories shuffled by 0). F = 1 is the ordinary CV of each. Results go to
$TMPDIR/learning_curve_seed{N}.json. Never reads the `test` split.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from evaluation import corpus
from training.claims import speaker_cv, train
from training.claims.speaker_cv import kept_stories, train_stories


def sizes(fraction: float, seed: str | None) -> dict:
    """Stories and gold claims of the train split each fold trains on, mean over the folds."""
    per_story = Counter(r["story_id"] for r in corpus.records("claims", "train"))
    stories = claims = 0
    for fold in range(train.FOLDS):
        kept = [s for s in kept_stories(fraction, fold, seed) if corpus.fold_of(s) != fold]
        stories += len(kept)
        claims += sum(per_story[s] for s in kept)
    return {"stories": stories / train.FOLDS, "claims": claims / train.FOLDS}


def stance_cv(fraction: float, seed: str | None, work: Path) -> dict:
    """train.cross_validate with each fold's classifier trained on `kept_stories`: run on one
    fold at a time (`folds=1`; the held-out fold's examples as its fold 0, spaCy's dev set and
    the scored ones, the kept stories' as fold 1), the right answers read off its confusion and
    pooled. The cues are induced on all train stories and the dev gold, as `make train` does
    before its stance CV."""
    recs, dev = corpus.records("claims", "train"), train._dev_gold()
    right: Counter = Counter()
    n = 0
    train._use_cues(train.induce(recs + dev, speaker_cv.MIN_COUNT))
    try:
        for fold in range(train.FOLDS):
            with train_stories(kept_stories(fraction, fold, seed)):
                items = train.examples()
            one = [
                (dataclasses.replace(ex, fold=int(ex.fold != fold)), ok and ex.fold == fold, cue)
                for ex, ok, cue in items
            ]
            with speaker_cv._seed(seed, work):
                _, confusion = train.cross_validate(one, work / f"stance{fold}", folds=1)
            for method, by_gold in confusion.items():
                right[method] += sum(got[gold] for gold, got in by_gold.items())
            n += sum(sum(got.values()) for got in confusion["rules"].values())
    finally:
        train._use_cues(None)
    return {m: round(right[m] / n, 4) for m in train.METHODS} | {"n": n}


def main(argv: list[str]) -> int:
    argv, seed, stance_only = list(argv), None, False
    while argv and argv[0] in ("--seed", "--stance-only"):
        if argv[0] == "--seed":
            seed, argv = argv[1], argv[2:]
        else:
            stance_only, argv = True, argv[1:]
    fractions = [float(f) for f in argv] or [0.25, 0.5, 0.75, 1.0]
    work = Path(tempfile.mkdtemp(prefix="newsledger-lc-"))
    out = Path(tempfile.gettempdir()) / f"learning_curve_seed{seed or 'default'}.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    try:
        for f in fractions:
            point = {"per_fold": sizes(f, seed), "stance": stance_cv(f, seed, work)}
            if not stance_only:
                figs, _ = speaker_cv.run_variant(
                    corpus.parsed("train", labelled_for="claims"), {}, work, seed, train_fraction=f
                )
                point["pipeline"] = figs
            results[str(f)] = results.get(str(f), {}) | point
            out.write_text(json.dumps(results, indent=1), encoding="utf-8")
            print(f"learning_curve: {f} {json.dumps(point)}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
