"""How far the held-out headline figures could move on another draw of stories: 95% intervals by
resampling the test split's stories.

The test split holds 52 stories (378 gold events, 503 claims, 26 core pledge records), so a
difference of a few hundredths between two versions of the pipeline is often within what another
draw of 52 stories would give. Each figure is recomputed on DRAWS samples of the stories drawn
with replacement (a story brings all its predictions and gold records: the sections match them
within a story), and the 2.5th and 97.5th percentiles are printed beside the figure itself. The
sample is seeded, so `make eval` prints the same interval every time.

The per-story counts come from the sections' own scoring (evaluation/events.py `score_stories`,
claims.py and pledges.py `score`), one story at a time; their sums are the sections' figures
(tests/test_uncertainty.py checks that on train stories).

The same figures are then given per style of text (`STYLES`: Wikinews, VOA news, US government
releases), each with its interval over resamples of that style's stories only: the test split
mixes the styles (36 / 11 / 5 stories; 34 / 11 / 0 of them labelled for claims and events),
and a figure that holds on one may not on another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy

from evaluation import corpus
from evaluation.common import Row

DRAWS = 2000
SEED = 0
# style of text -> the corpus `source` values of its stories (gold/train/README.md)
STYLES = {
    "wikinews": ("wikinews",),
    "VOA news": ("voa",),
    "US gov. releases": ("state_dept", "whitehouse"),
}


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


@dataclass(frozen=True)
class Layout:
    """How one figure's per-story counts read: its F1 over summed rows, and which summed counts
    are the gold records and the predictions (printed beside the interval)."""

    f1: Callable[[numpy.ndarray], numpy.ndarray]
    gold: Callable[[numpy.ndarray], int]
    predicted: Callable[[numpy.ndarray], int]


# (tp, fp, fn): the events and claims sections
COUNTS = Layout(f1_of_counts, gold=lambda t: t[0] + t[2], predicted=lambda t: t[0] + t[1])
# (predictions matched, predictions, core records found, core records): the pledges section
RATIOS = Layout(f1_of_ratios, gold=lambda t: t[3], predicted=lambda t: t[1])


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
    """(tp, fp, fn) of type + actor + recipient per story of `parsed` ((story, doc, context)):
    the section's own `score_stories`, one story at a time."""
    from evaluation import events

    return [
        (s.tp, s.fp, s.fn) for s in (events.score_stories([item[0].id], [item]) for item in parsed)
    ]


def _by_story(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for rec in records:
        out.setdefault(rec["story_id"], []).append(rec)
    return out


def claim_scores(split: str) -> dict[str, dict]:
    """The claims section's `score` counts per story of `split` labelled for claims (the claims
    extracted once)."""
    from evaluation import claims

    gold = _by_story(corpus.records("claims", split))
    preds = claims.predict_split(split)
    return {
        sid: claims.score(gold.get(sid, []), {sid: preds.get(sid, [])}, [sid])
        for sid in corpus.story_ids(split, labelled_for="claims")
    }


def claim_counts(scores: dict[str, dict], field: str) -> dict[str, tuple[int, int, int]]:
    """(tp, fp, fn) of one claims field ("speaker", "content_overlap") per story's `scores`."""
    return {
        sid: (s.get(field, 0), s["n_pred"] - s.get(field, 0), s["n_gold"] - s.get(field, 0))
        for sid, s in scores.items()
    }


def pledge_counts(split: str) -> dict[str, tuple[int, int, int, int]]:
    """(matched, predicted, core found, core) of the strict pledge rule per story of `split`."""
    from evaluation import pledges

    gold = _by_story(corpus.records("aid_pledges", split))
    preds = pledges.predict_split(split)
    return {
        sid: pledges.score({sid: preds.get(sid, [])}, gold.get(sid, []), lenient=False)
        for sid in corpus.story_ids(split, labelled_for="aid_pledges")
    }


def report() -> list[Row]:
    """Each figure on the test split's stories labelled for it, then per style of text."""
    if not corpus.story_ids("test"):
        return []
    events_parsed = corpus.parsed("test", labelled_for="events")
    claims = claim_scores("test")
    figures = [
        (
            "events type+actor+rec.",
            dict(zip([p[0].id for p in events_parsed], event_counts(events_parsed), strict=True)),
            COUNTS,
        ),
        ("claims speaker", claim_counts(claims, "speaker"), COUNTS),
        ("claims content_overlap", claim_counts(claims, "content_overlap"), COUNTS),
        ("pledges strict", pledge_counts("test"), RATIOS),
    ]
    known = corpus.stories()
    groups = [("test split", None)] + [
        (f"test: {style}", set(src)) for style, src in STYLES.items()
    ]
    rows = []
    for name, sources in groups:
        for field, per_story, layout in figures:
            counts = [
                c for sid, c in per_story.items() if not sources or known[sid].source in sources
            ]
            if not counts:
                continue  # no story of this style is labelled for this record set
            gold, predicted = gold_and_predicted(counts, layout)
            dataset = f"{name} ({len(counts)} st., resampled)"
            if not gold:
                # an F1 of 0 would read as a failure: say what there is instead
                note = f"no gold records in these stories; {predicted} predicted"
                rows.append(Row("interval", dataset, field, note=note))
                continue
            whole, low, high = interval(counts, layout.f1)
            rows.append(
                Row(
                    "interval",
                    dataset,
                    field,
                    value=whole,
                    note=f"F1 95% interval [{low:.3f}, {high:.3f}] over {DRAWS:,} resamples of "
                    f"the {len(counts)} stories (seed {SEED}); {gold} gold, {predicted} predicted",
                )
            )
    return rows


def gold_and_predicted(counts: list, layout: Layout) -> tuple[int, int]:
    """(gold records, predictions) summed over per-story `counts` read as `layout` says."""
    total = numpy.atleast_2d(numpy.asarray(counts, dtype=int)).sum(axis=0)
    return int(layout.gold(total)), int(layout.predicted(total))
