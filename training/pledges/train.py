"""`make train` for the pledge classifiers: convert, train both with a fixed seed, choose the
thresholds on the dev fold, package the artefacts the pipeline loads (transforms/models/pledges/).

`training.json` records the fingerprint of everything they were trained from (the shared config,
this folder's code, the feature and rule code and word lists, the labelled `train` stories and
their pledges, the library versions); tests/training/test_trained_models.py fails when it no
longer matches. Thresholds (statement probability, donor and recipient probability) are chosen
by 5-fold cross-validation over the train stories, by the pledge F1 of evaluation/pledges.py
(precision over every prediction, recall over core records, the strict rule), the scoring
`make eval` prints on the test split. The shipped classifiers are trained on folds 1-4 with
fold 0 as spaCy's dev set, as the event classifiers are. Training never reads the `test` split.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from evaluation import corpus
from training import common
from training.pledges import convert
from transforms.extract import pledges

HERE = Path(__file__).resolve().parent
EXTRACT = Path(pledges.__file__).resolve().parent
# What the examples are made of, besides the data: the feature code, the rules whose answers are
# features (pledges.py, parties.py, the amount parser and the word lists), the candidate parties.
INPUT_CODE = [
    EXTRACT / "pledge_features.py",
    EXTRACT / "event_features.py",
    EXTRACT / "pledges.py",
    EXTRACT / "parties.py",
    EXTRACT / "quotes.py",
    EXTRACT / "money.py",
    *sorted((EXTRACT / "rules").glob("aid_*.csv")),
    EXTRACT / "rules" / "stage_cues.csv",
    # the stage reading at each anchor (the thresholds' grid scores the records it gives)
    EXTRACT / "pledge_stage.py",
    EXTRACT / "rules" / "anchor_stage_cues.csv",
    EXTRACT / "rules" / "anchor_stage.yaml",
    EXTRACT / "rules" / "cumulative_cues.yaml",
    EXTRACT / "pledge_totals.py",
    EXTRACT / "word_clusters.py",
    EXTRACT.parent / "models" / "word_clusters.tsv.gz",
    # the scoring whose pooled F1 chooses the thresholds
    EXTRACT.parents[1] / "evaluation" / "pledges.py",
]
KINDS = ("statement", "stage", "argument")
GRID = {
    "statement": [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6],
    "donor": [0.0, 0.2, 0.4, 0.6],
    "recipient": [0.0, 0.2, 0.4, 0.6],
    # 1.0: where the rules read the same amount with both parties, their donor and recipient
    # stand; 0.0: the argument classifier decides everywhere
    "rule_parties": [0.0, 1.0],
    # 1.0: the rules' denials are kept beside the learned records of their sentence
    "rule_denials": [0.0, 1.0],
    # 1.0: where the rules read the same amount under a verb that names its stage ("delivered",
    # "pledged"), their stage stands over the stage classifier's
    "rule_stage": [0.0, 1.0],
}
DEFAULT_THRESHOLDS = {
    "statement": 0.5,
    "donor": 0.35,
    "recipient": 0.35,
    "rule_parties": 0.0,
    "rule_denials": 0.0,
    "rule_stage": 0.0,
}


def fingerprint() -> str:
    """SHA-256 of what decides the trained models: config, code, train data, library versions."""
    from evaluation.pledges import GOLD

    return common.fingerprint(
        [HERE / "convert.py", HERE / "train.py", *INPUT_CODE, GOLD, *common.chooser_inputs()],
        ["aid_pledges"],
    )


FOLDS = 5


def _f1(tp: int, n: int, found: int, n_core: int) -> float:
    p = tp / n if n else 0.0
    r = found / n_core if n_core else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


# training seeds of the cross-validation (None: the config's). One seed's CV strict F1 at the
# shipped thresholds was 0.519, 0.512 and 0.439 at seeds 1337, 2 and 3 (session 31, branch
# pl31): the seed alone moves it by up to 0.08, so the thresholds are chosen on the counts
# pooled over three seeds, as the events' are since session 30.
CV_SEEDS = (None, 1, 2)


def choose_thresholds(items: list, work: Path) -> tuple[dict[str, float], dict]:
    """The thresholds with the best strict pledge F1 pooled over 5-fold cross-validation by
    story and the CV_SEEDS (for each fold and seed, the classifiers trained on the other four
    folds of every labelled story training reads predict the fold's corpus stories; ties: the
    first in GRID order). The dev fold alone holds too few pledges (22 core records) to choose
    between close values."""
    from evaluation.pledges import clusters, score
    from transforms.extract.base import ArticleContext
    from transforms.nlp.pipeline import load_nlp

    stories = convert.labelled_stories()
    docs = load_nlp().pipe([text for _, text, _, _ in stories], batch_size=16)
    parsed = [
        (sid, doc, ArticleContext(sid, published, "cv"))
        for (sid, _, published, _), doc in zip(stories, docs, strict=True)
    ]
    scored_ids = set(corpus.story_ids("train"))
    gold = [rec for sid, *_, recs in stories if sid in scored_ids for rec in recs]
    pooled = {values: [0, 0, 0, 0] for values in itertools.product(*GRID.values())}
    for seed, fold in itertools.product(CV_SEEDS, range(FOLDS)):
        fold_dir = work / (f"cv{fold}" if seed is None else f"cv{fold}_seed{seed}")
        common.write(items, fold_dir, convert.LABELS, dev_fold=fold)
        model_dir = fold_dir / "models"
        overrides = None if seed is None else {"system.seed": seed}
        common.ship({k: common.train_one(k, fold_dir, overrides) for k in KINDS}, model_dir)
        (model_dir / "training.json").write_text(
            json.dumps({"thresholds": DEFAULT_THRESHOLDS}), encoding="utf-8"
        )
        models = pledges.Classifiers(model_dir)
        # scored on the corpus's stories only: the rules were written on the dev gold's, so a
        # score there would favour them (they still train the other folds' classifiers)
        held = [
            (sid, doc, ctx)
            for sid, doc, ctx in parsed
            if corpus.fold_of(sid) == fold and sid in scored_ids
        ]
        for values, counts in pooled.items():
            models.thresholds = dict(zip(GRID, values, strict=True))
            preds = {sid: clusters(doc, ctx, "learned", models) for sid, doc, ctx in held}
            got = score(preds, [g for g in gold if g["story_id"] in preds], lenient=False)
            pooled[values] = [a + b for a, b in zip(counts, got, strict=True)]
    results = {}
    for v, (tp, n, fd, nc) in pooled.items():
        f1 = round(_f1(tp, n, fd, nc), 4)
        results[",".join(map(str, v))] = {"p": f"{tp}/{n}", "r": f"{fd}/{nc}", "f1": f1}
    # ties: the grid point that keeps more of the rules' answers (the rule_* options on) wins,
    # then the first in GRID order: where cross-validation cannot tell, the words' own reading
    # (a verb that names its stage, a denial) stands
    rule_keys = [i for i, k in enumerate(GRID) if k.startswith("rule_")]

    def rank(key: str) -> tuple[float, int]:
        values = key.split(",")
        return results[key]["f1"], sum(float(values[i]) > 0 for i in rule_keys)

    best = max(results, key=rank)
    return dict(zip(GRID, map(float, best.split(",")), strict=True)), results


@common.trainer("pledges", lambda: pledges.MODELS_DIR, fingerprint)
def run(job: common.Job) -> None:
    items, counts = convert.examples()
    counts = dict(sorted(counts.items()))
    print(f"pledges: converted {counts}")
    thresholds, grid = choose_thresholds(items, job.work)
    common.write(items, job.work, convert.LABELS)
    common.ship({k: common.train_one(k, job.work) for k in KINDS}, job.target)
    job.save({
        "thresholds": thresholds, "data": counts, "cv_pledge_scores": grid,
        "cv_seeds": [s if s is not None else "config" for s in CV_SEEDS],
    })  # fmt: skip
    pledges.classifiers.cache_clear()
    key = ",".join(map(str, thresholds.values()))
    print(f"pledges: thresholds {thresholds} (5-fold CV on train: {grid[key]})")
