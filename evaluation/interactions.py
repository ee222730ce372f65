"""Who did what to whom, against an independent gold: re3d's relations between actors.

dstl/re3d (../shared/data/re3d: US State Department and CENTCOM releases, UK and Australian
government pages, Wikipedia articles on the Syria / Iraq conflicts) marks relations between
entity mentions at character offsets, each with the words that state it. Four of its relation
types are interactions between actors, the pairs our events publish as actor and recipient
(`mart_actor_interactions`):

| re3d relation | our events' PLOVER quad class (dbt seed `plover_event_codes.csv`) |
|---|---|
| FightingAgainst (source fights, attacks, targets the target) | 4 material conflict |
| Dislikes (condemns, opposes) | 3 verbal conflict |
| CommWith (meets, talks with) | 1 verbal cooperation |
| AlliesOf, Likes (supports, welcomes, works with) | 1 verbal or 2 material cooperation |

A gold relation is found when an event mention of its sentence has an actor whose mention
overlaps the relation's source and a recipient whose mention overlaps its target (CommWith and
AlliesOf either way round: re3d gives them one direction). Figures: the share of the gold
relations found (recall; per relation type too), the share of the found ones whose event type
lies in the relation's quad classes, and the share of our event mentions with an actor and a
recipient mention in re3d's documents whose pair re3d relates by one of the four types in that
sentence (a lower bound on precision: re3d marks the relations of its schema, not every event).

Independent for the events: nothing of them was trained, tuned or written on re3d. The entity
gazetteer rules were tuned on re3d's entities (`evaluation/entities.py`), so actor mentions are
in-sample there. The matching rule above was fixed before the first figures were read.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass

from evaluation.common import (
    RE3D,
    RE3D_DATE,
    REPO,
    ErrorTable,
    Row,
    re3d_folders,
    re3d_parsed,
    re3d_texts,
)

EVENT_CODES = REPO / "dbt_project" / "seeds" / "plover_event_codes.csv"
# re3d relation type -> the quad classes of the event types that state it
FAMILIES = {
    "FightingAgainst": {4},
    "Dislikes": {3},
    "CommWith": {1},
    "AlliesOf": {1, 2},
    "Likes": {1, 2},
}
SYMMETRIC = {"CommWith", "AlliesOf"}
DATASET = "re3d relations (independent)"


@dataclass(frozen=True)
class Relation:
    doc_id: str
    kind: str
    begin: int  # the words that state it
    source: tuple[int, int]
    target: tuple[int, int]
    source_text: str  # as re3d stores them (its quotes are sometimes straightened)
    words: str
    target_text: str

    @property
    def text(self) -> str:
        return f"{self.source_text} / {self.words} / {self.target_text}"


def load() -> tuple[dict[str, str], list[Relation]]:
    """({doc id: text}, the interaction relations) of every re3d folder."""
    texts: dict[str, str] = {}
    relations: list[Relation] = []
    for folder in re3d_folders():
        texts.update(re3d_texts(folder))
        for line in (folder / "relations.json").open(encoding="utf-8"):
            if not line.strip():
                continue
            r = json.loads(line)
            if r["type"] in FAMILIES and r["documentId"] in texts:
                relations.append(
                    Relation(
                        r["documentId"], r["type"], r["begin"],
                        (r["sourceBegin"], r["sourceEnd"]), (r["targetBegin"], r["targetEnd"]),
                        r["source"], r["value"], r["target"],
                    )
                )  # fmt: skip
    return texts, relations


def quad_classes() -> dict[str, int]:
    with EVENT_CODES.open(encoding="utf-8") as fh:
        return {row["event_type"]: int(row["quad_class"]) for row in csv.DictReader(fh)}


def _overlaps(a: tuple[int, int], start: int | None, end: int | None) -> bool:
    return start is not None and end is not None and start < a[1] and a[0] < end


def _found_by(rel: Relation, row: dict) -> bool:
    ways = [(rel.source, rel.target)]
    if rel.kind in SYMMETRIC:
        ways.append((rel.target, rel.source))
    return any(
        _overlaps(src, row["actor_start_char"], row["actor_end_char"])
        and _overlaps(tgt, row["recipient_start_char"], row["recipient_end_char"])
        for src, tgt in ways
    )


def predict(texts: dict[str, str]) -> dict[str, tuple[list[tuple[int, int]], list[dict]]]:
    """{doc id: (its sentences' character spans, its event mention rows)}."""
    from transforms.extract import doc_cache
    from transforms.extract.base import ArticleContext
    from transforms.extract.events import event_rows

    parsed = re3d_parsed()
    out = {}
    for doc_id in sorted(texts):
        doc = parsed[doc_id][1]
        with doc_cache.cached(doc):
            sents = [(s.start_char, s.end_char) for s in doc_cache.sents(doc)]
            out[doc_id] = (sents, event_rows(doc, ArticleContext(doc_id, RE3D_DATE, "eval")))
    return out


def _sentence(sents: list[tuple[int, int]], char: int) -> int | None:
    return next((i for i, (s, e) in enumerate(sents) if s <= char < e), None)


def score(texts: dict[str, str], relations: list[Relation], preds: dict) -> list:
    """The rows and the error table of the predictions (`predict`) against the relations."""
    quad = quad_classes()
    found: Counter = Counter()
    total: Counter = Counter()
    typed = 0
    errors: Counter = Counter()
    examples: dict[str, str] = {}
    gold_by_sentence: dict[tuple[str, int], list[Relation]] = {}
    for rel in relations:
        sents, rows = preds[rel.doc_id]
        k = _sentence(sents, rel.begin)
        gold_by_sentence.setdefault((rel.doc_id, k), []).append(rel)
        total[rel.kind] += 1
        hits = [r for r in rows if r["sentence_index"] == k and _found_by(rel, r)]
        if not hits:
            stated = any(r["sentence_index"] == k for r in rows)
            kind = f"missed{'' if stated else ', no event in the sentence'}: {rel.kind}"
            errors[kind] += 1
            examples.setdefault(kind, rel.text)
            continue
        found[rel.kind] += 1
        if any(quad.get(r["event_type"]) in FAMILIES[rel.kind] for r in hits):
            typed += 1
        else:
            kind = f"other quad class: {rel.kind} as {hits[0]['event_type']}"
            errors[kind] += 1
            examples.setdefault(kind, rel.text)
    paired = related = 0
    for doc_id, (_sents, rows) in preds.items():
        for r in rows:
            if r["actor_start_char"] is None or r["recipient_start_char"] is None:
                continue
            paired += 1
            related += any(
                _found_by(g, r) for g in gold_by_sentence.get((doc_id, r["sentence_index"]), [])
            )
    n, hit = sum(total.values()), sum(found.values())
    out: list = [
        Row("events", DATASET, "interaction found", value=hit / n if n else None, n=n,
            note=f"{hit}/{n} gold actor -> target relations ({len(texts)} documents) stated by an "
            "event of their sentence with that actor and recipient"),
        Row("events", DATASET, "quad class (found)", value=typed / hit if hit else None, n=hit,
            note=f"{typed}/{hit}: the event type's quad class is the relation's"),
        Row("events", DATASET, "pairs re3d relates", value=related / paired if paired else None,
            n=paired, note=f"{related}/{paired} of our event mentions with an actor and a "
            "recipient mention: a lower bound on precision (re3d marks only its schema's)"),
    ]  # fmt: skip
    for kind in FAMILIES:
        if total[kind]:
            out.append(Row("events", DATASET, f"  found: {kind}", value=found[kind] / total[kind],
                           n=total[kind], note=f"{found[kind]}/{total[kind]}"))  # fmt: skip
    out.append(ErrorTable("events", DATASET, "interactions", dict(errors), examples))
    return out


def report() -> list:
    if not RE3D.exists():
        return []
    texts, relations = load()
    return score(texts, relations, predict(texts))
