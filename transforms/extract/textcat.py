"""The trained bag-of-words classifiers the extractors load (events, pledges): one loader and
one scorer, so every learned extractor reads its model the same way.

A model directory (transforms/models/<extractor>/) holds one spaCy pipeline per classifier,
each with a single `textcat` component (TextCatBOW), and `training.json`: the fingerprint of
what it was trained from, the thresholds chosen on the dev fold, and the data counts.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

import numpy
from spacy.strings import get_string_id

MODELS_ROOT = Path(__file__).resolve().parents[1] / "models"


def load(model_dir: Path, names: list[str]) -> tuple[dict, dict]:
    """({name: textcat component}, training.json) of one extractor's model directory."""
    pipes = {name: _pipe(model_dir / name) for name in names}
    meta = json.loads((model_dir / "training.json").read_text(encoding="utf-8"))
    return pipes, meta


@functools.cache
def _pipe(path: Path):
    """One classifier's textcat component, loaded once per process (~0.06 s each: spaCy builds
    the pipeline's tokenizer and vocabulary)."""
    import spacy

    return spacy.load(path).get_pipe("textcat")


def preload() -> int:
    """Load every shipped classifier (each extractor's model directory under MODELS_ROOT), so
    that a process forked afterwards finds them loaded: the NLP pool's fork server calls this
    (transforms/nlp/preload.py). The number of classifiers loaded."""
    paths = sorted(p.parent for p in MODELS_ROOT.glob("*/*/config.cfg"))
    for path in paths:
        _pipe(path)
    return len(paths)


def scores(textcat, feature_lists: list[list[str]]) -> list[dict[str, float]]:
    """Class probabilities of each feature list, as {label: probability} (`probabilities`)."""
    labels, probs = probabilities(textcat, feature_lists)
    return [dict(zip(labels, row, strict=True)) for row in probs.tolist()]


def grouped_scores(textcat, groups: list[list[list[str]]]) -> list[list[dict[str, float]]]:
    """`scores` of several groups of feature lists (the candidate pairs of each claim, the
    arguments of each trigger) in one call: each row is scored on its own, so the answer is the
    same as one call per group, without the ~20-40 us each call costs (18,000 calls on 300
    articles when every group was its own call)."""
    flat = scores(textcat, [f for group in groups for f in group])
    out, at = [], 0
    for group in groups:
        out.append(flat[at : at + len(group)])
        at += len(group)
    return out


def probabilities(textcat, feature_lists: list[list[str]]) -> tuple[list[str], numpy.ndarray]:
    """(labels, one row of class probabilities per feature list), computed as spaCy's TextCatBOW
    does on a Doc of those words (the hash of each distinct word and its count into the sparse
    linear layer, then the softmax), without building Docs: building one per candidate cost
    more than the model, and every new feature string grew the vocabulary of a long-running
    worker. tests/transforms/test_event_classifiers.py checks it equals textcat.predict."""
    return probabilities_each([textcat], feature_lists)[0]


def probabilities_each(
    textcats: list, feature_lists: list[list[str]]
) -> list[tuple[list[str], numpy.ndarray]]:
    """`probabilities` of the same feature lists under several classifiers, the words hashed
    once (the two event trigger stages: hashing was more than half of one model's scoring)."""
    if not feature_lists:
        return [
            (list(tc.labels), numpy.zeros((0, len(tc.labels)), dtype="float32")) for tc in textcats
        ]
    batch = _bag_of_words(feature_lists)
    out = []
    for tc in textcats:
        sparse, softmax = _bow_layers(tc)
        # the softmax layer's own function, without thinc's per-call Model dispatch
        out.append((list(tc.labels), numpy.asarray(softmax.ops.softmax(sparse.predict(batch)))))
    return out


def _bag_of_words(feature_lists: list[list[str]]) -> tuple[numpy.ndarray, ...]:
    """The sparse linear layer's input for a batch of feature lists: each list's distinct word
    hashes, their counts, and how many distinct words each list has."""
    keys: list[int] = []
    vals: list[int] = []
    lengths: list[int] = []
    for words in feature_lists:
        ids = list(map(get_string_id, words))
        counts = dict.fromkeys(ids, 1)  # first-seen order, as the model's Doc
        if len(counts) != len(ids):  # a repeated word: counted (most lists have none)
            counts = Counter(ids)
        keys.extend(counts)
        vals.extend(counts.values())
        lengths.append(len(counts))
    return (
        numpy.asarray(keys, dtype="uint64"),
        numpy.asarray(vals, dtype="float32"),
        numpy.asarray(lengths, dtype="int32"),
    )


@functools.lru_cache(maxsize=64)
def _bow_layers(textcat):
    """The sparse linear and softmax layers of a loaded classifier (found once: walking the
    model on every call cost a tenth of the scoring)."""
    layers = {layer.name: layer for layer in textcat.model.walk()}
    return layers["resizable(sparse_linear)"], layers["softmax_activation"]
