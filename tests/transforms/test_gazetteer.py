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
