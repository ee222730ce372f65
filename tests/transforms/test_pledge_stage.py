"""The stage the words give a learned pledge anchor (transforms/extract/pledge_stage.py), on the
real spaCy model: each amount of a sentence (or the sentence, without one) and its reading."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.extract import pledge_features, pledge_stage
from transforms.extract.base import ArticleContext
from transforms.extract.pledges import pledge_rows, sentence_amounts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from transforms.nlp.pipeline import load_nlp

    return load_nlp()


def reading(nlp, text: str) -> str | None:
    """The stage read at the sentence's first anchor (its first amount, else the sentence)."""
    sent = next(nlp(text).sents)
    amounts = sentence_amounts(sent)
    anchor = pledge_features.anchors(sent, amounts)[0]
    got = pledge_stage.anchor_stage(anchor.token, sent, amounts)
    return got[0] if got else None


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # the perfect of a transfer verb: given already
        ("The United States has provided $20 million to Jordan.", "delivered"),
        # will + a transfer verb, or an intention: not given yet
        ("Japan will provide $5 million to Haiti.", "pledged"),
        ("Canada plans to send $40 million to Sudan.", "pledged"),
        # the verb's own stage
        ("Germany pledged $10 million for Syria.", "pledged"),
        ("Congress authorized $300 million for Ukraine.", "allocated"),
        # a strong cue above the transfer verb
        ("Kenya asked the World Bank to provide $50 million for drought relief.", "requested"),
        ("Trump ordered his staff to delay $400 million in military aid for Ukraine.", "paused"),
        # a stage word inside the amount's own noun phrase
        ("Norway made a $15 million commitment to the fund.", "pledged"),
        ("The aid includes the $500 million the United States has provided to Kyiv.", "delivered"),
        # a running total, unless planned or committed
        ("The package brings total U.S. assistance to Ukraine to $600 million.", "delivered"),
        # a statement without an amount: read from its aid noun's clause
        ("The aid to Ukraine was delayed by the White House.", "paused"),
        ("The administration restored humanitarian assistance to Gaza.", "resumed"),
    ],
)
def test_the_words_name_the_stage(nlp, text, stage):
    assert reading(nlp, text) == stage


@pytest.mark.parametrize(
    "text",
    [
        # a negated transfer verb, and a verb that names no stage: the classifier decides
        "The United States did not provide $20 million to Jordan.",
        "The report mentions $20 million for Jordan.",
    ],
)
def test_no_reading_where_the_words_name_no_stage(nlp, text):
    assert reading(nlp, text) is None


def test_a_list_verb_is_passed_over_for_the_verb_above():
    """ "includes" only lists the parts: the stage comes from the clause's own words."""
    assert "include" in pledge_stage.words().list_verbs


def test_new_cue_words_leave_the_rules_stage_alone(nlp):
    """anchor_stage_cues.csv is read by the learned path only: the rules' own stage cues
    (stage_cues.csv) do not know "authorize"."""
    from transforms.extract.pledges import lexicons

    assert "authorize" not in lexicons()[2]
    assert pledge_stage.words().cues["authorize"] == "allocated"


def test_learned_record_takes_the_words_stage(nlp):
    doc = nlp("The United States has provided $20 million to Jordan.")
    rows = pledge_rows(doc, ArticleContext("a", dt.date(2024, 11, 4), "test"), method="learned")
    assert [(r["donor_iso3"], r["recipient_iso3"], r["stage"]) for r in rows] == [
        ("USA", "JOR", "delivered")
    ]
