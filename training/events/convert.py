"""Labelled corpus -> training examples of the two event classifiers, as spaCy DocBin files.

Each `train` story of ../shared/data/gold/train is parsed with the pipeline's own model. Then:
- **trigger**: every candidate token of every sentence (event_features.is_trigger_candidate)
  is one example, labelled with the PLOVER type of the gold event whose trigger phrase has it as
  syntactic root, else NONE (the one-stage trigger examples; `cv.py` chooses feature groups on
  them); from them, `write` makes the two stages the pipeline uses: **trigger_detect** (every
  candidate, EVENT or NONE) and **trigger_type** (the gold triggers only, their type);
- **mode**: for every gold trigger found that way, its clause's mode features (with the rules'
  answer among them), labelled with the gold mode;
- **argument**: for every gold trigger found that way, every party of its sentence
  (event_features.party_candidates) is one example, labelled `actor` or `recipient` when it is the
  same party as a gold actor or recipient of that trigger (the scoring's rule: same ISO3 where
  both have one, else same normalized name or surname), else `none`.
An example is a Doc whose words are its features (event_features.py) and whose `cats` hold the
label. Stories are split by a fixed hash of their id: fold 0 of 5 is the dev set spaCy's trainer
scores on, the rest is trained on. The `test` split is never read. Labels are never edited: a
gold trigger that cannot be placed in the text is counted and skipped.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from evaluation import corpus
from evaluation.events import same_party
from training import common
from training.common import DEV_FOLD, Example
from transforms.extract import doc_cache, event_features, events

TRIGGER_LABELS = [event_features.NONE, *events.PLOVER_TYPES]
# The two stages the pipeline's trigger score is made of (events.Classifiers): is this candidate
# an event at all (every candidate), and which type, given that it is one (gold triggers only).
DETECT_LABELS = [event_features.NONE, events.EVENT]
TYPE_LABELS = list(events.PLOVER_TYPES)
MODE_LABELS = event_features.MODES
ARGUMENT_LABELS = [event_features.ACTOR, event_features.RECIPIENT, event_features.NEITHER]


def locate(text: str, sentence: str, trigger: str) -> tuple[int, int] | None:
    at = text.find(sentence)
    if at < 0:
        return None
    inner = sentence.find(trigger)
    if inner < 0:
        return None
    return at + inner, at + inner + len(trigger)


def gold_triggers(doc, story, records: list[dict], counts: Counter) -> dict[int, list[dict]]:
    """Token index of each gold trigger's root -> the gold records it states."""
    out: dict[int, list[dict]] = defaultdict(list)
    for rec in records:
        where = locate(story.text, rec["sentence"], rec["trigger"])
        span = doc.char_span(*where, alignment_mode="expand") if where else None
        if span is None or not len(span):
            counts["skipped: trigger not found"] += 1
            continue
        out[span.root.i].append(rec)
    return out


def _role(party, recs: list[dict]) -> str:
    for key, iso_key, role in (
        ("actor", "actor_iso3", event_features.ACTOR),
        ("recipient", "recipient_iso3", event_features.RECIPIENT),
    ):
        for rec in recs:
            if (rec[key] or rec[iso_key]) and same_party(
                party.iso3, party.name, rec[iso_key], rec[key]
            ):
                return role
    return event_features.NEITHER


def examples() -> tuple[list[Example], Counter]:
    """Every training example of the `train` stories, with the fold of its story."""
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    stories = [corpus.stories()[sid] for sid in corpus.story_ids("train", labelled_for="events")]
    by_story: dict[str, list[dict]] = defaultdict(list)
    for rec in corpus.records("events", "train"):
        by_story[rec["story_id"]].append(rec)
    out: list[Example] = []
    counts: Counter = Counter()
    docs = nlp.pipe([s.text for s in stories], batch_size=16)
    for story, doc in zip(stories, docs, strict=True):
        fold = corpus.fold_of(story.id)
        counts["stories"] += 1
        with doc_cache.cached(doc):
            gold = gold_triggers(doc, story, by_story.get(story.id, []), counts)
            # The corpus lists an event once per story: a later mention of a gold trigger's
            # lemma is most likely its repeat, so it is no negative example (left out).
            gold_lemmas = {doc[i].lemma_.lower() for i in gold}
            for sent in doc_cache.sents(doc):
                parties = None
                for tok in doc_cache.span_tokens(sent):
                    recs = gold.get(tok.i)
                    if not event_features.is_trigger_candidate(tok):
                        if recs:
                            counts["gold trigger not a candidate"] += 1
                        continue
                    if not recs and tok.lemma_.lower() in gold_lemmas:
                        counts["trigger: likely repeat left out"] += 1
                        continue
                    label = recs[0]["event_type"] if recs else event_features.NONE
                    feats = tuple(event_features.all_trigger_features(tok))
                    out.append(Example(fold, "trigger", feats, label))
                    counts[f"trigger {'event' if recs else 'none'}"] += 1
                    if not recs:
                        continue
                    head = events._args_head(tok)
                    when, rule_mode = events._date_and_mode(head, story.published)
                    feats = event_features.mode_features(head, when, story.published, rule_mode)
                    out.append(Example(fold, "mode", tuple(feats), recs[0]["mode"]))
                    counts[f"mode {recs[0]['mode']}"] += 1
                    if parties is None:
                        parties = event_features.party_candidates(sent)
                    for cand, feats in events.argument_features_of(tok, label, parties):
                        role = _role(cand.party, recs)
                        out.append(Example(fold, "argument", tuple(feats), role))
                        counts[f"argument {role}"] += 1
    return out, counts


def write(
    items: list[Example], out_dir: Path, dev_fold: int = DEV_FOLD, trigger_groups=None
) -> None:
    """DocBin files {trigger,trigger_detect,trigger_type,argument,mode}_{train,dev}.spacy;
    trigger features kept to `trigger_groups` (default: the groups of rules/event_features.yaml)."""
    groups = trigger_groups if trigger_groups is not None else event_features.trigger_groups()

    def words_of(ex: Example) -> list[str]:
        if ex.kind.startswith("trigger"):
            return event_features.keep_groups(list(ex.words), groups)
        return list(ex.words)

    labels = {
        "trigger": TRIGGER_LABELS,
        "trigger_detect": DETECT_LABELS,
        "trigger_type": TYPE_LABELS,
        "argument": ARGUMENT_LABELS,
        "mode": MODE_LABELS,
    }
    common.write([*items, *two_stages(items)], out_dir, labels, dev_fold, words_of)


def two_stages(items: list[Example]) -> list[Example]:
    """The trigger examples as the two stages' examples: detection (EVENT or NONE) for every
    candidate, the type for the gold triggers."""
    out = []
    for ex in items:
        if ex.kind != "trigger":
            continue
        is_event = ex.label != event_features.NONE
        detected = events.EVENT if is_event else event_features.NONE
        out.append(replace(ex, kind="trigger_detect", label=detected))
        if is_event:
            out.append(replace(ex, kind="trigger_type"))
    return out


def build(out_dir: Path) -> dict:
    items, counts = examples()
    write(items, out_dir)
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/newsledger-events")
    print(json.dumps(build(target), indent=1))
