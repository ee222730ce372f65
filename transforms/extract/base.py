"""What every extractor shares: the article context it is given and the stable row-id recipe.

The extractors (claims, events, pledges) import only this module from the NLP side, and
transforms/nlp/tables.py imports the extractors to register their tables: data flows one way,
with no import circle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleContext:
    """One article as an extractor sees it: its id, its publication date (to resolve "last
    Friday") and the extractor version stamped on every row."""

    article_id: str
    published_date: dt.date
    version: str


def stable_id(*parts: object) -> str:
    """First 16 hex digits of SHA-1 over the parts joined by U+001F: the same row, the same id."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
