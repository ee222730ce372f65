"""The learned event path on hand-built Docs (no spaCy model: the fast lane).

A Doc is built with its parse and entities by hand, so these tests pin what the features and
the rules read from a parse, and that the shipped classifiers score like spaCy's own textcat.
"""

from __future__ import annotations

import datetime as dt

import numpy
import pytest
import spacy
from spacy.tokens import Doc, Span

from transforms.extract import doc_cache, event_features, events
from transforms.extract import textcat as textcat_scorer
from transforms.extract.base import ArticleContext

DAY = dt.date(2024, 11, 4)


@pytest.fixture(scope="module")
def doc() -> Doc:
    # "Russia attacked Ukraine on Monday ."
    vocab = spacy.blank("en").vocab
    doc = Doc(
        vocab,
        words=["Russia", "attacked", "Ukraine", "on", "Monday", "."],
        spaces=[True, True, True, True, False, False],
        pos=["PROPN", "VERB", "PROPN", "ADP", "PROPN", "PUNCT"],
        tags=["NNP", "VBD", "NNP", "IN", "NNP", "."],
        lemmas=["Russia", "attack", "Ukraine", "on", "Monday", "."],
        heads=[1, 1, 1, 1, 3, 1],
        deps=["nsubj", "ROOT", "dobj", "prep", "pobj", "punct"],
        sent_starts=[True, False, False, False, False, False],
    )
    doc.ents = [Span(doc, 0, 1, "GPE"), Span(doc, 2, 3, "GPE"), Span(doc, 4, 5, "DATE")]
    return doc


def test_trigger_features_read_the_parse_and_the_lexicon(doc):
    with doc_cache.cached(doc):
        attacked = doc[1]
        assert event_features.is_trigger_candidate(attacked)
        assert not event_features.is_trigger_candidate(doc[3])  # a preposition
        feats = event_features.all_trigger_features(attacked)
    assert {"l_attack", "p_verb", "d_root", "lex_assault", "subjkind_country", "root"} <= set(feats)
    assert "sent_0" in feats and "seen_0" in feats
    used = set(event_features.keep_groups(feats, event_features.trigger_groups()))
    assert used and all(event_features.group_of(f) in event_features.trigger_groups() for f in used)


def test_party_candidates_and_argument_features(doc):
    with doc_cache.cached(doc):
        sent = next(iter(doc.sents))
        cands = event_features.party_candidates(sent)
        assert [(c.party.name, c.party.iso3) for c in cands] == [
            ("Russia", "RUS"),
            ("Ukraine", "UKR"),
        ]
        pairs = dict(
            (c.party.iso3, f) for c, f in events.argument_features_of(doc[1], "ASSAULT", cands)
        )
    assert "rule_subject" in pairs["RUS"] and "rule_recipient" not in pairs["RUS"]
    assert "rule_recipient" in pairs["UKR"] and "rule_subject" not in pairs["UKR"]


def test_lexicon_path_gives_actor_recipient_date(doc):
    rows = events.event_rows(doc, ArticleContext("a1", DAY, "test"), triggers="lexicon")
    (row,) = rows
    assert (row["event_type"], row["actor_iso3"], row["recipient_iso3"]) == (
        "ASSAULT",
        "RUS",
        "UKR",
    )
    assert (row["date_text"], row["event_date"], row["mode"]) == ("Monday", DAY, "asserted")
    assert row["method"] == "lexicon+rules"


@pytest.mark.skipif(events.classifiers() is None, reason="no trained classifiers (make train)")
def test_scores_equal_spacys_textcat_on_docs():
    models = events.classifiers()
    feats = [["l_attack", "p_verb", "lex_assault", "root"], ["l_say", "l_say", "subj_none"], ["x"]]
    for textcat in (models.trigger_detect, models.trigger_type, models.argument):
        ours = models.scores(textcat, feats)
        theirs = textcat.model.ops.to_numpy(
            textcat.predict([Doc(textcat.vocab, words=f) for f in feats])
        )
        assert numpy.allclose([[d[lab] for lab in textcat.labels] for d in ours], theirs, atol=1e-6)
        assert all(abs(sum(d.values()) - 1) < 1e-4 for d in ours)
    # both trigger stages scored on one hashing of the words (events._doc_trigger_scores)
    stages = (models.trigger_detect, models.trigger_type)
    for textcat, (labels, probs) in zip(
        stages, textcat_scorer.probabilities_each(stages, feats), strict=True
    ):
        theirs = textcat.predict([Doc(textcat.vocab, words=f) for f in feats])
        assert labels == list(textcat.labels)
        assert numpy.allclose(probs, textcat.model.ops.to_numpy(theirs), atol=1e-6)


@pytest.mark.skipif(events.classifiers() is None, reason="no trained classifiers (make train)")
def test_learned_rows_carry_method_and_confidence(doc):
    rows = events.event_rows(doc, ArticleContext("a1", DAY, "test"), triggers="learned")
    for row in rows:
        assert row["method"] == "learned+rules"
        assert 0 < row["confidence"] <= 1
        assert row["event_type"] in events.PLOVER_TYPES
