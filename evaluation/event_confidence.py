"""The held-out events figure when a reader keeps only the events of at least a given confidence:
what `where confidence >= c` on fct_events gives (`confidence` is the trigger's probability,
detector x type).

The test split's events, scored as `evaluation.events` scores them (one prediction per type,
actor and recipient in a story, the first mention; gold's matching rule), after dropping the
event rows under each cut. Measured for readers; nothing is chosen from it (the thresholds are
the training CV's, transforms/models/events/training.json).
"""

from __future__ import annotations

from evaluation import corpus
from evaluation.common import Row
from evaluation.events import Score, dedupe, with_spans

CUTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def report() -> list[Row]:
    from transforms.extract.events import event_rows

    ids = corpus.story_ids("test", labelled_for="events")
    if not ids:
        return []
    golds: dict[str, list[dict]] = {}
    for rec in corpus.records("events", "test"):
        golds.setdefault(rec["story_id"], []).append(rec)
    rows = {s.id: event_rows(doc, ctx) for s, doc, ctx in corpus.parsed("test", "events")}
    spanned = {sid: with_spans(golds.get(sid, []), corpus.stories()[sid].text) for sid in ids}
    dataset = f"test split ({len(ids)} st.)"
    out = []
    for cut in CUTS:
        score = Score()
        for sid in ids:
            kept = dedupe(r for r in rows.get(sid, []) if r["confidence"] >= cut)
            score.add_story(kept, spanned[sid])
        out.append(
            Row("events", dataset, f"  confidence >= {cut}", score.tp, score.fp, score.fn,
                note=f"{score.tp + score.fp} predicted, {score.tp} right")
        )  # fmt: skip
    return out
