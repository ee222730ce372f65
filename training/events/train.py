"""`make train` for the event classifiers: convert, train both with a fixed seed, choose the
thresholds on the dev fold, package the small artefacts the pipeline loads.

The artefacts (transforms/models/events/{trigger,argument}/) hold only the trained textcat
components, and `training.json` records the fingerprint of everything they were trained from:
the config, this folder's code, the feature and rule code and word lists they read, the labelled
`train` stories and their events, the spaCy and pinned-pipeline versions.
tests/training/test_trained_models.py fails when the fingerprint no longer matches (the artefact
is stale: run `make train`). Training never reads the `test` split.

Thresholds (trigger type probability, actor and recipient probability) are chosen on the dev
fold (fold 0 of the train stories) by the event F1 of evaluation/events.py, the same scoring
`make eval` prints on the test split.
"""

from __future__ import annotations

import itertools
from pathlib import Path

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
]
GRID = {
    "trigger": [0.1, 0.2, 0.3, 0.4, 0.5],
    "actor": [0.2, 0.35, 0.5],
    "recipient": [0.1, 0.2, 0.35],
}
DEFAULT_THRESHOLDS = {"trigger": 0.5, "actor": 0.5, "recipient": 0.3}


def fingerprint() -> str:
    """SHA-256 of what decides the trained models: config, code, train data, library versions."""
    return common.fingerprint(
        [HERE / "convert.py", HERE / "train.py", *INPUT_CODE, *common.chooser_inputs()], ["events"]
    )


def choose_thresholds() -> tuple[dict[str, float], dict]:
    """The thresholds with the best event F1 on the dev fold (ties: the first in GRID order)."""
    from evaluation.events import score_stories

    dev = [s for s in corpus.story_ids("train") if corpus.fold_of(s) == convert.DEV_FOLD]
    parsed = corpus.parse([corpus.stories()[s] for s in dev])
    models = events.classifiers()
    results = {}
    for values in itertools.product(*GRID.values()):
        models.thresholds = dict(zip(GRID, values, strict=True))
        score = score_stories(dev, parsed)
        f1 = 2 * score.tp / (2 * score.tp + score.fp + score.fn) if score.tp else 0.0
        results[",".join(map(str, values))] = {"tp": score.tp, "fp": score.fp, "fn": score.fn,
                                               "f1": round(f1, 4)}  # fmt: skip
    best = max(results, key=lambda k: results[k]["f1"])
    chosen = dict(zip(GRID, map(float, best.split(",")), strict=True))
    return chosen, results


def choose_mode_method(work: Path) -> tuple[str, dict]:
    """The mode classifier or the mode rules, whichever is more accurate on the dev fold's gold
    triggers (the rules' answer is one of the classifier's features: `rule_<mode>`)."""
    from spacy.tokens import DocBin

    models = events.classifiers()
    docs = list(DocBin().from_disk(work / "mode_dev.spacy").get_docs(models.mode.vocab))
    words = [[t.text for t in d] for d in docs]
    gold = [max(d.cats, key=d.cats.get) for d in docs]
    learned = [max(p, key=p.get) for p in models.scores(models.mode, words)]
    rules = [next(w[5:] for w in ws if w.startswith("rule_")) for ws in words]
    acc = {
        "learned": sum(map(str.__eq__, learned, gold)) / len(gold),
        "rules": sum(map(str.__eq__, rules, gold)) / len(gold),
    }
    return ("learned" if acc["learned"] > acc["rules"] else "rules"), {
        k: round(v, 4) for k, v in acc.items()
    } | {"n": len(gold)}


@common.trainer("events", lambda: events.MODELS_DIR, fingerprint)
def run(job: common.Job) -> None:
    counts = convert.build(job.work)
    print(f"events: converted {counts}")
    kinds = ("trigger", "argument", "mode")
    common.ship({k: common.train_one(k, job.work) for k in kinds}, job.target)
    # written in three steps: the mode method is chosen with the trained classifiers loaded,
    # the thresholds with the chosen mode method
    meta = {"thresholds": DEFAULT_THRESHOLDS, "data": counts}
    job.save(meta)
    events.classifiers.cache_clear()
    meta["mode_method"], meta["dev_mode_accuracy"] = choose_mode_method(job.work)
    job.save(meta)
    events.classifiers.cache_clear()
    thresholds, grid = choose_thresholds()
    meta["thresholds"] = thresholds
    meta["dev_event_scores"] = grid
    job.save(meta)
    events.classifiers.cache_clear()
    key = ",".join(map(str, thresholds.values()))
    print(f"events: thresholds {thresholds} (dev fold {grid[key]})")
