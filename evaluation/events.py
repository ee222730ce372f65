"""PLOVER events against the labelled corpus (gold/train/events.jsonl), held out by story.

Scoring (issue 15, gold/train/README.md): within one story, a predicted event matches a gold
event when the PLOVER type is the same, the actor is the same party and, where gold has a
recipient, so is the recipient; party = same ISO3 where both have one, else the same normalized
name or the same surname (last word). Matching is one-to-one, pairs in the same sentence first.
Predictions are the pipeline's own `event_mentions` rows of the story, one per (type, actor,
recipient) as gold lists a repeated event once ("a repeat of the same event in the same story
is not a second record"): the first mention in the text is kept.

Figures: events P/R/F1 (the target), the same with type only (type + same sentence: trigger
detection), mode and date accuracy over matched events (date: the event's own time expression
resolved; gold's null when it has none, and our `publication_date` fallback counts as none),
and an error table per field. Figures are printed for the `test` split (held out: nothing was
trained or tuned on it) and, labelled as such, in-sample on the `train` split the tagger learned
from; the cross-validated figures that chose the thresholds are those training/events/train.py
recorded. Both splits come parsed from `corpus.parsed`, shared with the other sections.

The PLOVER GSR sentences (../shared/data/plover-gsr, 322 sentences coded with an older PLOVER
draft) are scored too: event type accuracy of each sentence's main event, on the 20 types.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable

from evaluation import corpus
from evaluation.common import SHARED_DATA, ErrorTable, Row, norm_name

GSR = SHARED_DATA / "plover-gsr" / "PLOVER_GSR_CAMEO.json"
# The GSR's older draft names (FIGHT) -> the 2021 types the corpus uses.
GSR_LEGACY = {"FIGHT": "ASSAULT"}
# the fields with an error table
FIELDS = ("events", "mode", "date", "party country")


def same_party(
    p_iso: str | None, p_name: str | None, g_iso: str | None, g_name: str | None
) -> bool:
    """Same ISO3 where both have one, else same normalized name or same last word."""
    if p_iso and g_iso:
        return p_iso == g_iso
    a, b = norm_name(p_name), norm_name(g_name)
    if not a or not b:
        return not a and not b and not p_iso and not g_iso
    return a == b or a.split()[-1] == b.split()[-1]


def dedupe(rows: Iterable[dict]) -> list[dict]:
    """One prediction per (type, actor, recipient) in a story: the first mention in the text."""
    seen, out = set(), []
    for r in sorted(rows, key=lambda r: (r["start_char"], r["event_type"])):
        key = (
            r["event_type"],
            r.get("actor_iso3") or norm_name(r.get("actor_name")),
            r.get("recipient_iso3") or norm_name(r.get("recipient_name")),
        )
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


def in_sentence(pred: dict, gold: dict) -> bool:
    """The prediction's trigger lies in the gold event's sentence (our sentence boundaries may
    differ from the annotator's, so positions decide, not sentence texts)."""
    start, end = gold["_span"]
    return start <= pred["start_char"] < end


def with_spans(golds: list[dict], text: str) -> list[dict]:
    """Gold records with `_span`, the character span of their sentence in the story text."""
    out = []
    for g in golds:
        at = text.find(g["sentence"])
        out.append({**g, "_span": (at, at + len(g["sentence"])) if at >= 0 else (-1, -1)})
    return out


def event_match(pred: dict, gold: dict) -> bool:
    if pred["event_type"] != gold["event_type"]:
        return False
    if not same_party(
        pred.get("actor_iso3"), pred.get("actor_name"), gold["actor_iso3"], gold["actor"]
    ):
        return False
    if gold.get("recipient") or gold.get("recipient_iso3"):
        return same_party(
            pred.get("recipient_iso3"),
            pred.get("recipient_name"),
            gold.get("recipient_iso3"),
            gold.get("recipient"),
        )
    return True


def match(preds: list[dict], golds: list[dict]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index); pairs in the same sentence are taken first."""
    cands = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if event_match(p, g):
                cands.append((not in_sentence(p, g), i, j))
    cands.sort()
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in cands:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


def _date_of(pred: dict) -> tuple[str | None, str | None]:
    if pred.get("date_method") in (None, "publication_date") or pred.get("event_date") is None:
        return None, None
    d = pred["event_date"]
    return (d.isoformat() if isinstance(d, dt.date) else str(d)), pred.get("date_precision")


def predict(parsed, triggers: str = "auto") -> dict[str, list[dict]]:
    """{story id: deduplicated event rows} for parsed stories (`triggers`: see events.py)."""
    from transforms.extract.events import event_rows

    out = {}
    for story, doc, ctx in parsed:
        out[story.id] = dedupe(event_rows(doc, ctx, triggers))
    return out


class Score:
    """Counts and error kinds of one scoring run."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.type_tp = self.type_fp = self.type_fn = 0
        self.mode_ok = self.date_ok = self.n_matched = 0
        # party countries (issue 16): gold actor / recipient with an ISO3, read on the prediction
        # of the same type in the same sentence; "all" counts undetected events as no answer
        self.country_ok = self.country_detected = self.country_all = 0
        self.errors: dict[str, Counter] = {f: Counter() for f in FIELDS}
        self.examples: dict[str, dict[str, str]] = {f: {} for f in self.errors}

    def error(self, field: str, kind: str, example: str) -> None:
        self.errors[field][kind] += 1
        self.examples[field].setdefault(kind, example)

    def add_story(self, preds: list[dict], golds: list[dict]) -> None:
        pairs = match(preds, golds)
        self.tp += len(pairs)
        self.fp += len(preds) - len(pairs)
        self.fn += len(golds) - len(pairs)
        matched_p = {i for i, _ in pairs}
        matched_g = {j for _, j in pairs}
        # type + sentence only: does the tagger find the event at all?
        used: set[int] = set()
        for g in golds:
            hit = next(
                (
                    k
                    for k, p in enumerate(preds)
                    if k not in used and p["event_type"] == g["event_type"] and in_sentence(p, g)
                ),
                None,
            )
            if hit is None:
                self.type_fn += 1
            else:
                used.add(hit)
                self.type_tp += 1
            for role in ("actor", "recipient"):
                gold_iso = g.get(f"{role}_iso3")
                if not gold_iso:
                    continue
                self.country_all += 1
                if hit is not None:
                    self.country_detected += 1
                    pred_iso = preds[hit].get(f"{role}_iso3")
                    if pred_iso == gold_iso:
                        self.country_ok += 1
                    else:
                        self.error(
                            "party country",
                            f"{role}: {'none' if pred_iso is None else 'other country'}",
                            f"{g[role]} ({gold_iso}) pred {preds[hit].get(f'{role}_name')} "
                            f"({pred_iso})",
                        )
        self.type_fp += len(preds) - len(used)
        for i, j in pairs:
            p, g = preds[i], golds[j]
            self.n_matched += 1
            if p["mode"] == g["mode"]:
                self.mode_ok += 1
            else:
                self.error("mode", f"gold {g['mode']} pred {p['mode']}", g["trigger"])
            date, precision = _date_of(p)
            if (date, precision if date else None) == (g["event_date"], g["date_precision"]):
                self.date_ok += 1
            elif g["event_date"] is None:
                self.error(
                    "date", "dated, gold has no date", f"{p.get('date_text')} / {g['trigger']}"
                )
            elif date is None:
                self.error("date", "no date, gold has one", f"{g['date_text']} / {g['trigger']}")
            else:
                self.error(
                    "date", "wrong date", f"{p.get('date_text')}={date} gold {g['event_date']}"
                )
        for j, g in enumerate(golds):
            if j in matched_g:
                continue
            same_sent = [p for k, p in enumerate(preds) if k not in matched_p and in_sentence(p, g)]
            same_type = [p for p in same_sent if p["event_type"] == g["event_type"]]
            if not same_sent:
                kind = f"missed {g['event_type']}: nothing in its sentence"
                if not g["actor"]:
                    kind = f"missed {g['event_type']}: gold has no actor"
            elif not same_type:
                kind = f"type: gold {g['event_type']} pred {same_sent[0]['event_type']}"
            elif not any(
                same_party(p.get("actor_iso3"), p.get("actor_name"), g["actor_iso3"], g["actor"])
                for p in same_type
            ):
                kind = "wrong actor" if g["actor"] else "actor where gold has none"
            else:
                kind = "wrong recipient"
            self.error("events", kind, f"{g['trigger']} | {g['actor']} -> {g['recipient']}")
        for k, p in enumerate(preds):
            if k in matched_p:
                continue
            if not any(in_sentence(p, g) for g in golds):
                self.error(
                    "events",
                    f"spurious {p['event_type']}: no gold event in sentence",
                    p["trigger_text"],
                )
            else:
                pass  # counted on the gold side (type / actor / recipient)

    def rows(self, dataset: str) -> list:
        ev = Row(
            "events", dataset, "type+actor+recipient", self.tp, self.fp, self.fn, target="F1>=0.60"
        )
        ty = Row(
            "events", dataset, "type+sentence (detection)", self.type_tp, self.type_fp, self.type_fn
        )
        n = self.n_matched
        mode = Row("events", dataset, "mode (matched)", value=self.mode_ok / n if n else None,
                   target=">=0.80", note=f"n={n}")  # fmt: skip
        date = Row("events", dataset, "date (matched)", value=self.date_ok / n if n else None,
                   target=">=0.85", note=f"n={n}; start and precision")  # fmt: skip
        ok, det, total = self.country_ok, self.country_detected, self.country_all
        country = Row("events", dataset, "party country (detected)",
                      value=ok / det if det else None, target=">=0.92",
                      note=f"{ok}/{det} gold actors and recipients with an ISO3 whose event was "
                      f"detected (type + sentence); over all {total}: "
                      f"{ok / total if total else 0:.3f}")  # fmt: skip
        return [ev, ty, mode, date, country]

    def tables(self, dataset: str) -> list[ErrorTable]:
        return [
            ErrorTable("events", dataset, field, dict(self.errors[field]), self.examples[field])
            for field in FIELDS
            if self.errors[field]
        ]


def score_stories(story_ids: list[str], parsed=None, triggers: str = "auto") -> Score:
    golds: dict[str, list[dict]] = {}
    for rec in corpus.records("events"):
        if rec["story_id"] in story_ids:
            golds.setdefault(rec["story_id"], []).append(rec)
    if parsed is None:
        parsed = corpus.parse([corpus.stories()[s] for s in story_ids])
    preds = predict(parsed, triggers)
    score = Score()
    for sid in story_ids:
        text = corpus.stories()[sid].text
        score.add_story(preds.get(sid, []), with_spans(golds.get(sid, []), text))
    return score


def gsr_rows() -> list[Row]:
    if not GSR.exists():
        return []
    from transforms.extract import doc_cache
    from transforms.extract.base import ArticleContext
    from transforms.extract.events import event_rows
    from transforms.nlp.pipeline import load_nlp

    records = [
        r
        for r in json.loads(GSR.read_text(encoding="utf-8"))
        if r.get("event") not in (None, "DOCUMENT")
    ]
    nlp = load_nlp()
    correct = none = 0
    for r, doc in zip(records, nlp.pipe([r["text"] for r in records], batch_size=64), strict=True):
        with doc_cache.cached(doc):
            rows = event_rows(doc, ArticleContext("gsr", dt.date(2000, 1, 1), "eval"))
        main = next((e for e in rows if e["is_main"]), rows[0] if rows else None)
        none += main is None
        correct += main is not None and main["event_type"] == GSR_LEGACY.get(r["event"], r["event"])
    return [
        Row(
            "events",
            f"plover-gsr {len(records)} sent.",
            "main event type accuracy",
            value=correct / len(records),
            note=f"{correct}/{len(records)}; {none} without an event "
            "(older PLOVER draft; sentences from the CAMEO manual)",
        )  # fmt: skip
    ]


def cv_rows() -> list[Row]:
    """The 5-fold cross-validation figures over the train stories that chose the thresholds and
    the mode method (training/events/train.py): each fold read by classifiers not trained on it."""
    from transforms.extract import events

    models = events.classifiers()
    if models is None or "cv_event_scores" not in models.meta:
        return []
    got = models.meta["cv_event_scores"][",".join(str(v) for v in models.thresholds.values())]
    mode = models.meta["cv_mode_accuracy"]
    name = "train 5-fold CV (folds held out)"
    return [
        Row("events", name, "type+actor+recipient", got["tp"], got["fp"], got["fn"],
            target="F1>=0.60", note="chose the thresholds; folds x "
            f"{len(models.meta.get('cv_seeds', [1]))} training seeds pooled"),
        Row("events", name, "mode (gold triggers)", value=mode[models.mode_method],
            note=f"n={mode['n']}; {models.mode_method} chosen (learned {mode['learned']:.3f}, "
            f"rules {mode['rules']:.3f})"),
    ]  # fmt: skip


def report() -> list:
    out: list = []
    test = corpus.story_ids("test", labelled_for="events")
    if not test:
        return [Row("events", "gold/train", "missing", note=f"{corpus.TRAIN_DIR} not found")]
    parsed = corpus.parsed("test", labelled_for="events")
    held = score_stories(test, parsed)
    name = f"test split ({len(test)} st.)"
    out += held.rows(name)
    # the rules alone (the lexicon path), on the same stories: what the learned path must beat
    rules = score_stories(test, parsed, triggers="lexicon")
    out.append(Row("events", name, "lexicon: type+actor+rec.", rules.tp, rules.fp, rules.fn))
    out.append(Row("events", name, "lexicon: mode (matched)", value=rules.mode_ok / rules.n_matched
                   if rules.n_matched else None, note=f"n={rules.n_matched}"))  # fmt: skip
    out += held.tables(name)
    train = corpus.story_ids("train", labelled_for="events")
    seen = score_stories(train, corpus.parsed("train", labelled_for="events"))
    out += seen.rows(f"train ({len(train)} st., in-sample)")
    out += cv_rows()
    out += gsr_rows()
    return out
