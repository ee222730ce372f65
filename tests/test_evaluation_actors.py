"""The pure helpers of evaluation/actors.py's held-out speaker-country figure (no spaCy model)."""

from __future__ import annotations

import pytest

from evaluation.actors import (
    TRAIN_LABEL,
    is_pronoun,
    speaker_counts,
    speaker_error,
    speaker_errors,
    speaker_rows,
)


def claim(text, iso3="USA", kind="person", story="s1"):
    return {
        "story_id": story,
        "source_text": text,
        "source_type": kind,
        "source_country_iso3": iso3,
        "sentence": f"{text} said so.",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [("he", True), (" She ", True), ("they", True), ("Trump", False), (None, False), ("", False)],
)
def test_is_pronoun(text, expected):
    assert is_pronoun(text) is expected


@pytest.mark.parametrize(
    ("gold", "pred", "kind"),
    [
        (claim("Trump"), ("USA", "surname_reference"), None),
        (claim(None), (None, None), "no answer: no source text"),
        (claim("he"), (None, None), "no answer: pronoun"),
        (claim("Macharia", "KEN"), (None, None), "no answer: person"),
        (claim("officials", kind="unnamed"), (None, None), "no answer: unnamed"),
        (
            claim("UN chief Guterres", "PRT"),
            (None, "organization_reference"),
            "no answer: person, reason=organization_reference",
        ),
        (claim("Sadat", "AFG"), ("EGY", "surname_reference"), "wrong: reason=surname_reference"),
        (claim("he"), ("FRA", "sentence_country"), "wrong: pronoun, reason=sentence_country"),
    ],
)
def test_speaker_error_kinds(gold, pred, kind):
    assert speaker_error(gold, pred) == kind


def test_counts_and_rows_with_and_without_pronouns():
    items = [claim("Trump"), claim("he"), claim("she"), claim("Macharia", "KEN"), claim(None)]
    preds = [
        ("USA", "surname_reference"),
        ("USA", "sentence_country"),
        ("FRA", "sentence_country"),
        (None, None),
        (None, None),
    ]
    c = speaker_counts(items, preds)
    assert (c["n"], c["right"], c["answered"]) == (5, 2, 3)
    assert (c["n_np"], c["right_np"], c["answered_np"]) == (3, 1, 1)
    assert (c["pronouns"], c["no_text"]) == (2, 1)
    rows = {r.field: r for r in speaker_rows(TRAIN_LABEL, c)}
    assert rows["speaker country accuracy"].value == pytest.approx(2 / 5)
    assert rows["speaker country coverage"].value == pytest.approx(3 / 5)
    assert rows["speaker country precision"].value == pytest.approx(2 / 3)
    assert rows["speaker acc. w/o pronouns"].value == pytest.approx(1 / 3)
    assert rows["speaker cov. w/o pronouns"].value == pytest.approx(1 / 3)
    assert rows["speaker prec. w/o pronouns"].value == pytest.approx(1.0)
    assert {r.dataset for r in rows.values()} == {TRAIN_LABEL}


def test_rows_when_nothing_is_answered():
    c = speaker_counts([claim("he")], [(None, None)])
    rows = {r.field: r for r in speaker_rows("x", c)}
    assert rows["speaker country precision"].value is None
    assert rows["speaker acc. w/o pronouns"].value is None


def test_error_table_counts_and_examples():
    items = [claim("he", story="a"), claim("he", story="b"), claim("Sadat", "AFG", story="c")]
    preds = [(None, None), (None, None), ("EGY", "surname_reference")]
    counts, examples = speaker_errors(items, preds)
    assert counts == {"no answer: pronoun": 2, "wrong: reason=surname_reference": 1}
    assert examples["no answer: pronoun"] == "a: 'he' -> none vs gold USA"
    assert examples["wrong: reason=surname_reference"] == (
        "c: 'Sadat' -> EGY (surname_reference) vs gold AFG"
    )
    _, examples = speaker_errors([claim(None)], [(None, None)])
    assert examples == {"no answer: no source text": "s1: (no source text) -> none vs gold USA"}


def test_event_parties_are_read_where_their_name_is_in_the_sentence():
    """The event actors and recipients with a country become speaker-like records only where
    their canonical name is written in the event's sentence; the rest are counted, not read."""
    from evaluation.actors import event_party_items
    from evaluation.common import SHARED_DATA
    from evaluation.corpus import records

    if not (SHARED_DATA / "gold" / "train" / "events.jsonl").exists():
        pytest.skip(f"no labelled corpus at {SHARED_DATA}")
    items, missing = event_party_items("test")
    with_country = sum(
        1 for rec in records("events", "test") for role in ("actor", "recipient")
        if rec.get(f"{role}_iso3")
    )  # fmt: skip
    assert items and missing and len(items) + missing == with_country
    assert all(it["source_text"] in it["sentence"] for it in items)
    assert {it["source_type"] for it in items} == {"actor", "recipient"}
    assert all(len(it["source_country_iso3"]) == 3 for it in items)
