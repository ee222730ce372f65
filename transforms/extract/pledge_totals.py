"""Running totals among aid pledge mentions: `is_cumulative` on each row of `aid_pledge_mentions`.

"The United States has provided more than $2 billion since 2022" or "..., bringing the total U.S.
assistance to $1 billion" states a running total, not a new package: summing it with the
packages it contains counts them twice. A mention is cumulative when a cue phrase of
rules/cumulative_cues.yaml governs its amount:
- an `after` cue written before the amount in the same sentence ("bringing the total ... to $X",
  "has provided more than $X"), or
- a `sentence` cue anywhere in the sentence ("since 2022", "to date", "so far"), unless the
  amount is introduced as new just before it ("an additional $800 million").
The cue is kept in `cumulative_cue`. A mention without an amount is never cumulative: the flag
keeps amounts out of sums, and a statement without one adds nothing to them. The flag works on
the sentence text alone (no parse), so the evaluation applies the same function to gold records
(evaluation/pledge_dedup.py).

The detection, parties and stage of a mention are those of pledges.py, untouched: this module
wraps its extractor (registered in transforms/nlp/tables.py as the `aid_pledge_mentions` table).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import yaml

from transforms.extract import doc_cache
from transforms.extract.pledges import PLEDGE_MENTION_SCHEMA, pledge_rows

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from transforms.extract.base import ArticleContext

CUES_FILE = Path(__file__).parent / "rules" / "cumulative_cues.yaml"
# The lake table's schema: the extractor's columns plus the flag and its cue.
PLEDGE_MENTION_TABLE_SCHEMA = {
    **PLEDGE_MENTION_SCHEMA,
    "is_cumulative": pl.Boolean,
    "cumulative_cue": pl.String,
}
_NEW_WINDOW = 40  # characters before an amount searched for "an additional", "a new"


@functools.lru_cache(maxsize=1)
def cues() -> tuple[list[re.Pattern], list[re.Pattern], re.Pattern]:
    """(after cues, sentence cues, new-package words) of rules/cumulative_cues.yaml."""
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    try:
        after = [re.compile(p, re.IGNORECASE) for p in data["after"]]
        sentence = [re.compile(p, re.IGNORECASE) for p in data["sentence"]]
        new = re.compile(data["new_package"], re.IGNORECASE)
    except (KeyError, TypeError, re.error) as err:
        raise ValueError(f"{CUES_FILE}: bad cue list ({err}); see its comments") from err
    return after, sentence, new


def cumulative_cue(sentence: str, amount_start: int | None) -> str | None:
    """The cue that makes the amount starting at `amount_start` (an offset into `sentence`) a
    running total, or None. Without an amount (None) only the sentence cues count."""
    after, whole, new = cues()
    text = sentence.replace("’", "'")
    if amount_start is not None:
        for pattern in after:
            m = pattern.search(text, 0, amount_start + 1)  # a match ending by the amount
            if m:
                return m.group(0).strip()
        if new.search(text[max(0, amount_start - _NEW_WINDOW) : amount_start]):
            return None
    for pattern in whole:
        m = pattern.search(text)
        if m:
            return m.group(0).strip()
    return None


def _amount_offset(sentence: str, row: dict, sentence_start: int) -> int | None:
    """Where the row's amount starts in its sentence: its amount text inside the evidence span
    (start_char..end_char) first, else its first occurrence in the sentence."""
    text = row.get("amount_text")
    if not text:
        return None
    lo = max(0, (row.get("start_char") or sentence_start) - sentence_start)
    at = sentence.find(text, lo)
    if at < 0:
        at = sentence.find(text)
    return at if at >= 0 else None


def flag_rows(rows: list[dict], sentences: list[tuple[int, str]]) -> list[dict]:
    """Add `is_cumulative` and `cumulative_cue` to pledge mention rows; `sentences` holds the
    (start offset, text) of each sentence of the article, by sentence_index."""
    for row in rows:
        index = row.get("sentence_index")
        if index is None or not 0 <= index < len(sentences):
            row["is_cumulative"], row["cumulative_cue"] = False, None
            continue
        start, text = sentences[index]
        if row.get("amount") is None:
            row["is_cumulative"], row["cumulative_cue"] = False, None
            continue
        cue = cumulative_cue(text, _amount_offset(text, row, start))
        row["is_cumulative"], row["cumulative_cue"] = cue is not None, cue
    return rows


def pledge_mention_rows(
    doc: Doc, article: ArticleContext, method: str = "auto", models=None
) -> list[dict]:
    """pledges.pledge_rows plus the running-total flag: the `aid_pledge_mentions` extractor."""
    rows = pledge_rows(doc, article, method, models)
    if not rows:
        return rows
    with doc_cache.cached(doc):
        sentences = [(s.start_char, doc_cache.span_text(s)) for s in doc_cache.sents(doc)]
    try:
        return flag_rows(rows, sentences)
    except Exception:  # noqa: BLE001 - extractors must not raise: the rows, unflagged
        for row in rows:
            row.setdefault("is_cumulative", False)
            row.setdefault("cumulative_cue", None)
        return rows
