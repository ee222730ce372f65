"""The event lexicon's nearest types by word vectors (training/clusters/lexicon_neighbours.py):
the shipped table is the one its metadata describes, built from the lexicon as it stands, and
the trigger feature `vsim` reads it for a word the lexicon lacks."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

import spacy
from spacy.tokens import Doc

from transforms.extract import doc_cache, event_features, lexicon_neighbours

LEXICON = Path(lexicon_neighbours.__file__).parent / "rules" / "event_lexicon.csv"
META = json.loads(lexicon_neighbours.TABLE.with_name("lexicon_neighbours.json").read_text())


def test_table_matches_its_metadata_and_the_lexicon_it_was_built_from():
    # a lexicon edited since the table was built gives stale neighbours: rebuild it
    assert META["lexicon_sha256"] == hashlib.sha256(LEXICON.read_bytes()).hexdigest()
    with gzip.open(lexicon_neighbours.TABLE, "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    assert len(rows) == META["words"] > 20_000
    with LEXICON.open(encoding="utf-8") as fh:
        types = {row["event_type"] for row in csv.DictReader(fh)}
    for _word, *pairs in rows:
        assert 1 <= len(pairs) <= META["top_types"]
        sims = [float(p.split(":")[1]) for p in pairs]
        assert all(META["min_sim"] <= s <= 1.0 for s in sims) and sims == sorted(sims, reverse=True)
        assert {p.split(":")[0] for p in pairs} <= types


def test_words_the_lexicon_lacks_get_its_nearest_types():
    with LEXICON.open(encoding="utf-8") as fh:
        lemmas = {row["lemma"] for row in csv.DictReader(fh)}
    assert "pummel" not in lemmas and "rebuke" not in lemmas
    assert lexicon_neighbours.similar_types("pummel")[0][0] == "ASSAULT"
    assert "DISAPPROVE" in dict(lexicon_neighbours.similar_types("Rebuke"))  # lower-cased
    assert lexicon_neighbours.similar_types("qxzqxz") == ()


def test_vsim_is_a_trigger_feature():
    # "Troops pummelled the city ." parsed by hand (no spaCy model: the fast lane)
    doc = Doc(
        spacy.blank("en").vocab,
        words=["Troops", "pummelled", "the", "city", "."],
        pos=["NOUN", "VERB", "DET", "NOUN", "PUNCT"],
        lemmas=["troop", "pummel", "the", "city", "."],
        heads=[1, 1, 3, 1, 1],
        deps=["nsubj", "ROOT", "det", "dobj", "punct"],
        sent_starts=[True, False, False, False, False],
    )
    with doc_cache.cached(doc):
        feats = event_features.all_trigger_features(doc[1])
        none = event_features.trigger_features(doc[1], [], None, None, groups=frozenset({"l"}))
    assert "lex_none" in feats  # the lexicon does not list "pummel"
    assert "vsim_assault_3" in feats and "vsim_coerce_3" in feats
    assert not any(f.startswith("vsim") for f in none)
