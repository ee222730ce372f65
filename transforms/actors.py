"""Actor resolution: entity mentions -> one actor per real party, with the reason for each link.

Rules, in order (the first that applies wins; `match_reason` names it):
- GPE / NORP / ORG mentions whose text is a country name, official name, alternative spelling
  or nationality word ("Russia", "Russian", "North Koreans", "U.S.") -> that country
  (`country_name`, `country_demonym`);
- GPE mentions that are a capital ("Moscow", "Pyongyang", "Kyiv") -> the country it is capital
  of (`capital_for_state`): news uses capitals for their governments;
- PERSON mentions are clustered within an article: a mention whose tokens are all contained in
  a longer PERSON name of the same article ("Putin", "Choe") joins that name's cluster
  (`person_in_article`); the cluster's longest name is canonical, and the same canonical name
  in other articles is the same actor (`person_name`);
- ORG mentions that are a person's name in the same article ("Baerbock" mis-tagged ORG) join
  that person (`person_in_article`); other ORG mentions -> an organization keyed by its
  normalized name (`org_name`).
GPE/LOC mentions that are not countries are places, not actors (see the places tables).

Reference data: transforms/reference/country_aliases.csv (see ATTRIBUTION.md there).
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from pathlib import Path

import polars as pl

REFERENCE = Path(__file__).parent / "reference"
ACTOR_VERSION = "actors-1"

ACTOR_SCHEMA = {
    "actor_id": pl.String,
    "canonical_name": pl.String,
    "actor_type": pl.String,
    "country_iso3": pl.String,
    "sector": pl.String,
}
MENTION_ACTOR_SCHEMA = {
    "mention_id": pl.String,
    "actor_id": pl.String,
    "match_reason": pl.String,
    "confidence": pl.Float64,
    "resolver_version": pl.String,
}
ALIAS_SCHEMA = {"actor_id": pl.String, "alias": pl.String}

_KIND_REASON = {
    "name": "country_name",
    "official": "country_name",
    "alt": "country_name",
    "demonym": "country_demonym",
    "capital": "capital_for_state",
}


def normalize_surface(text: str) -> str:
    """Lower-cased, possessive and leading article removed, periods in acronyms dropped."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").strip()
    text = re.sub(r"'s$|'$", "", text)
    text = re.sub(r"^(the)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<=\b[A-Za-z])\.", "", text)  # U.S. -> US, U.N. -> UN
    return " ".join(text.split()).lower()


@functools.lru_cache(maxsize=1)
def country_aliases() -> dict[str, tuple[str, str]]:
    """normalized alias -> (iso3, alias kind); aliases claimed by two countries are dropped."""
    seen: dict[str, set[tuple[str, str]]] = {}
    with (REFERENCE / "country_aliases.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = normalize_surface(row["alias"])
            seen.setdefault(key, set()).add((row["iso3"], row["alias_kind"]))
    out = {}
    for key, values in seen.items():
        isos = {iso for iso, _ in values}
        if len(isos) == 1:
            kinds = sorted(values, key=lambda v: list(_KIND_REASON).index(v[1]))
            out[key] = kinds[0]
    return out


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    names = {}
    with (REFERENCE.parent.parent / "dbt_project" / "seeds" / "countries.csv").open(
        encoding="utf-8"
    ) as fh:
        for row in csv.DictReader(fh):
            names[row["iso3"]] = row["name"]
    return names


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def resolve_country(text: str, label: str) -> tuple[str, str] | None:
    """(iso3, match_reason) when the mention names a country, its people or its capital."""
    hit = country_aliases().get(normalize_surface(text))
    if hit is None:
        return None
    iso3, kind = hit
    if kind == "capital" and label != "GPE":
        return None
    return iso3, _KIND_REASON[kind]


def _person_tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s]+", normalize_surface(text)) if t]


def _person_for(text: str, full_names: list[str]) -> str | None:
    """The longest person name of the article whose tokens include all of `text`'s tokens."""
    tokens = set(_person_tokens(text))
    return next((n for n in full_names if tokens and tokens <= set(_person_tokens(n))), None)


def resolve_mentions(mentions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Resolve entity mentions to actors.

    Input: entity mention rows (mention_id, article_id, mention_text, entity_label, start_char).
    Returns (actors, mention_actors, actor_aliases).
    """
    links: list[dict] = []
    actors: dict[str, dict] = {}
    aliases: set[tuple[str, str]] = set()
    names = country_names()

    def link(mention_id: str, actor_id: str, reason: str, confidence: float, surface: str):
        links.append(
            {
                "mention_id": mention_id,
                "actor_id": actor_id,
                "match_reason": reason,
                "confidence": confidence,
                "resolver_version": ACTOR_VERSION,
            }
        )
        aliases.add((actor_id, surface.strip()))

    rows = mentions.select(
        "mention_id", "article_id", "mention_text", "entity_label", "start_char"
    ).sort("article_id", "start_char")
    for (_article_id,), group in rows.group_by(["article_id"], maintain_order=True):
        triples = list(group.select("mention_id", "mention_text", "entity_label").iter_rows())
        # Person names of the article, longest first: short forms join the longest name
        # containing them ("Putin" -> "Vladimir Putin", "Choe" -> "Choe Son Hui").
        full_names = sorted(
            {t for _, t, lab in triples if lab == "PERSON"}, key=lambda t: -len(_person_tokens(t))
        )

        for mention_id, text, label in triples:
            if label in ("GPE", "NORP", "ORG"):
                country = resolve_country(text, label)
                if country:
                    iso3, reason = country
                    actor_id = f"country:{iso3}"
                    actors[actor_id] = {
                        "actor_id": actor_id,
                        "canonical_name": names.get(iso3, iso3),
                        "actor_type": "country",
                        "country_iso3": iso3,
                        "sector": "government",
                    }
                    confidence = 0.7 if reason == "capital_for_state" else 0.9
                    link(mention_id, actor_id, reason, confidence, text)
                    continue
            canonical = _person_for(text, full_names) if label in ("PERSON", "ORG") else None
            if canonical is not None:
                # An ORG that is a person's name in the same article ("Baerbock" tagged ORG)
                # is that person: spaCy's small model does this systematically.
                reason = (
                    "person_name"
                    if canonical == text and label == "PERSON"
                    else ("person_in_article")
                )
                actor_id = f"person:{slug(canonical)}"
                actors.setdefault(
                    actor_id,
                    {
                        "actor_id": actor_id,
                        "canonical_name": canonical.strip(),
                        "actor_type": "person",
                        "country_iso3": None,
                        "sector": None,
                    },
                )
                link(mention_id, actor_id, reason, 0.8 if reason == "person_name" else 0.7, text)
            elif label == "ORG":
                actor_id = f"org:{slug(normalize_surface(text))}"
                actors.setdefault(
                    actor_id,
                    {
                        "actor_id": actor_id,
                        "canonical_name": text.strip(),
                        "actor_type": "organization",
                        "country_iso3": None,
                        "sector": None,
                    },
                )
                link(mention_id, actor_id, "org_name", 0.6, text)
    return (
        pl.DataFrame(list(actors.values()), schema=ACTOR_SCHEMA).sort("actor_id"),
        pl.DataFrame(links, schema=MENTION_ACTOR_SCHEMA),
        pl.DataFrame(sorted(aliases), schema=ALIAS_SCHEMA, orient="row"),
    )
