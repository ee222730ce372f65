"""Build evaluation/data/ner_heldout.jsonl: the held-out CoNLL-style NER set (see its README),
and, with `--split dev`, evaluation/data/ner_dev.jsonl: the dev split (rules may be tuned on it).

Step 1 (the fixed selection rule, decided before any model output was looked at): the VOA
stories of ../shared/data/voa/voa_stories.jsonl sorted by numeric id, every third one (held-out:
positions 0, 3, 6, ...: 30 of 89; dev: positions 1, 4, 7, ...: 30 of 89), and of each the first
SENTENCES_PER_STORY sentences, split by the regular expression below (no model involved).

Step 2: the hand labels in evaluation/data/ner_heldout_labels.txt (one block per sentence: the
entity strings in text order with their CoNLL label) are located in the sentence text: each label
matches the first occurrence, at word boundaries, after the previous label's end. The script
fails on a string it cannot find, and warns when a labelled string occurs again in the same
sentence without a label (a likely miss).

    .venv/bin/python scripts/build_ner_heldout.py [--split heldout|dev] [--print]
    (--print: the sentences only; --split: which set, held-out by default)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VOA = REPO.parent / "shared" / "data" / "voa" / "voa_stories.jsonl"
DATA = REPO / "evaluation" / "data"
# split -> (first story position, labels file, output file); both take every EVERY-th story.
SPLITS = {
    "heldout": (0, DATA / "ner_heldout_labels.txt", DATA / "ner_heldout.jsonl"),
    "dev": (1, DATA / "ner_dev_labels.txt", DATA / "ner_dev.jsonl"),
}
LABELS_FILE = SPLITS["heldout"][1]
OUT = SPLITS["heldout"][2]
EVERY = 3
SENTENCES_PER_STORY = 9
LABELS = {"PER", "ORG", "LOC", "MISC"}

# A sentence ends at . ! or ? (optionally followed by a closing quote) before whitespace and an
# upper-case letter, digit or opening quote, unless the word before is an abbreviation or an
# initial ("U.S.", "Gen.", "J.").
_END = re.compile(r"[.!?][\"”’']?(?=\s+[\"“‘'(]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|St|Sen|Rep|Gov|Prof|Rev|Jr|Sr"
    r"|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|No|Vol|Inc|Co|Corp|Ltd|vs|etc|a\.m|p\.m)\.)$"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _END.finditer(text):
        if _ABBREV.search(text[start : m.start() + 1]):
            continue
        end = m.end()
        spans.append((start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    return spans


def selected_sentences(first: int = 0) -> list[dict]:
    """The first SENTENCES_PER_STORY sentences of every EVERY-th story from position `first`."""
    stories = [json.loads(line) for line in VOA.open(encoding="utf-8") if line.strip()]
    stories.sort(key=lambda s: int(s["id"]))
    out = []
    for story in stories[first::EVERY]:
        text = story["text"]
        for n, (s, e) in enumerate(split_sentences(text)[:SENTENCES_PER_STORY]):
            out.append(
                {
                    "story_id": story["id"],
                    "url": story["url"],
                    "sentence": n,
                    "story_start": s,
                    "text": text[s:e],
                }
            )
    return out


def read_labels(labels_file: Path = LABELS_FILE) -> dict[str, list[tuple[str, str]]]:
    """'<story_id>/<n>' -> [(surface, label), ...] from the labels file.

    Format: a line `# <story_id>/<n>` opens a sentence; each following non-empty line is
    `LABEL<TAB or spaces>surface string`; a sentence with no entities has no lines.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    key = None
    for raw in labels_file.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("# "):
            key = line[2:].split()[0]
            out[key] = []
            continue
        label, surface = line.split(None, 1)
        if label not in LABELS:
            raise ValueError(f"{key}: unknown label {label!r}")
        out[key].append((surface.strip(), label))
    return out


def locate(text: str, items: list[tuple[str, str]], key: str) -> list[dict]:
    spans, pos = [], 0
    for surface, label in items:
        m = re.compile(r"(?<!\w)" + re.escape(surface) + r"(?!\w)").search(text, pos)
        if not m:
            raise ValueError(f"{key}: {surface!r} not found after offset {pos} in {text!r}")
        spans.append({"start": m.start(), "end": m.end(), "label": label, "text": surface})
        pos = m.end()
    for surface in {s for s, _ in items}:
        for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
            if not any(sp["start"] <= m.start() and m.end() <= sp["end"] for sp in spans):
                print(f"warning {key}: unlabelled repeat of {surface!r} at {m.start()}")
    return spans


def main(argv: list[str]) -> int:
    split = argv[argv.index("--split") + 1] if "--split" in argv else "heldout"
    first, labels_file, out_file = SPLITS[split]
    sents = selected_sentences(first)
    if "--print" in argv:
        for s in sents:
            print(f"# {s['story_id']}/{s['sentence']}\n{s['text']}\n")
        return 0
    labels = read_labels(labels_file)
    missing = [f"{s['story_id']}/{s['sentence']}" for s in sents]
    missing = [k for k in missing if k not in labels]
    if missing:
        print(f"{len(missing)} sentences not labelled yet, first: {missing[:3]}")
    with out_file.open("w", encoding="utf-8") as f:
        n_spans = 0
        n_sents = 0
        for s in sents:
            key = f"{s['story_id']}/{s['sentence']}"
            if key not in labels:
                continue
            s["spans"] = locate(s["text"], labels[key], key)
            n_spans += len(s["spans"])
            n_sents += 1
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(f"wrote {out_file.relative_to(REPO)}: {n_sents} sentences, {n_spans} spans")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
