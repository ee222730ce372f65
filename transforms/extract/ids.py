"""Stable ids for extracted rows (the same recipe as transforms.nlp.tables.stable_id).

Kept here so the extractors do not import transforms.nlp.tables, which imports them to register
their tables in DOC_TABLES.
"""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
