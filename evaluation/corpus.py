"""The labelled corpus of ../shared/data/gold/train: stories, their split, and their gold records.

Every held-out figure of `make eval` is read on the stories whose `split` is `test` (fixed by the
corpus, about a quarter of the stories); `train` stories (and gold/dev) are what extraction may
learn from or be tuned on. Inside `train`, `folds()` gives a fixed partition by story for
cross-validation when choosing between variants (never the test split).

Not every story is labelled for every kind of record. The corpus was labelled in two passes:
aid pledges over every story, and claims, events and dates together (`PASSES`) over the news
stories only. The US government press releases and fact sheets (sources `state_dept`,
`whitehouse`; train split: 21 stories, 233 pledge records) and 8 of the train split's Wikinews
stories (articles of 141-1,071 words with quotations and "said", 23 pledge records between them)
carry no claim, event or date record at all: they were read for pledges only. A story that holds
a record of none of a pass's sets is no evidence that its sentences state no event or claim, so
`story_ids(split, labelled_for=...)` and `parsed(split, labelled_for=...)` leave it out where a
record set's negatives or precision are counted (`labelled_story_ids`). A story of the pass with
no record of one set (an earthquake report with claims and dates but no political event) stays:
that is a labelled "none". Every story counts for pledges.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass

from evaluation.common import SHARED_DATA

TRAIN_DIR = SHARED_DATA / "gold" / "train"


@dataclass(frozen=True)
class Story:
    id: str
    source: str
    url: str
    published: dt.date
    title: str
    split: str
    text: str


@functools.lru_cache(maxsize=1)
def stories() -> dict[str, Story]:
    out = {}
    path = TRAIN_DIR / "stories.jsonl"
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        out[r["id"]] = Story(
            r["id"],
            r["source"],
            r.get("url") or "",
            dt.date.fromisoformat(r["published"]),
            r.get("title") or "",
            r["split"],
            r["text"],
        )
    return out


def story_ids(split: str, labelled_for: str | None = None) -> list[str]:
    """Story ids of one split ('train' or 'test'), in file order; with `labelled_for` (a record
    set: events, claims, aid_pledges, dates) only the stories labelled for it."""
    keep = labelled_story_ids(labelled_for) if labelled_for else None
    return [s.id for s in stories().values() if s.split == split and (keep is None or s.id in keep)]


# record sets labelled together: a story read in a pass holds a record of at least one of its
# sets (gold/train/README.md: claims, events and dates over the news stories); a set in no pass
# (aid_pledges) was labelled on every story
PASSES = {name: ("claims", "events", "dates") for name in ("claims", "events", "dates")}


@functools.lru_cache(maxsize=8)
def labelled_story_ids(name: str) -> frozenset[str] | None:
    """Ids of the stories (both splits) labelled for record set `name`: those holding a record of
    any set of its pass; None where every story is (a set in no pass)."""
    if name not in PASSES:
        return None
    return frozenset(r["story_id"] for other in PASSES[name] for r in records(other))


def fold_of(story_id: str, k: int = 5) -> int:
    """Fixed fold (0..k-1) of a train story, from a hash of its id: cross-validation by story."""
    return int(hashlib.sha1(story_id.encode("utf-8")).hexdigest(), 16) % k


def records(name: str, split: str | None = None) -> list[dict]:
    """Gold records of one file of the corpus (events, claims, aid_pledges, dates), by split."""
    path = TRAIN_DIR / f"{name}.jsonl"
    if not path.exists():
        return []
    known = stories()
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        story = known.get(r["story_id"])
        if story is None or (split is not None and story.split != split):
            continue
        out.append(r)
    return out


def attribution(story: Story) -> str:
    """The credit line the corpus README asks for when a story's text is copied."""
    if story.source == "wikinews":
        return (
            f'"{story.title}", Wikinews, {story.url}, published {story.published}, licensed '
            "under CC BY 2.5 (https://creativecommons.org/licenses/by/2.5/)"
        )
    if story.source == "voa":
        return f"voanews.com / Voice of America / VOA, {story.url}"
    if story.source == "whitehouse":
        return f"Source: The White House, {story.url}"
    return f"Source: U.S. Department of State, {story.url}"


def parse(story_list: list[Story]):
    """Parse stories with the pipeline's own model: [(story, doc, ArticleContext)].

    The Doc is built from the story text exactly as the corpus stores it, so gold verbatim
    fields are substrings of `doc.text`.
    """
    from transforms.extract.base import ArticleContext
    from transforms.nlp.pipeline import extractor_version, load_nlp

    nlp = load_nlp()
    version = extractor_version(nlp)
    docs = nlp.pipe([s.text for s in story_list], batch_size=16)
    return [
        (s, doc, ArticleContext(s.id, s.published, version))
        for s, doc in zip(story_list, docs, strict=True)
    ]


def parsed(split: str, labelled_for: str | None = None) -> tuple:
    """The stories of one split parsed once per process and shared by the sections.

    Returns a tuple of (story, doc, ArticleContext), in file order; `make eval` parses each
    story once however many sections read it. With `labelled_for`, only the stories labelled
    for that record set (`story_ids`).
    """
    if labelled_for is None:
        return _parsed(split)
    keep = set(story_ids(split, labelled_for))
    return tuple(item for item in _parsed(split) if item[0].id in keep)


@functools.lru_cache(maxsize=4)
def _parsed(split: str) -> tuple:
    return tuple(parse([s for s in stories().values() if s.split == split]))


def short_id(story_id: str, n: int = 18) -> str:
    """A story id short enough for an error-table example ("wikinews:Hotel_fire_kil..")."""
    return story_id if len(story_id) <= n else story_id[: n - 2] + ".."
