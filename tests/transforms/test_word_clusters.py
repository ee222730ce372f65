"""Word classes from static vectors (training/clusters/build.py): the shipped table is the one
its metadata describes, and near words share a fine class where far words do not."""

from __future__ import annotations

import gzip
import json

from transforms.extract import word_clusters


def test_table_matches_its_metadata():
    meta = json.loads(word_clusters.TABLE.with_name("word_clusters.json").read_text())
    with gzip.open(word_clusters.TABLE, "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    assert len(rows) == meta["words"] > 200_000
    k_coarse, k_fine = meta["k"]
    assert all(int(c) < k_coarse and int(f) < k_fine for _, c, f in rows)


def test_near_words_share_a_class_far_words_do_not():
    pledge, donate, bomb = (word_clusters.classes(w) for w in ("pledge", "donate", "bomb"))
    assert pledge is not None and donate is not None and bomb is not None
    assert pledge[1] == donate[1] and pledge[1] != bomb[1]
    assert word_clusters.classes("Pledge") == pledge  # looked up lower-cased
    assert word_clusters.classes("qxzqxz") is None
