"""Actor resolution rules on fixed mention rows."""

from __future__ import annotations

import re

import polars as pl
import pytest

from transforms.actors import (
    normalize_surface,
    resolve_country,
    resolve_mentions,
    resolve_phrase,
    span_country,
)
from transforms.nlp.tables import MENTION_SCHEMA


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
    # an acronym is read in capitals, past its article and possessive
    assert resolve_country("the U.S.", "GPE") == ("USA", "country_name")
    assert resolve_country("the UAE’s", "GPE") == ("ARE", "country_name")
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
    # a lone surname in another article: the leaders dictionary knows who "Putin" is
    assert by_mention["m4"] == "person:vladimir-putin"
    reasons = dict(links.select("mention_id", "match_reason").iter_rows())
    assert reasons["m4"] == "person_reference"
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


def resolve_text(text: str, spans: list[tuple[str, str]], article_id: str = "a1"):
    """Resolve hand-placed mentions of a fixed text: (surface, label) found left to right."""
    rows, cursor = [], 0
    for i, (surface, label) in enumerate(spans):
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        rows.append(
            {
                "mention_id": f"m{i}",
                "article_id": article_id,
                "mention_text": surface,
                "entity_label": label,
                "start_char": start,
                "end_char": cursor,
            }
        )
    actors, links, aliases = resolve_mentions(pl.DataFrame(rows), {article_id: text})
    joined = pl.DataFrame(rows).join(links, on="mention_id", how="left")
    return actors, joined


def test_seats_of_government_and_international_organizations():
    assert resolve_country("the Kremlin", "ORG") == ("RUS", "seat_of_government")
    assert resolve_country("the White House", "FAC") == ("USA", "seat_of_government")
    actors, joined = resolve_text(
        "The Kremlin and the White House spoke at the UN, and NATO and Hamas did not.",
        [
            ("Kremlin", "ORG"),
            ("White House", "FAC"),
            ("UN", "ORG"),
            ("NATO", "ORG"),
            ("Hamas", "ORG"),
        ],
    )
    ids = joined["actor_id"].to_list()
    assert ids[:2] == ["country:RUS", "country:USA"]
    by_id = {r["actor_id"]: r for r in actors.iter_rows(named=True)}
    assert by_id[ids[2]]["canonical_name"] == "United Nations"
    assert by_id[ids[2]]["actor_type"] == "organization"
    assert by_id[ids[2]]["sector"] == "international organization"
    assert by_id[ids[2]]["country_iso3"] is None
    assert by_id[ids[4]]["actor_type"] == "group" and by_id[ids[4]]["country_iso3"] == "PSE"
    assert joined["match_reason"].to_list()[2] == "organization_reference"


def test_person_country_and_role_come_from_the_title_in_context():
    # Names no reference file knows: only the text says who they are.
    text = (
        "French Foreign Minister Jean Dupontel met Ambassador Karla Brenstein, a Chilean "
        "diplomat, in Paris. Dupontel said the talks went well. King Hassan of Morocco sent "
        "greetings; the West German government welcomed President Mortimer Quaile."
    )
    actors, joined = resolve_text(
        text,
        [
            ("Jean Dupontel", "PERSON"),
            ("Karla Brenstein", "PERSON"),
            ("Paris", "GPE"),
            ("Dupontel", "PERSON"),
            ("Hassan", "PERSON"),
            ("Morocco", "GPE"),
            ("West German", "NORP"),
            ("Mortimer Quaile", "PERSON"),
        ],
    )
    rows = joined.to_dicts()
    country = dict(actors.select("actor_id", "country_iso3").iter_rows())
    assert rows[0]["actor_id"] == rows[3]["actor_id"] == "person:jean-dupontel"
    assert rows[3]["match_reason"] == "person_in_article"
    assert rows[0]["role"] == "Foreign Minister" and rows[0]["mention_country_iso3"] == "FRA"
    assert country["person:jean-dupontel"] == "FRA"
    assert rows[1]["role"] == "Ambassador" and country["person:karla-brenstein"] == "CHL"
    assert rows[4]["mention_country_iso3"] == "MAR"  # "King Hassan of Morocco"
    assert rows[2]["actor_id"] == "country:FRA"  # the capital stands for the state
    # a country named earlier in the sentence is not the person's title
    assert rows[7]["role"] == "President" and rows[7]["mention_country_iso3"] is None


def test_dictionary_gives_a_persons_country_when_the_text_does_not():
    actors, joined = resolve_text(
        "Lavrov met Choe Son Hui. Choe said little.",
        [("Lavrov", "PERSON"), ("Choe Son Hui", "PERSON"), ("Choe", "PERSON")],
    )
    ids = joined["actor_id"].to_list()
    assert ids == ["person:sergey-lavrov", "person:choe-son-hui", "person:choe-son-hui"]
    country = dict(actors.select("actor_id", "country_iso3").iter_rows())
    assert country["person:sergey-lavrov"] == "RUS" and country["person:choe-son-hui"] == "PRK"


def test_organizations_of_a_country_and_plain_organizations():
    actors, joined = resolve_text(
        "The Russian Defense Ministry and Acme Widgets Ltd said so.",
        [("The Russian Defense Ministry", "ORG"), ("Acme Widgets Ltd", "ORG")],
    )
    rows = joined.to_dicts()
    assert rows[0]["match_reason"] == "org_country_prefix"
    by_id = {r["actor_id"]: r for r in actors.iter_rows(named=True)}
    assert by_id[rows[0]["actor_id"]]["country_iso3"] == "RUS"
    assert by_id[rows[0]["actor_id"]]["sector"] == "military"
    assert rows[1]["match_reason"] == "org_name"
    assert by_id[rows[1]["actor_id"]]["country_iso3"] is None


def test_actor_phrases_resolve_to_countries():
    assert resolve_phrase("Russian Foreign Minister Andrei Kozyrev")[0] == "RUS"
    assert resolve_phrase("President Bouteflika")[0] == "DZA"  # surname in the dictionary
    assert resolve_phrase("U.N. Security Council") == (None, "organization_reference")
    assert resolve_phrase("Baghdad University Medical School")[0] == "IRQ"
    assert resolve_phrase("militias in Kandahar")[0] == "AFG"  # a city's country
    assert resolve_phrase("pro-Iranian Hizbollah")[0] == "LBN"
    assert resolve_phrase(
        "ethnic Albanians", "Ethnic Albanians in Macedonia demanded more rights."
    ) == ("MKD", "ethnic_minority_residence")
    assert resolve_phrase("hostage-takers") is None
    assert resolve_phrase("hostage-takers", "Gunmen seized a bus in Iraq.") == (
        "IRQ",
        "sentence_country",
    )


def test_span_country_prefers_the_overlapping_actor():
    assert span_country("Putin", "Putin spoke.", [("person:vladimir-putin", "RUS")]) == (
        "RUS",
        "mention_actor",
    )
    assert span_country("Iraqi officials", "Iraqi officials said.", []) == (
        "IRQ",
        "country_demonym",
    )


def test_a_stated_role_holds_for_the_persons_later_mentions_only_in_that_article():
    _, joined = resolve_text(
        "North Korean Foreign Minister Choe Son Hui met Lavrov. Later Choe said little.",
        [
            ("North Korean", "NORP"),
            ("Choe Son Hui", "PERSON"),
            ("Lavrov", "PERSON"),
            ("Choe", "PERSON"),
        ],
    )
    roles = joined["role"].to_list()
    assert roles[1] == roles[3] == "Foreign Minister"
    assert roles[2] is None  # not stated: the dictionary's knowledge is not a stated role
    _, other = resolve_text("Choe spoke.", [("Choe", "PERSON")], article_id="a2")
    assert other["role"].to_list() == [None]


def test_a_list_of_names_is_not_an_appositive():
    _, joined = resolve_text(
        "Leaders met: Mortimer Quaile, Ankara's envoy, and Jon Smeed, Erdogan and others.",
        [("Mortimer Quaile", "PERSON"), ("Ankara", "GPE"), ("Jon Smeed", "PERSON")],
    )
    rows = joined.to_dicts()
    assert rows[0]["role"] == "envoy" and rows[0]["mention_country_iso3"] == "TUR"
    assert rows[2]["mention_country_iso3"] is None


def test_an_acronym_defined_in_the_article_is_the_same_organization():
    actors, joined = resolve_text(
        "The Movement for Democratic Renewal (MDR) said the MDR would march.",
        [("The Movement for Democratic Renewal", "ORG"), ("MDR", "ORG"), ("MDR", "ORG")],
    )
    ids = joined["actor_id"].to_list()
    # the parenthesized acronym and the later one both join the full name
    assert ids[0] == ids[1] == ids[2] == "org:movement-for-democratic-renewal"
    assert joined["match_reason"].to_list()[2] == "org_acronym_in_article"


def test_unknown_one_word_names_get_a_low_confidence():
    _, joined = resolve_text(
        "Quentin Marlowe met Zorblax.", [("Quentin Marlowe", "PERSON"), ("Zorblax", "PERSON")]
    )
    assert joined["confidence"].to_list() == [0.8, 0.5]
    assert joined["match_reason"].to_list() == ["person_name", "person_name"]


def _seed_lake(lake_dir, article_ids, version="v1"):
    """A lake with the seed articles' texts and mentions of the names they contain (located in
    the real texts), one NLP part per article as the NLP stage writes them."""
    from transforms import lake

    names = _NAMES
    articles = _articles().filter(pl.col("article_id").is_in(article_ids))
    lake.write_snapshot(lake_dir, "articles", articles)
    for article_id, text in articles.select("article_id", "text").iter_rows():
        rows = []
        for name, label in names:
            for m in re.finditer(rf"\b{re.escape(name)}\b", text):
                rows.append(
                    {
                        "mention_id": f"{article_id}:{version}:{m.start()}:{label}",
                        "article_id": article_id,
                        "sentence_index": 0,
                        "start_char": m.start(),
                        "end_char": m.end(),
                        "mention_text": name,
                        "entity_label": label,
                        "extractor_version": version,
                    }
                )
        frame = pl.DataFrame(rows, schema=MENTION_SCHEMA)
        lake.write_atomic(
            frame, lake.part_path(lake_dir, "entity_mentions", f"{version}{article_id}")
        )
    return articles


_NAMES = [
    ("Vladimir Putin", "PERSON"),
    ("Putin", "PERSON"),
    ("Choe Son Hui", "PERSON"),
    ("Choe", "PERSON"),
    ("Baerbock", "PERSON"),
    ("Russia", "GPE"),
    ("North Korea", "GPE"),
    ("Ukraine", "GPE"),
    ("Kursk", "GPE"),
    ("Moscow", "GPE"),
    ("Kremlin", "ORG"),
    ("State Department", "ORG"),
    ("United Nations", "ORG"),
]


def _articles() -> pl.DataFrame:
    """The first 8 seed articles (by id) that name one of _NAMES."""
    from tests.conftest import SEEDS
    from transforms.articles import ingest_folder

    pattern = "|".join(rf"\b{re.escape(name)}\b" for name, _ in _NAMES)
    articles = ingest_folder(SEEDS).articles.sort("article_id")
    return articles.filter(pl.col("text").str.contains(pattern)).head(8)


def _from_scratch(lake_dir):
    """What resolving every current mention at once gives (the reference for the cache)."""
    from transforms import lake

    articles = pl.read_parquet(lake_dir / "articles" / "current.parquet")
    mentions = lake.read_table(lake_dir, "entity_mentions")
    mentions = mentions.filter(
        pl.col("extractor_version") == pl.col("extractor_version").max().over("article_id"),
        pl.col("article_id").is_in(articles["article_id"].implode()),
    )
    return resolve_mentions(mentions, dict(articles.select("article_id", "text").iter_rows()))


def _cached(lake_dir):
    from transforms import lake
    from transforms.actor_lake import lake_actors

    ids = pl.read_parquet(lake_dir / "articles" / "current.parquet")["article_id"]
    keys = lake.latest_version_keys(lake_dir, "entity_mentions", ids)
    return lake_actors(lake_dir, keys)


def _same(got, want):
    for g, w in zip(got, want, strict=True):
        assert g.sort(pl.all()).equals(w.sort(pl.all()))


def test_the_lake_cache_resolves_only_new_articles_and_gives_the_full_result(tmp_path):
    from transforms import lake

    lake_dir = tmp_path / "lake"
    ids = _articles()["article_id"].to_list()
    assert len(ids) == 8
    _seed_lake(lake_dir, ids[:6])
    frames, stats = _cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached) == (6, 0)
    _same(frames, _from_scratch(lake_dir))
    assert frames[0].filter(pl.col("actor_id") == "person:vladimir-putin").height == 1

    frames, stats = _cached(lake_dir)  # nothing new: nothing resolved
    assert (stats.n_resolved, stats.n_cached) == (0, 6)
    _same(frames, _from_scratch(lake_dir))

    _seed_lake(lake_dir, ids[:8])  # two new articles
    frames, stats = _cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached) == (2, 6)
    _same(frames, _from_scratch(lake_dir))

    _seed_lake(lake_dir, ids[1:8])  # an article left the input: its rows leave the tables
    _seed_lake(lake_dir, ids[1:2], version="v2")  # and one was parsed again by a new version
    lake.write_snapshot(
        lake_dir, "articles", _articles().filter(pl.col("article_id").is_in(ids[1:8]))
    )
    frames, stats = _cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached) == (1, 6)
    _same(frames, _from_scratch(lake_dir))
    assert ids[0] not in frames[1]["mention_id"].str.split(":").list.first().to_list()


def test_the_lake_cache_compacts_its_parts_and_survives_a_crash_in_a_compaction(
    tmp_path, monkeypatch
):
    import shutil

    from transforms import actor_lake, actors, lake

    lake_dir = tmp_path / "lake"
    ids = _articles()["article_id"].to_list()
    _seed_lake(lake_dir, ids[:6])
    monkeypatch.setattr(actor_lake, "CACHE_BATCH", 2)  # three parts of two articles
    frames, stats = _cached(lake_dir)
    assert (stats.n_resolved, stats.compacted) == (6, False)
    assert len(lake.table_files(lake_dir, actors.CACHE_TABLE)) == 3

    monkeypatch.setattr(actor_lake, "CACHE_MAX_PARTS", 2)  # more parts than that: one part
    frames, stats = _cached(lake_dir)
    assert (stats.n_cached, stats.n_resolved, stats.compacted) == (6, 0, True)
    (part,) = lake.table_files(lake_dir, actors.CACHE_TABLE)
    assert pl.read_parquet(part).height == 6
    _same(frames, _from_scratch(lake_dir))

    # A crash after the compacted part was written, before the old parts were deleted, leaves
    # every row twice: each article still counts once.
    shutil.copy(part, part.with_name("part-0000crashcopy.parquet"))
    frames, stats = _cached(lake_dir)
    assert (stats.n_cached, stats.n_resolved) == (6, 0)
    _same(frames, _from_scratch(lake_dir))
    assert frames[1].height == _from_scratch(lake_dir)[1].height


def test_same_length_full_names_are_joined_in_order_of_mention():
    rows = [
        ("a1", "Arnel Joseph", "PERSON"),
        ("a1", "Paul Joseph", "PERSON"),
        ("a1", "Joseph", "PERSON"),
    ]
    _, links, _ = resolve_mentions(mentions(rows))
    assert dict(links.select("mention_id", "actor_id").iter_rows())["m2"] == "person:arnel-joseph"


@pytest.mark.parametrize(
    ("phrase", "iso3"),
    [
        ("one of us", None),  # "US" is in the lists; "us" is a pronoun
        ("the island's power authority", None),  # "Island" is Iceland's own name
        ("a US official", "USA"),
        ("Kremlin spokesman", "RUS"),
        ("Republican Representative", "USA"),  # party_titles.csv
        ("Democratic Party lawmakers", None),  # South Korea has a Democratic Party too
        # a news outlet is an organization of its home country (organizations.csv, sector media)
        ("Matthew Ingram of The Globe and Mail", "CAN"),
        ("the Associated Press", "USA"),
        # an acronym names a country only in capitals: "CAR" is the Central African Republic
        ("The C.A.R. military", "CAF"),
        ("Car bombs", None),
    ],
)
def test_country_in_phrase_reads_capitalised_names_only(phrase, iso3):
    from transforms.actors import country_in_phrase

    found = country_in_phrase(phrase)
    assert (found[0] if found else None) == iso3, found


@pytest.mark.parametrize(
    ("text", "label", "iso3"),
    [
        # the territory's own name beats its sovereign's listing of it (NGEC lists "Puerto Rico"
        # among the USA's nationality words; mledoze gives it its own ISO 3166 code)
        ("Puerto Rico", "GPE", "PRI"),
        ("Greenlandic", "NORP", "GRL"),
        # a demonym two countries share goes to the sovereign state: "American" is also the
        # Northern Mariana Islands' demonym, "French" that of the French Southern Territories
        ("American", "NORP", "USA"),
        ("French", "NORP", "FRA"),
        ("Dutch", "NORP", "NLD"),
        # two sovereign states: no answer rather than a guess
        ("Congolese", "NORP", None),
    ],
)
def test_an_alias_two_countries_claim_goes_to_its_own_or_the_sovereign(text, label, iso3):
    found = resolve_country(text, label)
    assert (found[0] if found else None) == iso3, found
