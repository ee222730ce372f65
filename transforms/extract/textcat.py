"""The trained bag-of-words classifiers the extractors load (events, pledges): one loader and
one scorer, so every learned extractor reads its model the same way.

A model directory (transforms/models/<extractor>/) holds one spaCy pipeline per classifier,
each with a single `textcat` component (TextCatBOW), and `training.json`: the fingerprint of
what it was trained from, the thresholds chosen on the dev fold, and the data counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy
from spacy.strings import get_string_id

MODELS_ROOT = Path(__file__).resolve().parents[1] / "models"


def load(model_dir: Path, names: list[str]) -> tuple[dict, dict]:
    """({name: textcat component}, training.json) of one extractor's model directory."""
    import spacy

    pipes = {name: spacy.load(model_dir / name).get_pipe("textcat") for name in names}
    meta = json.loads((model_dir / "training.json").read_text(encoding="utf-8"))
    return pipes, meta


def scores(textcat, feature_lists: list[list[str]]) -> list[dict[str, float]]:
    """Class probabilities of each feature list, computed as spaCy's TextCatBOW does on a Doc of
    those words (the hash of each distinct word and its count into the sparse linear layer, then
    the softmax), without building Docs: building one per candidate cost more than the model,
    and every new feature string grew the vocabulary of a long-running worker.
    tests/transforms/test_event_classifiers.py checks it equals textcat.predict."""
    if not feature_lists:
        return []
    sparse, softmax = _bow_layers(textcat)
    keys: list[int] = []
    vals: list[int] = []
    lengths: list[int] = []
    for words in feature_lists:
        counts: dict[int, int] = {}
        for word in words:
            key = get_string_id(word)
            counts[key] = counts.get(key, 0) + 1
        keys.extend(counts)
        vals.extend(counts.values())
        lengths.append(len(counts))
    batch = (
        numpy.asarray(keys, dtype="uint64"),
        numpy.asarray(vals, dtype="float32"),
        numpy.asarray(lengths, dtype="int32"),
    )
    probs = softmax.predict(sparse.predict(batch))
    labels = list(textcat.labels)
    return [dict(zip(labels, map(float, row), strict=True)) for row in numpy.asarray(probs)]


def _bow_layers(textcat):
    layers = {layer.name: layer for layer in textcat.model.walk()}
    return layers["resizable(sparse_linear)"], layers["softmax_activation"]
