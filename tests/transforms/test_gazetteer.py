"""The gazetteer component on fixed texts: the systematic en_core_web_sm errors it fixes."""

from __future__ import annotations

import pytest

from transforms.nlp.pipeline import load_bare_nlp, load_nlp, rules_fingerprint

pytestmark = pytest.mark.slow

TEXT = (
    "Russian President Vladimir Putin has met North Korean Foreign Minister Choe Son Hui at "
    "the Kremlin, as Ukraine warned North Korean troops in Russia's Kursk region could be sent "
    "into combat. In Kyiv, Ukrainian Foreign Minister Andrii Sybiha said he had discussed it "
    "with his German counterpart Annalena Baerbock. Baerbock also announced that Germany "
    "would give Ukraine more aid. This proves that while the West is afraid and hesitates, "
    "Russia is acting. North Korea’s Choe has been in Russia for almost a week."
)


def ents(nlp, text: str = TEXT) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in nlp(text).ents:
        out.setdefault(e.text, set()).add(e.label_)
    return out


def test_the_bare_model_makes_the_errors_we_fix():
    bare = ents(load_bare_nlp())
    # if a new model stops making these errors, the rules (and this test) should be revisited
    assert "PRODUCT" in bare.get("Kursk", set())
    assert "Choe Son" in bare


def test_gazetteer_fixes_them():
    ours = ents(load_nlp())
    assert ours["Kursk"] == {"GPE"}
    assert ours["Choe Son Hui"] == {"PERSON"} and "Choe Son" not in ours
    assert ours["Baerbock"] == {"PERSON"}
    assert "hesitates" not in ours
    assert ours["North Korea"] == {"GPE"} and ours["Choe"] == {"PERSON"}
    assert ours["Kyiv"] == {"GPE"}
    assert ours["Vladimir Putin"] == {"PERSON"}


def test_longer_model_entities_and_people_are_kept():
    ours = ents(load_nlp(), "Students of Moscow State University met Paris Hilton in London.")
    assert "Moscow" not in ours  # inside a longer ORG
    assert ours.get("London") == {"GPE"}


def test_the_rules_fingerprint_is_in_the_extractor_version():
    from transforms.nlp.pipeline import extractor_version

    assert extractor_version(load_nlp()).endswith(f"+{rules_fingerprint()}")


def test_a_city_tagged_person_becomes_a_place_but_a_surname_stays_a_person():
    ours = ents(
        load_nlp(),
        "Defense Secretary Lloyd Austin flew to Kyiv. Tourists like Da Nang. Austin said so.",
    )
    assert ours.get("Da Nang") == {"GPE"}
    assert ours.get("Austin") == {"PERSON"}


def test_the_name_token_ids_are_cached_and_read_back_unchanged(tmp_path, monkeypatch):
    from transforms.nlp.gazetteer import _pattern_ids

    monkeypatch.setenv("NEWSLEDGER_CACHE_DIR", str(tmp_path))
    nlp = load_bare_nlp()
    terms = {"GPE": ["Kursk", "Da Nang"], "PERSON": ["Choe Son Hui", "O'Brien"]}
    built = _pattern_ids(nlp, terms)
    assert len(list(tmp_path.glob("gazetteer-*.json"))) == 1
    assert _pattern_ids(nlp, terms) == built  # now read from the file
    assert built["PERSON"][0] == [t.orth for t in nlp.tokenizer("Choe Son Hui")]
    assert len(list(tmp_path.glob("gazetteer-*.json"))) == 1
    _pattern_ids(nlp, {"GPE": ["Kyiv"]})  # other names: another file
    assert len(list(tmp_path.glob("gazetteer-*.json"))) == 2


# Where the name lists cannot know better than the model (fix_entities step 3a-3c, issue 16):
# measured on the VOA NER dev split (evaluation/data/ner_dev.jsonl) and the gold/train stories.
# The texts are quoted from VOA stories (public domain) unless said otherwise.

BRITAIN = (  # VOA 8005869 (dev split)
    "Britain is seeking to finalize a deal on handing sovereignty of the Chagos Islands to "
    "Mauritius after U.S. President Donald Trump said last month that he was “inclined” to "
    "support the deal."
)
QUETTA = (  # VOA 8006651 (dev split)
    "Authorities say the Jaffar Express was traveling north from Quetta, the provincial capital "
    "of Balochistan, to Peshawar, the provincial capital of Khyber Pakhtunkhwa, when it came "
    "under intense fire, hours after departure."
)
THAI = (  # VOA 8006723 (gold/train `train` story)
    "The Thai and Chinese governments have said nothing about the eight Uyghurs who were not "
    "sent back to China last month."
)
# No sports story is in the VOA data: these two sentences are written for the test, in the style
# of a match report.
CLUBS = "Chelsea signed the midfielder from Leicester for 60 million pounds, the club said."
CLUBS_2 = "Manchester United sacked its coach after Liverpool won the Premier League title."


@pytest.fixture(scope="module")
def gazetteer():
    """The bare model and the gazetteer's matcher and lists, to run fix_entities with or without
    a list (what a rule changes)."""
    from spacy.matcher import PhraseMatcher

    from transforms.nlp.gazetteer import (
        _pattern_ids,
        country_names,
        gazetteer_terms,
        nationality_words,
    )

    nlp = load_bare_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for label, patterns in _pattern_ids(nlp, gazetteer_terms()).items():
        matcher.add(label, patterns)
    return nlp, matcher, country_names(), nationality_words()


def _fixed(gazetteer, text, countries=True, demonyms=True) -> dict[str, str]:
    from transforms.nlp.gazetteer import fix_entities

    nlp, matcher, country_list, demonym_list = gazetteer
    doc = fix_entities(
        nlp(text),
        matcher,
        country_list if countries else frozenset(),
        demonym_list if demonyms else frozenset(),
    )
    return {e.text: e.label_ for e in doc.ents}


def test_a_place_the_nationality_list_holds_stays_a_place(gazetteer, monkeypatch):
    from transforms.nlp import gazetteer as module

    assert ents(load_bare_nlp(), BRITAIN)["U.S."] == {"GPE"}
    ours = ents(load_nlp(), BRITAIN)
    assert ours["Britain"] == {"GPE"} and ours["U.S."] == {"GPE"}
    assert ours["Mauritius"] == {"GPE"}  # the model's ORG is still fixed
    monkeypatch.setattr(module, "KEEP_MODEL_TYPE", set())
    without = _fixed(gazetteer, BRITAIN)
    assert without["Britain"] == without["U.S."] == "NORP"  # what rule 3a prevents


def test_a_nationality_word_that_also_names_a_place_stays_a_nationality(gazetteer):
    assert ents(load_bare_nlp(), THAI)["Thai"] == {"NORP"}
    assert ents(load_nlp(), THAI)["Thai"] == {"NORP"}
    assert _fixed(gazetteer, THAI, demonyms=False)["Thai"] == "GPE"  # what rule 3b prevents


def test_a_city_typed_org_becomes_a_place_outside_sport():
    bare, ours = ents(load_bare_nlp(), QUETTA), ents(load_nlp(), QUETTA)
    assert bare["Quetta"] == bare["Peshawar"] == {"ORG"}
    assert ours["Quetta"] == ours["Peshawar"] == {"GPE"}


def test_a_club_named_after_a_city_stays_an_org_in_a_sentence_about_sport(gazetteer):
    from transforms.nlp.gazetteer import fix_entities

    ours = ents(load_nlp(), CLUBS)
    assert ours["Chelsea"] == ours["Leicester"] == {"ORG"}
    assert ents(load_nlp(), CLUBS_2)["Liverpool"] == {"ORG"}
    # the same names in a sentence with no sports word are cities to the gazetteer
    nlp, matcher, countries, demonyms = gazetteer
    doc = nlp("Chelsea signed the deal with Leicester for 60 million pounds, officials said.")
    doc.ents = [
        doc.char_span(0, 7, label="ORG"),
        doc.char_span(doc.text.index("Leicester"), doc.text.index(" for"), label="ORG"),
    ]
    fixed = {e.text: e.label_ for e in fix_entities(doc, matcher, countries, demonyms).ents}
    assert fixed["Chelsea"] == fixed["Leicester"] == "GPE"


def test_a_national_side_is_a_place_even_in_a_sentence_about_sport(gazetteer):
    from transforms.nlp.gazetteer import fix_entities

    nlp, matcher, countries, demonyms = gazetteer
    text = "Cameroon beat Ghana in the Africa Cup of Nations, the coach said."
    doc = nlp(text)
    doc.ents = [doc.char_span(0, 8, label="ORG"), doc.char_span(14, 19, label="GPE")]
    fixed = {e.text: e.label_ for e in fix_entities(doc, matcher, countries, demonyms).ents}
    assert fixed["Cameroon"] == fixed["Ghana"] == "GPE"


def test_a_possessive_is_no_part_of_a_name():
    """The model tags "Hillary Clinton's" PERSON; CoNLL's span (and the name claims and actors
    read) is "Hillary Clinton"."""
    text = "Hillary Clinton's campaign called the letter troubling."
    assert "Hillary Clinton's" in ents(load_bare_nlp(), text)
    ours = ents(load_nlp(), text)
    assert ours.get("Hillary Clinton") == {"PERSON"} and "Hillary Clinton's" not in ours
