"""PLOVER events on the real model: the seed article's examples from the issue.

The lexicon path (`triggers="lexicon"`, the rules kept as the fallback and as the baseline
`make eval` prints) is pinned on the seed's sentences; the learned path (the default when the
trained classifiers are present) is checked for well-formed rows and for the seed's clearest
events."""

from __future__ import annotations

import pytest

from tests.conftest import SEED_ARTICLE
from transforms.articles import parse_article
from transforms.extract.base import ArticleContext
from transforms.extract.events import PLOVER_TYPES, event_rows, events_in_sentence

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed():
    from transforms.nlp.pipeline import load_nlp

    parsed = parse_article(SEED_ARTICLE.read_text(encoding="utf-8"))
    doc = load_nlp()(parsed.text)
    rows = event_rows(doc, ArticleContext("seed", parsed.published_date, "test"), "lexicon")
    return parsed.text, rows


def find(rows, trigger):
    return [r for r in rows if r["trigger_text"] == trigger]


def test_putin_met_choe_at_the_kremlin(seed):
    text, rows = seed
    (met,) = find(rows, "met")[:1]
    assert met["event_type"] == "CONSULT"
    assert met["actor_name"] == "Vladimir Putin" and met["actor_iso3"] == "RUS"
    assert met["recipient_name"].startswith("Choe Son")
    assert met["place_text"] == "Kremlin"
    assert text[met["start_char"] : met["end_char"]] == "met"


def test_us_accused_russia_and_china(seed):
    _, rows = seed
    accused = find(rows, "accused")
    assert {(r["event_type"], r["actor_iso3"], r["recipient_iso3"]) for r in accused} == {
        ("ACCUSE", "USA", "RUS"),
        ("ACCUSE", "USA", "CHN"),
    }


def test_condemned_and_demanded_withdrawal(seed):
    _, rows = seed
    condemned = {
        (r["event_type"], r["actor_name"], r["recipient_iso3"]) for r in find(rows, "condemned")
    }
    assert condemned == {
        ("DISAPPROVE", "South Korea", "PRK"),
        ("DISAPPROVE", "European Union", "PRK"),
    }
    demanded = {
        (r["event_type"], r["actor_name"], r["recipient_iso3"]) for r in find(rows, "demanded")
    }
    assert demanded == {("DEMAND", "South Korea", "PRK"), ("DEMAND", "European Union", "PRK")}
    # the withdrawal is demanded, not done
    (withdraw,) = find(rows, "withdraw")
    assert withdraw["actor_iso3"] == "PRK" and withdraw["mode"] == "hypothetical"


def test_troops_preparing_to_join_the_fight(seed):
    _, rows = seed
    (preparing,) = find(rows, "preparing")
    assert preparing["event_type"] == "MOBILIZE" and preparing["actor_iso3"] == "PRK"
    # "preparing to join Moscow's fight against Ukraine": the target is Ukraine, not Moscow
    assert preparing["recipient_iso3"] == "UKR"


def test_modes_and_dates(seed):
    _, rows = seed
    (meet,) = find(rows, "meet")  # "there were no plans for Putin to meet Choe"
    assert meet["mode"] == "denied"
    (incursion,) = find(rows, "incursion")  # "started a sudden incursion in August"
    assert (incursion["event_date"].isoformat(), incursion["date_precision"]) == (
        "2024-08-01",
        "month",
    )
    assert {r["event_type"] for r in rows} <= set(PLOVER_TYPES)
    assert {r["mode"] for r in rows} <= {
        "asserted",
        "announced",
        "hypothetical",
        "denied",
        "historical",
    }


def test_a_fronted_place_is_not_an_actor():
    from transforms.nlp.pipeline import load_nlp

    doc = load_nlp()("In Kyiv, Ukraine and Poland signed a treaty of friendship.")
    (sent,) = list(doc.sents)
    events = events_in_sentence(sent, __import__("datetime").date(2024, 1, 1), "lexicon")
    main = next(e for e in events if e.is_main)
    assert main.event_type == "SUPPORT"
    assert {a.iso3 for a in main.actors} == {"UKR", "POL"}


def test_a_city_is_never_an_actor_but_a_capital_stands_for_its_state():
    import datetime as dt

    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    day = dt.date(2024, 1, 1)
    city = nlp("Vladivostok condemned the attack on the embassy.")
    (sent,) = list(city.sents)
    assert all(not e.actors for e in events_in_sentence(sent, day, "lexicon"))
    capital = nlp("Moscow condemned the attack on the embassy.")
    (sent,) = list(capital.sents)
    main = next(e for e in events_in_sentence(sent, day, "lexicon") if e.is_main)
    assert (main.event_type, [a.iso3 for a in main.actors]) == ("DISAPPROVE", ["RUS"])


def test_an_event_without_a_recipient_is_done_to_the_actor_s_own_country():
    from transforms.extract import doc_cache, event_features, events
    from transforms.nlp.pipeline import load_nlp

    doc = load_nlp()("Kenyan police fired tear gas on Tuesday.")
    with doc_cache.cached(doc):
        (sent,) = doc_cache.sents(doc)
        fired = next(t for t in sent if t.lower_ == "fired")
        pairs = events.argument_features_of(fired, "COERCE", event_features.party_candidates(sent))
        # the classifier's answer, made here: the first Kenyan party acts, nobody is acted on
        actor = next(k for k, (c, _) in enumerate(pairs) if c.party.iso3 == "KEN")
        roles = [
            {"actor": float(k == actor), "recipient": 0.0, "none": float(k != actor)}
            for k in range(len(pairs))
        ]
        actors, recipients = events.choose_arguments(
            fired, fired, "COERCE", pairs, roles, {"actor": 0.5, "recipient": 0.1}
        )
    assert [a.iso3 for a in actors] == ["KEN"]
    (recipient,) = recipients
    assert (recipient.name, recipient.iso3, recipient.kind) == ("Kenya", "KEN", "country")
    assert recipient.country_reason == "actor_country"
    assert (recipient.text, recipient.start_char) == (None, None)  # no words state it
    # named by no candidate nor by the rules' object ("tear gas" is no party): the fallback only
    assert not events._recipients(fired, "COERCE", actors)


def test_types_the_guidelines_give_no_recipient_get_no_actor_country():
    from transforms.extract import doc_cache, event_features, events
    from transforms.nlp.pipeline import load_nlp

    doc = load_nlp()("Kenyan teachers marched through Nairobi on Tuesday.")
    with doc_cache.cached(doc):
        (sent,) = doc_cache.sents(doc)
        marched = next(t for t in sent if t.lower_ == "marched")
        pairs = events.argument_features_of(
            marched, "PROTEST", event_features.party_candidates(sent)
        )
        actor = next(k for k, (c, _) in enumerate(pairs) if c.party.iso3 == "KEN")
        roles = [
            {"actor": float(k == actor), "recipient": 0.0, "none": float(k != actor)}
            for k in range(len(pairs))
        ]
        th = {"actor": 0.5, "recipient": 0.1}
        protest = events.choose_arguments(marched, marched, "PROTEST", pairs, roles, th)
        coerce = events.choose_arguments(marched, marched, "COERCE", pairs, roles, th)
    assert [a.iso3 for a in protest[0]] == ["KEN"]
    assert protest[1] == []  # PROTEST: no recipient by the guidelines (no_recipient_types)
    assert [r.country_reason for r in coerce[1]] == ["actor_country"]
