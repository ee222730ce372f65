"""Labelled corpus -> training examples of the two pledge classifiers, as spaCy DocBin files.

Each `train` story of ../shared/data/gold/train, and each story of the dev gold
(../shared/data/gold/dev, VOA news), is parsed with the pipeline's own model. A gold
pledge record states its sentence (and the sentences repeating it, `also_in`); every parsed
sentence overlapping one of them carries that record. Then, for every sentence of the story:
- **statement**: every anchor (pledge_features.anchors: each money amount, then the sentence
  itself) is one example, labelled with the stage of the record it states, else NONE. An amount
  states a record whose gold amount it equals within 1%; the sentence anchor states the
  sentence's records that have no amount;
- **stage**: every anchor that states a record, labelled with its stage (the statement
  classifier decides whether, this one which stage: trained on the positives alone, it is not
  swamped by the NONE class);
- **argument**: for every anchor that states a record, every party candidate
  (pledge_features.party_pairs) is one example, labelled `donor` or `recipient` when it is the
  same party as that record's donor or recipient (same ISO3 where both have one, else the same
  normalized name or surname), else `none`.
The rules' answers in each sentence are features, as at run time. Stories are split by a fixed
hash of their id: fold 0 of 5 is the dev set, the rest is trained on. The `test` split is never
read. Labels are never edited: a gold sentence that cannot be placed in the text is counted.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from evaluation import corpus
from evaluation.events import same_party
from training import common
from training.common import Example
from transforms.extract import doc_cache, event_features, pledge_features, pledges

STATEMENT_LABELS = [pledge_features.NONE, *pledge_features.STAGES]
ARGUMENT_LABELS = [pledge_features.DONOR, pledge_features.RECIPIENT, pledge_features.NEITHER]
LABELS = {
    "statement": STATEMENT_LABELS,
    "stage": pledge_features.STAGES,
    "argument": ARGUMENT_LABELS,
}


def _ranges(text: str, rec: dict) -> list[tuple[int, int]]:
    out = []
    for sentence in [rec["sentence"], *(rec.get("also_in") or [])]:
        at = text.find(sentence)
        if at >= 0:
            out.append((at, at + len(sentence)))
    return out


def _states(anchor: pledge_features.Anchor, rec: dict) -> bool:
    gold = rec.get("amount")
    if anchor.amount is None:
        return not gold
    return bool(gold) and abs(anchor.amount.amount - gold) <= 0.01 * gold


def _role(party, recs: list[dict]) -> str:
    for key, iso_key, role in (
        ("donor", "donor_iso3", pledge_features.DONOR),
        ("recipient", "recipient_iso3", pledge_features.RECIPIENT),
    ):
        for rec in recs:
            if (rec[key] or rec[iso_key]) and same_party(
                party.iso3, party.name, rec[iso_key], rec[key]
            ):
                return role
    return pledge_features.NEITHER


def sentence_examples(sent, recs: list[dict], fold: int, counts: Counter) -> list[Example]:
    """The statement and argument examples of one parsed sentence with its gold records."""
    amounts = pledges.sentence_amounts(sent)
    rules = pledges.rule_found(sent, amounts)
    hints = pledges.rule_hints(rules, sent.doc)
    out: list[Example] = []
    parties = None
    for anchor in pledge_features.anchors(sent, amounts):
        stated = [r for r in recs if _states(anchor, r)]
        label = stated[0]["stage"] if stated else pledge_features.NONE
        feats = pledge_features.statement_features(anchor, sent, hints, len(amounts))
        out.append(Example(fold, "statement", tuple(feats), label))
        counts[f"statement {label}"] += 1
        if not stated:
            continue
        out.append(Example(fold, "stage", tuple(feats), label))
        if parties is None:
            parties = event_features.party_candidates(sent)
        for cand, feats in pledge_features.party_pairs(anchor, parties, hints):
            role = _role(cand.party, stated)
            out.append(Example(fold, "argument", tuple(feats), role))
            counts[f"argument {role}"] += 1
    return out


def labelled_stories() -> list[tuple[str, str, object, list[dict]]]:
    """(story id, text, publication date, gold pledge records) of every story training may
    read: the corpus's `train` split, and the dev gold's stories (../shared/data/gold/dev: VOA
    news, the stories the rules were written on; the corpus's own pledges are mostly press
    releases, so without them the classifiers learn one style). Texts as ingest stores them."""
    from evaluation.common import story_path
    from evaluation.pledges import GOLD
    from transforms.articles import parse_article

    out = []
    for sid in corpus.story_ids("train"):
        recs = [r for r in corpus.records("aid_pledges", "train") if r["story_id"] == sid]
        story = corpus.stories()[sid]
        out.append((sid, story.text, story.published, recs))
    if GOLD.exists():
        dev = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
        for sid in sorted({r["story_id"] for r in dev}):
            path = story_path(sid)
            if path.exists():
                article = parse_article(path.read_text(encoding="utf-8"))
                recs = [r for r in dev if r["story_id"] == sid]
                out.append((sid, article.text, article.published_date, recs))
    return out


def examples() -> tuple[list[Example], Counter]:
    """Every training example of labelled_stories(), with the fold of its story."""
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    stories = labelled_stories()
    out: list[Example] = []
    counts: Counter = Counter()
    docs = nlp.pipe([text for _, text, _, _ in stories], batch_size=16)
    for (sid, text, _, recs), doc in zip(stories, docs, strict=True):
        fold = corpus.fold_of(sid)
        counts["stories"] += 1
        located = []
        for rec in recs:
            ranges = _ranges(text, rec)
            if not ranges:
                counts["skipped: sentence not found"] += 1
            located.append((rec, ranges))
        with doc_cache.cached(doc):
            for sent in doc_cache.sents(doc):
                here = [
                    rec
                    for rec, ranges in located
                    if any(a < sent.end_char and sent.start_char < b for a, b in ranges)
                ]
                try:
                    out += sentence_examples(sent, here, fold, counts)
                except Exception:  # noqa: BLE001 - as at run time, an odd parse costs its sentence
                    counts["skipped: sentence failed"] += 1
    return out, counts


def build(out_dir: Path) -> dict:
    items, counts = examples()
    common.write(items, out_dir, LABELS)
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/newsledger-pledges")
    print(json.dumps(build(target), indent=1))
