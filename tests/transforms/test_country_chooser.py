"""The learned party country chooser (transforms/extract/country_chooser.py) on a parsed story:
its candidates, its choice against the rules', and the parties' country through it."""

from __future__ import annotations

import pytest

from transforms.extract import country_chooser, doc_cache
from transforms.extract.parties import parties_for, with_country

TEXT = (
    "WASHINGTON — The United States will send $10 million in aid to Kenya, U.S. officials said "
    "on Monday. American diplomats met in Washington to discuss the plan. Kenyan activist Mary "
    "Wanjiru criticized the plan. The United States defended it, and the White House said the "
    "money was on its way. Wanjiru said the money would not reach farmers in the United States "
    "or anywhere else. A spokesperson for the United Nations said the agency would monitor it."
)


@pytest.fixture(scope="module")
def doc():
    from transforms.nlp.pipeline import load_nlp

    return load_nlp()(TEXT)


def _at(text: str, last: bool = True) -> tuple[int, int]:
    i = TEXT.rfind(text) if last else TEXT.find(text)
    return i, i + len(text)


def test_candidates_name_the_strategies_that_propose_them(doc):
    start, end = _at("Wanjiru")
    with doc_cache.cached(doc):
        cands = country_chooser.candidates(doc, start, end, "Wanjiru")
    assert set(cands) == {"KEN", "USA"}
    assert {"intro", "own_mention", "k_person"} <= set(cands["KEN"])
    assert {"home", "sent_first", "rule", "rank_1"} <= set(cands["USA"])
    assert "home" not in cands["KEN"] and "intro" not in cands["USA"]


def test_an_introduced_person_keeps_their_country_where_the_sentence_names_another(doc):
    """The rules read the sentence's country (the United States); the chooser weighs the
    introduction ("Kenyan activist Mary Wanjiru") higher."""
    start, end = _at("Wanjiru")
    with doc_cache.cached(doc):
        sentence = doc.char_span(start, end).sent.text
        rules = country_chooser.rules_country(doc, start, end, "Wanjiru", sentence)
        choice = country_chooser.choose(doc, start, end, "Wanjiru")
    assert rules == ("USA", "sentence_country")
    assert choice is not None and choice.iso3 == "KEN"
    assert choice.reason.startswith("chooser:")
    assert country_chooser.model()[1]["threshold"] <= choice.confidence <= 1.0


def test_an_international_organization_keeps_no_country(doc):
    start, end = _at("the United Nations")
    with doc_cache.cached(doc):
        choice = country_chooser.choose(doc, start, end, "the United Nations")
    assert choice == country_chooser.Choice(None, "international", None)


def test_parties_take_the_chosen_country_with_its_confidence(doc):
    with doc_cache.cached(doc):
        subjects = [t for t in doc if t.dep_ == "nsubj" and t.text == "Wanjiru"]
        party = parties_for(subjects[-1])[0]
        resolved = with_country(party, doc)
        country = with_country(parties_for(doc[2])[0], doc)  # "The United States"
    assert (resolved.iso3, resolved.kind) == ("KEN", "person")
    assert resolved.country_reason.startswith("chooser:")
    assert 0.3 <= resolved.country_confidence <= 1.0
    assert (country.iso3, country.country_reason, country.country_confidence) == ("USA", None, None)


def _claim_rows(doc, learned: bool, monkeypatch) -> list[dict]:
    import dataclasses
    import datetime as dt

    from transforms.extract import claims
    from transforms.extract.base import ArticleContext

    switched = dataclasses.replace(claims.rules(), learned_speaker_country=learned)
    monkeypatch.setattr(claims, "rules", lambda: switched)
    claims.forget_claim_rows(doc)  # claim_rows keeps its rows on the Doc
    return claims.claim_rows(doc, ArticleContext("chooser-test", dt.date(2024, 1, 8), "test"))


def test_claim_speakers_take_the_choosers_country_behind_their_switch(doc, monkeypatch):
    """A person speaker's country is the chooser's (method "+chooser") where the switch
    `learned_speaker_country` is on; off, the claim rules alone give it."""
    on = _claim_rows(doc, True, monkeypatch)
    wanjiru = [r for r in on if r["speaker_name"] and r["speaker_name"].endswith("Wanjiru")]
    assert wanjiru and all(r["speaker_country_iso3"] == "KEN" for r in wanjiru)
    assert all(r["method"].endswith("+chooser") for r in wanjiru)
    un = [r for r in on if "United Nations" in (r["speaker_text"] or "")]
    assert all(r["speaker_country_iso3"] is None for r in un)
    off = _claim_rows(doc, False, monkeypatch)
    assert [r["content"] for r in off] == [r["content"] for r in on]
    assert not any("+chooser" in r["method"] for r in off)


def _candidates_of(text: str, party: str) -> dict[str, list[str]]:
    """The chooser's candidates for the last mention of `party` in a story of its own."""
    from transforms.nlp.pipeline import load_nlp

    story = load_nlp()(text)
    start = text.rfind(party)
    with doc_cache.cached(story):
        return country_chooser.candidates(story, start, start + len(party), party)


def test_a_story_set_in_a_city_proposes_that_citys_country():
    """A story may never name its country, only its cities and regions ("Catalonia"): their
    country (the country dictionary's places) is a candidate for every party."""
    cands = _candidates_of(
        "Firefighters in Barcelona battled a blaze in an apartment block on Monday. Police in "
        "Catalonia said the fire started in a kitchen. Officials said three people died.",
        "Officials",
    )
    assert "ESP" in cands, cands
    assert {"place", "place_home"} <= set(cands["ESP"])


def test_a_body_of_one_country_in_the_sentence_proposes_that_country():
    cands = _candidates_of(
        "Iran has shipped missile fuel to its allies, officials in Tehran said. A spokesperson "
        "said the State Department does not comment on intelligence matters.",
        "A spokesperson",
    )
    assert "org_sent" in cands.get("USA", []), cands
    assert "org_sent" not in cands.get("IRN", [])
