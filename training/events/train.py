"""`make train` for the event classifiers: convert, train them with a fixed seed, choose the
thresholds and the mode method by cross-validation, package the small artefacts the pipeline
loads.

The artefacts (transforms/models/events/{trigger_detect,trigger_type,argument,mode}/) hold only
the trained textcat components, and `training.json` records the fingerprint of everything they
were trained from: the config, this folder's code, the feature and rule code and word lists they
read, the labelled `train` stories and their events, the spaCy and pinned-pipeline versions.
tests/training/test_trained_models.py fails when the fingerprint no longer matches (the artefact
is stale: run `make train`). Training never reads the `test` split.

Thresholds (trigger type probability, actor and recipient probability) are chosen by the event
F1 of evaluation/events.py (the scoring `make eval` prints on the test split) pooled over 5-fold
cross-validation by story: each fold's events found by trigger and argument classifiers trained
on the other four (the fold as spaCy's dev set, as the shipped ones hold out fold 0: for fold 0
they are the shipped ones). The dev fold alone holds ~130 gold events, ~30 of them found: too few
to choose between close values (the pledge trainer chooses its thresholds the same way). The
same folds decide whether the mode classifier or the mode rules give the events their mode.
"""

from __future__ import annotations

import itertools
import shutil
from collections import Counter
from pathlib import Path
from unittest import mock

from evaluation import corpus
from training import common
from training.events import convert
from transforms.extract import events

HERE = Path(__file__).resolve().parent
CONFIG = common.CONFIG
EXTRACT = Path(events.__file__).resolve().parent
# What the examples are made of, besides the data: the feature code, the rules whose answers
# are features (events.py, parties.py and the word lists), the candidate parties.
INPUT_CODE = [
    EXTRACT / "event_features.py",
    EXTRACT / "events.py",
    EXTRACT / "dates.py",  # the mode classifier reads how far the event's date lies back
    EXTRACT / "parties.py",
    EXTRACT / "quotes.py",
    EXTRACT / "rules" / "event_lexicon.csv",
    EXTRACT / "rules" / "event_words.yaml",
    EXTRACT / "rules" / "event_features.yaml",
    # the lexicon's nearest types by word vectors (trigger group vsim)
    EXTRACT / "lexicon_neighbours.py",
    EXTRACT.parent / "models" / "lexicon_neighbours.tsv.gz",
    # the scoring whose pooled F1 chooses the thresholds
    EXTRACT.parents[1] / "evaluation" / "events.py",
    # which train stories are labelled for events (`labelled_story_ids`): the examples' stories
    EXTRACT.parents[1] / "evaluation" / "corpus.py",
]
# Session 25's first cross-validated grid chose its lowest trigger and highest actor threshold
# (0.1, 0.5): each range was widened by a step. Session 27's two trigger stages (a product of two
# probabilities, so lower scores) chose the lowest trigger (0.05) and the highest recipient
# threshold (0.35) of the grid then: both widened again.
GRID = {
    "trigger": [0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5],
    "actor": [0.2, 0.35, 0.5, 0.65],
    "recipient": [0.1, 0.2, 0.35, 0.5],
}
DEFAULT_THRESHOLDS = {"trigger": 0.5, "actor": 0.5, "recipient": 0.3}


def fingerprint() -> str:
    """SHA-256 of what decides the trained models: config, code, train data, library versions."""
    return common.fingerprint(
        [HERE / "convert.py", HERE / "train.py", *INPUT_CODE, *common.chooser_inputs()], ["events"]
    )


FOLDS = 5
# The trigger score is two stages (events.Classifiers): trigger_detect (event or not) times
# trigger_type (which type, given an event). Session 27, helper's 5-fold CV by story on the train
# split (training/README.md): typed trigger F1 0.208 -> 0.260 against the one-stage classifier,
# better on every fold. The one-stage "trigger" examples stay for cv.py's feature groups.
KINDS = ("trigger_detect", "trigger_type", "argument", "mode")
# The thresholds are chosen on the event F1 pooled over the folds of the CV run with these
# training seeds (None: the config's, whose dev fold is the shipped classifiers). One seed's CV
# moved its best grid point between retrains (sessions 25-30: 0.075 / 0.5 / 0.35 and 0.15 /
# 0.2 / 0.2 in turn; the grid is flat between them, and the seed alone moves this CV by about
# 0.01): pooling three seeds picks the point that holds across training noise (session 30).
CV_SEEDS = (None, 1, 2)


def _fold_models(
    items: list, fold: int, job: common.Job, seed: int | None = None
) -> tuple[events.Classifiers, Path]:
    """The classifiers trained on every train fold but `fold` (with `fold` as spaCy's dev set),
    with training seed `seed` (None: the config's), and the folder whose `*_dev.spacy` files
    hold that fold's examples. For the dev fold at the config's seed these are the shipped
    classifiers and the job's own folder."""
    if fold == convert.DEV_FOLD and seed is None:
        return events.Classifiers(job.target), job.work
    fold_dir = job.work / (f"cv{fold}" if seed is None else f"cv{fold}_seed{seed}")
    convert.write(items, fold_dir, dev_fold=fold)
    model_dir = fold_dir / "models"
    overrides = None if seed is None else {"system.seed": seed}
    common.ship({k: common.train_one(k, fold_dir, overrides) for k in KINDS}, model_dir)
    shutil.copy(job.meta_path, model_dir / "training.json")
    return events.Classifiers(model_dir), fold_dir


def _mode_hits(models: events.Classifiers, fold_dir: Path) -> Counter:
    """How many of the fold's gold triggers the mode classifier and the mode rules get right (the
    rules' answer is one of the classifier's features: `rule_<mode>`)."""
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(fold_dir / "mode_dev.spacy").get_docs(models.mode.vocab))
    words = [[t.text for t in d] for d in docs]
    gold = [max(d.cats, key=d.cats.get) for d in docs]
    learned = [max(p, key=p.get) for p in models.scores(models.mode, words)]
    rules = [next(w[5:] for w in ws if w.startswith("rule_")) for ws in words]
    return Counter(
        learned=sum(map(str.__eq__, learned, gold)),
        rules=sum(map(str.__eq__, rules, gold)),
        n=len(gold),
    )


def _event_counts(models: events.Classifiers, ids: list[str], held: list) -> dict[tuple, tuple]:
    """(tp, fp, fn) of the event F1 on the stories `ids` at every GRID point."""
    from evaluation.events import score_stories

    out = {}
    # the extractor reads its classifiers through events.classifiers(): the fold's stand in
    with mock.patch.object(events, "classifiers", lambda: models):
        for values in itertools.product(*GRID.values()):
            models.thresholds = dict(zip(GRID, values, strict=True))
            score = score_stories(ids, held)
            out[values] = (score.tp, score.fp, score.fn)
    return out


def cross_validate(items: list, job: common.Job) -> dict:
    """5-fold cross-validation by story over the train stories, each fold read by classifiers
    not trained on it: the mode method (classifier or rules, whichever gets more gold triggers'
    mode right at the config's seed; a tie keeps the rules) and the thresholds with the best
    event F1 pooled over the folds and the CV_SEEDS (ties: the first in GRID order), with the
    pooled figures behind both choices."""
    train_ids = corpus.story_ids("train", labelled_for="events")
    parsed = corpus.parsed("train", labelled_for="events")
    mode: Counter = Counter()
    pooled = {values: [0, 0, 0] for values in itertools.product(*GRID.values())}
    for seed in CV_SEEDS:
        for fold in range(FOLDS):
            models, fold_dir = _fold_models(items, fold, job, seed)
            if seed is None:
                mode += _mode_hits(models, fold_dir)
            ids = [s for s in train_ids if corpus.fold_of(s) == fold]
            held = [p for p in parsed if p[0].id in set(ids)]
            for values, got in _event_counts(models, ids, held).items():
                pooled[values] = [a + b for a, b in zip(pooled[values], got, strict=True)]
    scores = {}
    for values, (tp, fp, fn) in pooled.items():
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        scores[",".join(map(str, values))] = {"tp": tp, "fp": fp, "fn": fn, "f1": round(f1, 4)}
    best = max(scores, key=lambda k: scores[k]["f1"])
    return {
        "mode_method": "learned" if mode["learned"] > mode["rules"] else "rules",
        "cv_mode_accuracy": {k: round(mode[k] / mode["n"], 4) for k in ("learned", "rules")}
        | {"n": mode["n"]},
        "thresholds": dict(zip(GRID, map(float, best.split(",")), strict=True)),
        "cv_seeds": [s if s is not None else "config" for s in CV_SEEDS],
        "cv_event_scores": scores,
    }


@common.trainer("events", lambda: events.MODELS_DIR, fingerprint)
def run(job: common.Job) -> None:
    items, counts = convert.examples()
    counts = dict(sorted(counts.items()))
    convert.write(items, job.work)
    print(f"events: converted {counts}")
    common.ship({k: common.train_one(k, job.work) for k in KINDS}, job.target)
    job.save({"thresholds": DEFAULT_THRESHOLDS, "data": counts})
    meta = {"data": counts} | cross_validate(items, job)
    job.save(meta)
    events.classifiers.cache_clear()
    key = ",".join(map(str, meta["thresholds"].values()))
    print(
        f"events: thresholds {meta['thresholds']} (5-fold CV on train: "
        f"{meta['cv_event_scores'][key]}); mode {meta['mode_method']} {meta['cv_mode_accuracy']}"
    )
