"""How far the held-out headline figures could move on another draw of stories: 95% intervals by
resampling the test split's stories.

The test split holds 52 stories (378 gold events, 503 claims, 26 core pledge records), so a
difference of a few hundredths between two versions of the pipeline is often within what another
draw of 52 stories would give. Each figure is recomputed on DRAWS samples of the stories drawn
with replacement (a story brings all its predictions and gold records: the sections match them
within a story), and the 2.5th and 97.5th percentiles are printed beside the figure itself. The
sample is seeded, so `make eval` prints the same interval every time.

The per-story counts come from the sections' own scoring (evaluation/events.py `Score`,
claims.py and pledges.py `score`), one story at a time; their sums are the sections' figures
(tests/test_uncertainty.py checks that on train stories).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy

from evaluation import corpus
from evaluation.common import Row

DRAWS = 2000
SEED = 0


def f1_of_counts(sums: numpy.ndarray) -> numpy.ndarray:
    """F1 of rows of (tp, fp, fn): 2tp / (2tp + fp + fn), 0 where nothing was predicted or due."""
    tp, fp, fn = sums[:, 0], sums[:, 1], sums[:, 2]
    den = 2 * tp + fp + fn
    return numpy.divide(2 * tp, den, out=numpy.zeros_like(den), where=den > 0)


def f1_of_ratios(sums: numpy.ndarray) -> numpy.ndarray:
    """F1 of rows of (predictions matched, predictions, core records found, core records): the
    pledge section's precision over every prediction and recall over core records."""
    p = numpy.divide(sums[:, 0], sums[:, 1], out=numpy.zeros(len(sums)), where=sums[:, 1] > 0)
    r = numpy.divide(sums[:, 2], sums[:, 3], out=numpy.zeros(len(sums)), where=sums[:, 3] > 0)
    return numpy.divide(2 * p * r, p + r, out=numpy.zeros(len(sums)), where=(p + r) > 0)


def interval(
    per_story: Sequence[Sequence[int]],
    figure: Callable[[numpy.ndarray], numpy.ndarray],
    draws: int = DRAWS,
    seed: int = SEED,
) -> tuple[float, float, float]:
    """(figure on all stories, 2.5th, 97.5th percentile over `draws` resamples of the stories)."""
    counts = numpy.asarray(per_story, dtype=float)
    whole = float(figure(counts.sum(axis=0, keepdims=True))[0])
    picks = numpy.random.default_rng(seed).integers(0, len(counts), size=(draws, len(counts)))
    low, high = numpy.percentile(figure(counts[picks].sum(axis=1)), [2.5, 97.5])
    return whole, float(low), float(high)


def event_counts(parsed) -> list[tuple[int, int, int]]:
    """(tp, fp, fn) of type + actor + recipient per story of `parsed` ((story, doc, context))."""
    from evaluation import events

    golds: dict[str, list[dict]] = {}
    for rec in corpus.records("events"):
        golds.setdefault(rec["story_id"], []).append(rec)
    preds = events.predict(parsed)
    out = []
    for story, _, _ in parsed:
        score = events.Score()
        score.add_story(
            preds.get(story.id, []), events.with_spans(golds.get(story.id, []), story.text)
        )
        out.append((score.tp, score.fp, score.fn))
    return out


def claim_counts(split: str, field: str) -> list[tuple[int, int, int]]:
    """(tp, fp, fn) of one claims field ("speaker", "content_overlap") per story of `split`."""
    from evaluation import claims

    gold = corpus.records("claims", split)
    preds = claims.predict_split(split)
    out = []
    for sid in corpus.story_ids(split):
        got = claims.score(
            [g for g in gold if g["story_id"] == sid], {sid: preds.get(sid, [])}, [sid]
        )
        tp = got.get(field, 0)
        out.append((tp, got["n_pred"] - tp, got["n_gold"] - tp))
    return out


def pledge_counts(split: str) -> list[tuple[int, int, int, int]]:
    """(matched, predicted, core found, core) of the strict pledge rule per story of `split`."""
    from evaluation import pledges

    gold = corpus.records("aid_pledges", split)
    preds = pledges.predict_split(split)
    return [
        pledges.score(
            {sid: preds.get(sid, [])}, [g for g in gold if g["story_id"] == sid], lenient=False
        )
        for sid in corpus.story_ids(split)
    ]


def report() -> list[Row]:
    ids = corpus.story_ids("test")
    if not ids:
        return []
    dataset = f"test split ({len(ids)} st., resampled)"
    figures = [
        ("events type+actor+rec.", event_counts(corpus.parsed("test")), f1_of_counts),
        ("claims speaker", claim_counts("test", "speaker"), f1_of_counts),
        ("claims content_overlap", claim_counts("test", "content_overlap"), f1_of_counts),
        ("pledges strict", pledge_counts("test"), f1_of_ratios),
    ]
    rows = []
    for field, per_story, figure in figures:
        whole, low, high = interval(per_story, figure)
        rows.append(
            Row(
                "interval",
                dataset,
                field,
                value=whole,
                note=f"F1 95% interval [{low:.3f}, {high:.3f}] over {DRAWS:,} resamples of the "
                f"{len(ids)} stories (seed {SEED})",
            )
        )
    return rows
