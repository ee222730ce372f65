"""Actor resolution rules on fixed mention rows."""

from __future__ import annotations

import polars as pl

from transforms.actors import normalize_surface, resolve_country, resolve_mentions


def mentions(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    """(article_id, text, label) -> mention rows with ids and increasing offsets."""
    return pl.DataFrame(
        [
            {
                "mention_id": f"m{i}",
                "article_id": a,
                "mention_text": t,
                "entity_label": lab,
                "start_char": i * 10,
            }
            for i, (a, t, lab) in enumerate(rows)
        ]
    )


def test_country_names_demonyms_and_capitals():
    assert resolve_country("Russia", "GPE") == ("RUS", "country_name")
    assert resolve_country("Russia’s", "GPE") == ("RUS", "country_name")
    assert resolve_country("North Korean", "NORP") == ("PRK", "country_demonym")
    assert resolve_country("U.S.", "GPE") == ("USA", "country_name")
    assert resolve_country("the United States", "GPE") == ("USA", "country_name")
    assert resolve_country("Pyongyang", "GPE") == ("PRK", "capital_for_state")
    assert resolve_country("Kursk", "GPE") is None
    # a capital only stands for the state where spaCy saw a place, not a person or an org
    assert resolve_country("Washington", "PERSON") is None


def test_normalize_surface():
    assert normalize_surface("the U.N.") == "un"
    assert normalize_surface("Russia’s") == "russia"


def test_short_person_mentions_join_the_full_name_in_the_same_article():
    actors, links, aliases = resolve_mentions(
        mentions(
            [
                ("a1", "Choe Son Hui", "PERSON"),
                ("a1", "Choe", "PERSON"),
                ("a1", "Vladimir Putin", "PERSON"),
                ("a1", "Putin", "PERSON"),
                ("a2", "Putin", "PERSON"),  # another article with no full name
                ("a3", "Vladimir Putin", "PERSON"),
            ]
        )
    )
    by_mention = dict(links.select("mention_id", "actor_id").iter_rows())
    assert by_mention["m0"] == by_mention["m1"] == "person:choe-son-hui"
    assert by_mention["m2"] == by_mention["m3"] == by_mention["m5"] == "person:vladimir-putin"
    assert by_mention["m4"] == "person:putin"
    reasons = dict(links.select("mention_id", "match_reason").iter_rows())
    assert reasons["m1"] == "person_in_article" and reasons["m0"] == "person_name"
    assert ("person:choe-son-hui", "Choe") in set(aliases.iter_rows())


def test_countries_are_one_actor_and_places_are_not_actors():
    actors, links, _ = resolve_mentions(
        mentions(
            [
                ("a1", "Russia", "GPE"),
                ("a1", "Russian", "NORP"),
                ("a1", "Moscow", "GPE"),
                ("a1", "Kursk", "GPE"),
                ("a1", "the European Union", "ORG"),
            ]
        )
    )
    by_mention = dict(links.select("mention_id", "actor_id").iter_rows())
    assert by_mention["m0"] == by_mention["m1"] == by_mention["m2"] == "country:RUS"
    assert "m3" not in by_mention
    country = actors.filter(pl.col("actor_id") == "country:RUS").row(0, named=True)
    assert country["canonical_name"] == "Russia" and country["actor_type"] == "country"
    assert by_mention["m4"].startswith("org:")


def test_org_tag_on_a_persons_surname_joins_the_person():
    _, links, _ = resolve_mentions(
        mentions([("a1", "Annalena Baerbock", "PERSON"), ("a1", "Baerbock", "ORG")])
    )
    by_mention = dict(links.select("mention_id", "actor_id").iter_rows())
    assert by_mention["m1"] == "person:annalena-baerbock"
