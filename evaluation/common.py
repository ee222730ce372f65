"""Scoring helpers shared by the evaluation sections."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("NEWSLEDGER_SHARED_DATA", REPO.parent / "shared" / "data"))


@dataclass
class Row:
    """One line of the evaluation table: a field of one data set."""

    section: str
    dataset: str
    field: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    value: float | None = None  # for accuracy-style figures; else computed from tp/fp/fn
    target: str = ""
    note: str = ""
    n: int | None = None  # the items an accuracy-style `value` is a share of

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if (self.tp + self.fp) else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if (self.tp + self.fn) else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or (p + r) == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)


def fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


REPO_SEEDS = REPO / "seeds"
RE3D = SHARED_DATA / "re3d"


def re3d_folders() -> list[Path]:
    """The re3d folders (one per source: centcom, uk-government, ...), in name order."""
    return sorted(p for p in RE3D.iterdir() if (p / "documents.json").exists())


# re3d documents carry no publication date; the sections that read them score no dates
RE3D_DATE = dt.date(2016, 1, 1)


@functools.cache
def re3d_parsed() -> dict[str, tuple]:
    """{document id: (its text, its Doc parsed by the pipeline's model)} of every re3d folder,
    parsed once per process for the sections that run the extractors on them (interactions,
    releases)."""
    from transforms.nlp.pipeline import load_nlp

    texts: dict[str, str] = {}
    for folder in re3d_folders():
        texts.update(re3d_texts(folder))
    ids = sorted(texts)
    docs = load_nlp().pipe([texts[i] for i in ids], batch_size=16)
    return {i: (texts[i], doc) for i, doc in zip(ids, docs, strict=True)}


def re3d_texts(folder: Path) -> dict[str, str]:
    """{document id: text} of one re3d folder (documents.json, JSON lines)."""
    out = {}
    for line in (folder / "documents.json").open(encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            out[d["_id"]] = d["text"]
    return out


def norm_name(name: str | None) -> str:
    """A name for comparison: ASCII, lower case, no parentheses, articles or initials' dots."""
    if not name:
        return ""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"\(.*?\)", " ", name)
    name = re.sub(r"\b(the|a|an)\b", " ", name)
    name = re.sub(r"(?<=\b[a-z])\.", "", name)
    return " ".join(re.findall(r"[a-z0-9&]+", name))


def story_path(story_id: str) -> Path:
    """Gold story id -> the seed file holding it (seed-000 is the seed article)."""
    if story_id == "seed-000":
        return REPO_SEEDS / "000_55766d7a04a2f1f7.txt"
    return REPO_SEEDS / f"voa_{story_id}.txt"


def parse_stories(story_ids: list[str]):
    """Parse the stories' stored text with the pipeline's own model: {story_id: (doc, context)}.

    The text is what ingest stores (transforms.articles.parse_article), so offsets and sentences
    are those of a real run.
    """
    from transforms.articles import article_id_for, parse_article
    from transforms.extract.base import ArticleContext
    from transforms.nlp.pipeline import extractor_version, load_nlp

    nlp = load_nlp()
    version = extractor_version(nlp)
    out = {}
    for story_id in story_ids:
        path = story_path(story_id)
        if not path.exists():
            continue
        parsed = parse_article(path.read_text(encoding="utf-8"))
        article_id, _ = article_id_for(parsed.text)
        out[story_id] = (
            nlp(parsed.text),
            ArticleContext(article_id, parsed.published_date, version),
        )
    return out


@dataclass
class ErrorTable:
    """The most frequent error kinds of one field, printed under the figures by `make eval`.

    A section's report() may return these beside its Rows; `counts` maps a short error-kind
    label ("missed: ASSAULT", "wrong recipient") to how often it happened.
    """

    section: str
    dataset: str
    field: str
    counts: dict[str, int]
    examples: dict[str, str] | None = None  # one example per kind, shortened

    def lines(self, top: int = 20) -> list[str]:
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        out = [
            f"{self.section} / {self.dataset} / {self.field}: {sum(self.counts.values())} errors"
        ]
        for kind, n in ranked:
            ex = (self.examples or {}).get(kind)
            out.append(f"  {n:5d}  {kind}" + (f"   e.g. {ex[:110]}" if ex else ""))
        return out
