"""Offline geocoding: fixed names, then real text (the seed article, labelled corpus stories)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from evaluation.common import SHARED_DATA
from transforms.places import (
    PLACE_INPUT_SCHEMA,
    candidates,
    geocode,
    resolve_places,
    rules,
    story_countries,
)

REPO = Path(__file__).resolve().parents[2]
needs_corpus = pytest.mark.skipif(
    not (SHARED_DATA / "gold" / "train").exists(), reason=f"no corpus at {SHARED_DATA}"
)


def test_cities_countries_and_unknowns():
    kursk = geocode("Kursk")
    assert kursk["country_iso3"] == "RUS" and kursk["feature_type"] == "city"
    assert 51 < kursk["latitude"] < 52 and 36 < kursk["longitude"] < 37
    assert kursk["geo_precision"] == 1
    moscow = geocode("Moscow")  # the Russian capital, not Moscow, Idaho: ranked by population
    assert moscow["country_iso3"] == "RUS" and moscow["precision"] == "city"
    assert geocode("Kiev")["place_id"] == geocode("Kyiv")["place_id"]  # alternate name
    assert geocode("the United States")["country_iso3"] == "USA"
    europe = geocode("Europe")
    assert europe["feature_type"] == "continent" and europe["geo_precision"] is None
    unknown = geocode("Zzyzx Flats")
    assert unknown["precision"] == "unresolved" and unknown["latitude"] is None
    assert unknown["country_iso3"] is None and unknown["confidence"] == 0.0
    assert unknown["geo_precision"] is None


def test_countries_and_regions_have_coordinates_and_a_numeric_precision():
    ukraine = geocode("Ukraine")  # the country's centroid (countrystatecity-countries)
    assert ukraine["feature_type"] == "country" and ukraine["geo_precision"] == 3
    assert 44 < ukraine["latitude"] < 53 and 22 < ukraine["longitude"] < 41
    texas = geocode("Texas")
    assert texas["place_id"] == "admin1:US-TX" and texas["geo_precision"] == 2
    assert 25 < texas["latitude"] < 37 and -107 < texas["longitude"] < -93
    # A first-level unit anywhere, with or without its unit word.
    balochistan = geocode("Balochistan province")
    assert balochistan["place_id"] == geocode("Balochistan")["place_id"] == "admin1:PK-BA"
    assert balochistan["latitude"] is not None and balochistan["geo_precision"] == 2
    assert geocode("County Cork")["place_id"] == "admin1:IE-CO"
    # The unit word chooses between a city and its namesake region; the bare name is the city.
    assert geocode("Kursk region")["place_id"] == "admin1:RU-KRS"
    assert geocode("Washington state")["place_id"] == "admin1:US-WA"
    assert geocode("Washington")["feature_type"] == "city"  # the capital, not the state
    # A petrarch2 dictionary term no gazetteer has: known to the country only.
    strip = geocode("Gaza Strip")
    assert strip["country_iso3"] == "PSE" and strip["feature_type"] == "region"
    assert strip["geo_precision"] == 3 and strip["precision"] == "country"
    assert (strip["latitude"], strip["longitude"]) == (
        geocode("Palestine")["latitude"],
        geocode("Palestine")["longitude"],
    )


def test_famous_places_win_over_homonymous_small_towns():
    # No rule names these: population and administrative-level priors decide.
    florida, arizona = geocode("Florida"), geocode("Arizona")
    assert florida["place_id"] == "admin1:US-FL"  # not Florida, Cuba
    assert arizona["place_id"] == "admin1:US-AZ"  # not Arizona, Honduras
    towns = [c for c in candidates("Florida") if c["feature_type"] == "city"]
    assert towns and all(c["country_iso3"] != "USA" for c in towns)
    trinidad = geocode("Trinidad")  # the island (the dictionary's), not Trinidad, Bolivia
    assert trinidad["country_iso3"] == "TTO"
    assert any(c["country_iso3"] == "BOL" for c in candidates("Trinidad"))


def test_the_storys_own_countries_decide_between_namesakes():
    factor = rules()["factors"]["story_country"]
    assert factor > 1
    # A story about Bolivia means its own Trinidad; one about Britain its own Westminster.
    assert geocode("Trinidad", {"BOL"})["country_iso3"] == "BOL"
    assert geocode("Westminster", {"GBR"})["place_id"] == "admin1:GB-WSM"
    assert geocode("Westminster", {"USA"})["country_iso3"] == "USA"
    # The story's countries: every country, nationality word and capital it names.
    assert story_countries(["British", "London", "Kursk", "Ukraine"]) == {"GBR", "UKR"}


def _rows(article: str, items: list[tuple[str, str]]) -> list[dict]:
    return [
        {
            "mention_id": f"{article}-{i}",
            "article_id": article,
            "sentence_index": i,
            "start_char": i * 20,
            "end_char": i * 20 + len(text),
            "mention_text": text,
            "entity_label": label,
        }
        for i, (text, label) in enumerate(items)
    ]


def test_persons_and_organizations_are_never_places():
    rows = _rows(
        "a",
        [
            ("Jamal Khashoggi", "PERSON"),  # the article calls him a person...
            ("Khashoggi", "GPE"),  # ...so a GPE tag on his surname is not a place
            ("Yulia", "GPE"),  # a word of a reference person's name, no place of that name
            ("Isis", "GPE"),  # an armed group of the reference list
            ("Saudi Arabia", "GPE"),
            ("Jordan", "GPE"),  # a person's name too, but a country: a strong place
        ],
    )
    places, links = resolve_places(pl.DataFrame(rows, schema=PLACE_INPUT_SCHEMA))
    assert links["mention_text"].to_list() == ["Saudi Arabia", "Jordan"]
    assert set(places["place_id"]) == {"country:SAU", "country:JOR"}


def test_one_unknown_place_does_not_spoil_the_rest_and_a_text_may_differ_by_article():
    rows = _rows("a", [("Kursk", "GPE"), ("\x00??", "GPE"), ("Putin", "PERSON"), ("Seoul", "GPE")])
    rows += _rows("b", [("Bolivia", "GPE"), ("Trinidad", "GPE")])
    rows += _rows("c", [("Trinidad", "GPE"), ("Venezuela", "GPE")])
    places, links = resolve_places(pl.DataFrame(rows, schema=PLACE_INPUT_SCHEMA))
    assert links["mention_id"].to_list() == ["a-0", "a-1", "a-3", "b-0", "b-1", "c-0", "c-1"]
    by_mention = dict(links.select("mention_id", "place_id").iter_rows())
    by_place = {r["place_id"]: r for r in places.iter_rows(named=True)}
    assert by_place[by_mention["a-0"]]["country_iso3"] == "RUS"
    assert by_place[by_mention["a-1"]]["precision"] == "unresolved"
    assert by_place[by_mention["a-3"]]["country_iso3"] == "KOR"
    assert by_place[by_mention["b-1"]]["country_iso3"] == "BOL"
    assert by_place[by_mention["c-0"]]["country_iso3"] == "TTO"
    assert places["place_id"].is_unique().all()


def test_geocodes_are_reused_per_distinct_text_under_the_same_key_only():
    from transforms.places import geocode_key, geocode_texts

    texts = pl.Series(["Kursk", "Seoul", "Kursk"])
    first = geocode_texts(texts)
    assert first["text"].unique(maintain_order=True).to_list() == ["Kursk", "Seoul"]
    assert set(first.filter(pl.col("text") == "Seoul")["country_iso3"]) == {"KOR"}
    # A known row is taken as it is (not geocoded again) when its key is the current one...
    known = first.with_columns(
        place_id=pl.when(pl.col("text") == "Seoul").then(pl.lit("marker")).otherwise("place_id")
    )
    again = geocode_texts(pl.Series(["Seoul", "Moscow"]), known)
    assert set(again.filter(pl.col("text") == "Seoul")["place_id"]) == {"marker"}
    assert geocode("Moscow")["place_id"] in set(
        again.filter(pl.col("text") == "Moscow")["place_id"]
    )
    # ...and ignored under another key (reference data or geocoder changed).
    stale = known.with_columns(geocode_key=pl.lit("places-0:old"))
    fresh = geocode_texts(pl.Series(["Seoul"]), stale)
    assert geocode("Seoul")["place_id"] in set(fresh["place_id"])
    assert "marker" not in set(fresh["place_id"])
    assert set(fresh["geocode_key"]) == {geocode_key()}


def _parsed_mentions(texts: dict[str, str]) -> pl.DataFrame:
    """Every entity mention of real texts, as the NLP stage writes them."""
    from transforms.nlp.pipeline import load_nlp

    rows = []
    for article_id, text in texts.items():
        doc = load_nlp()(text)
        sentence = {tok.i: i for i, s in enumerate(doc.sents) for tok in s}
        rows += [
            {
                "mention_id": f"{article_id}:{e.start_char}",
                "article_id": article_id,
                "sentence_index": sentence[e.start],
                "start_char": e.start_char,
                "end_char": e.end_char,
                "mention_text": e.text,
                "entity_label": e.label_,
            }
            for e in doc.ents
        ]
    return pl.DataFrame(rows, schema=PLACE_INPUT_SCHEMA)


def test_seed_article_places_have_coordinates_and_acled_precision():
    from transforms.articles import parse_article

    path = REPO / "seeds" / "000_55766d7a04a2f1f7.txt"
    text = parse_article(path.read_text(encoding="utf-8")).text
    mentions = _parsed_mentions({"seed": text})
    places, links = resolve_places(mentions)
    assert links.height and places.height
    expected = {"city": 1, "admin1": 2, "country": 3, "region": 3}
    for p in places.iter_rows(named=True):
        assert p["geo_precision"] == expected.get(p["feature_type"]), p
        if p["feature_type"] in expected:  # every resolved country and region has coordinates
            assert p["latitude"] is not None and p["longitude"] is not None, p
    kursk = places.filter(pl.col("name") == "Kursk")
    assert kursk["country_iso3"].to_list() == ["RUS"]
    people = set(mentions.filter(pl.col("entity_label") == "PERSON")["mention_text"])
    assert not people & set(links["mention_text"])


@needs_corpus
def test_us_states_in_a_real_primaries_story():
    from evaluation.corpus import stories

    story = stories()[
        "wikinews:Arizona,_Florida,_Illinois_hold_2020_US_presidential_primaries;_Ohio_postpones"
    ]
    places, links = resolve_places(_parsed_mentions({story.id: story.text}))
    by_id = {r["place_id"]: r for r in places.iter_rows(named=True)}
    got = {
        (r["mention_text"], r["place_id"])
        for r in links.iter_rows(named=True)
        if r["mention_text"] in ("Arizona", "Florida", "Illinois")
    }
    assert {t for t, _ in got} == {"Arizona", "Florida", "Illinois"}
    assert {p for _, p in got} == {"admin1:US-AZ", "admin1:US-FL", "admin1:US-IL"}
    assert all(by_id[p]["geo_precision"] == 2 for _, p in got)


def test_a_cache_recomputed_under_a_new_key_is_written_even_at_the_same_height():
    """After a change of the geocoder or its reference data every row is recomputed; the cache
    must then be rewritten, though it holds as many rows, or every later run recomputes it."""
    from transforms.places import geocode_cache_changed, geocode_texts

    texts = pl.Series(["Kursk", "Seoul"])
    current = geocode_texts(texts)
    assert not geocode_cache_changed(current, geocode_texts(texts, current))
    stale = current.with_columns(geocode_key=pl.lit("places-0:old"))
    recomputed = geocode_texts(texts, stale)
    assert recomputed.height == stale.height
    assert geocode_cache_changed(stale, recomputed)
    assert geocode_cache_changed(None, recomputed)
    assert geocode_cache_changed(
        current, geocode_texts(pl.Series(["Kursk", "Seoul", "Moscow"]), current)
    )


def _places_from_scratch(lake_dir):
    """What placing every current mention in one pass gives (the reference for the cache)."""
    from transforms import lake
    from transforms.places import CONTEXT_LABELS

    ids = pl.read_parquet(lake_dir / "articles" / "current.parquet")["article_id"]
    mentions = lake.read_table(lake_dir, "entity_mentions").filter(
        pl.col("extractor_version") == pl.col("extractor_version").max().over("article_id"),
        pl.col("article_id").is_in(ids.implode()),
        pl.col("entity_label").is_in(CONTEXT_LABELS),
    )
    return resolve_places(
        mentions.sort("article_id", "start_char", "mention_id").select(list(PLACE_INPUT_SCHEMA))
    )


def _places_cached(lake_dir):
    from transforms import actor_lake, lake

    ids = pl.read_parquet(lake_dir / "articles" / "current.parquet")["article_id"]
    keys = lake.latest_version_keys(lake_dir, "entity_mentions", ids)
    return actor_lake.lake_places(lake_dir, keys)


def _same_places(got, want):
    for g, w in zip(got, want, strict=True):
        assert g.equals(w)  # the same rows in the same order


def test_the_place_cache_places_only_new_articles_and_gives_the_one_pass_result(
    tmp_path, monkeypatch
):
    from tests.transforms.test_actors import _articles, _seed_lake
    from transforms import actor_lake, lake, places

    monkeypatch.setattr(actor_lake, "PLACE_BATCH", 4)  # new articles are placed in batches
    lake_dir = tmp_path / "lake"
    ids = _articles()["article_id"].to_list()
    _seed_lake(lake_dir, ids[:6])
    # One article without any place mention: it is placed once, then counted as done.
    part = lake.part_path(lake_dir, "entity_mentions", f"v1{ids[0]}")
    lake.write_atomic(pl.read_parquet(part).filter(pl.col("entity_label") != "GPE"), part)
    got, stats = _places_cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached) == (6, 0)
    _same_places(got, _places_from_scratch(lake_dir))
    assert {"country:RUS", "country:UKR"} <= set(got[0]["place_id"])
    assert ids[0] not in set(got[1]["article_id"]) and got[1]["article_id"].n_unique() >= 2

    got, stats = _places_cached(lake_dir)  # nothing new: nothing placed
    assert (stats.n_resolved, stats.n_cached) == (0, 6)
    _same_places(got, _places_from_scratch(lake_dir))

    _seed_lake(lake_dir, ids[:8])  # two new articles (and the first one's places back)
    got, stats = _places_cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached) == (2, 6)
    assert ids[0] not in set(got[1]["article_id"])  # its (article, version) was placed already
    lake.remove(lake.snapshot_path(lake_dir, actor_lake.PLACE_CACHE))  # the cache lost: all again
    got, stats = _places_cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached) == (8, 0)
    _same_places(got, _places_from_scratch(lake_dir))

    _seed_lake(lake_dir, ids[1:8])  # an article left the input: its rows leave the tables
    _seed_lake(lake_dir, ids[1:2], version="v2")  # and one was parsed again by a new version
    lake.write_snapshot(
        lake_dir, "articles", _articles().filter(pl.col("article_id").is_in(ids[1:8]))
    )
    got, stats = _places_cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached, stats.n_dropped > 0) == (1, 6, True)
    _same_places(got, _places_from_scratch(lake_dir))
    assert ids[0] not in set(got[1]["article_id"])

    monkeypatch.setattr(places, "geocode_key", lambda: "another geocoder")  # every article again
    got, stats = _places_cached(lake_dir)
    assert (stats.n_resolved, stats.n_cached) == (7, 0)
    _same_places(got, _places_from_scratch(lake_dir))
