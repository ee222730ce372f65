"""The event lexicon extended by static word vectors: a trigger feature for words it lacks.

`transforms/models/lexicon_neighbours.tsv.gz` (built by training/clusters/lexicon_neighbours.py
from spaCy's en_core_web_md vectors, CC0, and rules/event_lexicon.csv alone, never from labelled
triggers) gives a lower-case word its two PLOVER types whose lexicon lemmas lie nearest to it,
with the cosine similarity, at similarity >= 0.5 only. The runtime reads this table, never a
vector: one dictionary look-up per candidate trigger (event_features.py, group `vsim`).
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "models" / "lexicon_neighbours.tsv.gz"


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, tuple[tuple[str, float], ...]]:
    out: dict[str, tuple[tuple[str, float], ...]] = {}
    with gzip.open(TABLE, "rt", encoding="utf-8") as f:
        for line in f:
            word, *pairs = line.rstrip("\n").split("\t")
            out[word] = tuple((t, float(s)) for t, s in (p.split(":") for p in pairs))
    return out


def similar_types(word: str) -> tuple[tuple[str, float], ...]:
    """(PLOVER type, similarity) of the two types whose lexicon lemmas are nearest to `word`
    (any case) in the vectors, most similar first; empty for a word the table lacks."""
    return _table().get(word.lower(), ())
