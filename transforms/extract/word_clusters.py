"""Word classes from static word vectors, as features for the learned extractors.

`transforms/models/word_clusters.tsv.gz` (built by training/clusters/build.py from spaCy's
en_core_web_md vectors, CC0) gives each lower-case word two classes: a coarse one (128) and a fine
one (1,024). A feature on the class ("fcl_873": attack, strike, kill ...) lets a classifier
trained on a few hundred labelled events carry what it learned to words the labels never showed.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "models" / "word_clusters.tsv.gz"


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, str]]:
    if not TABLE.exists():
        return {}
    out = {}
    with gzip.open(TABLE, "rt", encoding="utf-8") as f:
        for line in f:
            word, coarse, fine = line.rstrip("\n").split("\t")
            out[word] = (coarse, fine)
    return out


def classes(word: str) -> tuple[str, str] | None:
    """(coarse, fine) class of a word (lower-cased), or None for a word the vectors lack."""
    return _table().get(word.lower())
