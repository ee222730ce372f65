"""The running-total flag (transforms/extract/pledge_totals.py) on sentences of real releases.

The sentences are verbatim from the labelled corpus (../shared/data/gold/train, U.S. government
releases: public domain); what each amount is comes from the annotators' notes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.extract.pledge_totals import (
    PLEDGE_MENTION_TABLE_SCHEMA,
    cumulative_cue,
    flag_rows,
    pledge_mention_rows,
)

# (sentence, amount as written, cumulative?) — whitehouse / state releases of the train split
CASES = [
    (
        "President Biden today announced an additional $800 million in security assistance to "
        "Ukraine, bringing the total U.S. security assistance committed to Ukraine to $1 billion "
        "in just the past week, and a total of $2 billion since the start of the Biden "
        "Administration.",
        ["$800 million", "$1 billion", "$2 billion"],
        [False, True, True],
    ),
    (
        "Mr. Sullivan informed Foreign Minister Marsudi that the United States will provide an "
        "additional $30 million in COVID-19 assistance to Indonesia, bringing the total U.S. "
        "assistance to Indonesia since the start of the pandemic to more than $65 million.",
        ["$30 million", "$65 million"],
        [False, True],
    ),
    (
        "To date, the United States has contributed almost $100 million to the GCFF.",
        ["$100 million"],
        [True],
    ),
    (
        "Since the beginning of President Putin’s full-scale war in February, the United States "
        "has provided over $1.28 billion in humanitarian assistance to address this crisis.",
        ["$1.28 billion"],
        [True],
    ),
    (
        "These efforts build on the more than $3.5 billion the United States has invested in "
        "supporting public health in ASEAN over the past 20 years.",
        ["$3.5 billion"],
        [True],
    ),
    (
        "I announced earlier today that the United States is providing nearly $368 million in "
        "additional humanitarian assistance to support those affected by Russia’s brutal war.",
        ["$368 million"],
        [False],
    ),
    (
        "This includes $1 billion in new security assistance for Ukraine this week.",
        ["$1 billion"],
        [False],
    ),
]


@pytest.mark.parametrize(("sentence", "amounts", "expected"), CASES)
def test_running_totals_and_new_packages_in_real_sentences(sentence, amounts, expected):
    got = [cumulative_cue(sentence, sentence.index(a)) is not None for a in amounts]
    assert got == expected


def test_the_cue_is_named_and_a_row_without_an_amount_is_not_flagged():
    sentence = CASES[0][0]
    rows = [
        {"sentence_index": 0, "amount": 1e9, "amount_text": "$1 billion", "start_char": 0},
        {"sentence_index": 0, "amount": None, "amount_text": None, "start_char": 0},
        {"sentence_index": 3, "amount": 1e9, "amount_text": "$1 billion", "start_char": 0},
    ]
    flag_rows(rows, [(0, sentence)])
    assert [(r["is_cumulative"], r["cumulative_cue"]) for r in rows] == [
        (True, "bringing the total"),
        (False, None),
        (False, None),  # a sentence index the article lacks: unflagged, never an error
    ]


def test_the_extractor_flags_the_running_totals_of_a_parsed_release():
    """Through the real pipeline: pledges.py finds the three amounts, the flag splits them."""
    from transforms.extract.base import ArticleContext
    from transforms.nlp.pipeline import load_nlp

    doc = load_nlp()(CASES[0][0])
    rows = pledge_mention_rows(doc, ArticleContext("a", dt.date(2022, 3, 16), "v"))
    assert set(rows[0]) == set(PLEDGE_MENTION_TABLE_SCHEMA)
    got = sorted((r["amount"], r["is_cumulative"]) for r in rows)
    assert got == [(800e6, False), (1e9, True), (2e9, True)]
