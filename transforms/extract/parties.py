"""Who a noun phrase of a parsed sentence names: a country, an organization, a group of people.

Shared by the pledge and event extractors. A party is found from the head token of a
subject/object slot of the dependency parse, so actors always come from the clause the trigger
is in. A party keeps the text and character offsets of the mention it rests on (so dbt can join
it to fct_entity_mentions for the resolved actor) and our own fallback resolution: a name and,
when it is a country or acts for one, an ISO3 code (transforms.actors.resolve_country).
Rules:
- an entity (GPE/NORP/ORG/PERSON) headed by or containing the token is the party;
- a common-noun head takes the country of its possessor or nationality modifier
  ("Russia's envoy", "the U.S. government", "German Foreign Minister"), except when the head is
  a group defined against that country ("Chinese rivals", "anti-Pakistan militants");
- "it", "they" take the nearest country or organization mentioned before them in the sentence,
  else in the previous sentence;
- an acronym defined in the article ("Haitian National Police (HNP)") stands for its long form;
- an organization named after a nation ("Haitian National Police") acts for that country;
- a capital stands for its state only as GPE (Moscow, Pyongyang), as in actors.py.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from transforms.actors import resolve_country
from transforms.extract import doc_cache, quotes
from transforms.refdata import country_names

PARTY_LABELS = {"GPE", "NORP", "ORG", "PERSON"}
GROUP_HEADS = {
    "people",
    "doctor",
    "volunteer",
    "expert",
    "activist",
    "protester",
    "demonstrator",
    "settler",
    "guerrilla",
    "insurgent",
    "fighter",
    "militia",
    "civilian",
    "refugee",
    "resident",
    "family",
    "victim",
    "population",
    "militant",
    "rebel",
    "survivor",
    "community",
    "child",
    "farmer",
    "hospital",
    "police",
    "force",
    "troop",
    "army",
    "military",
    "government",
    "ministry",
    "agency",
    "state",
    "country",
    "nation",
    "region",
    "official",
    "authority",
    "administration",
    "leader",
    "envoy",
    "minister",
    "president",
    "side",
    "arm",
}
# Heads that stand for the possessor / nationality modifier's state.
STATE_HEADS = {
    "government",
    "ministry",
    "military",
    "army",
    "force",
    "troop",
    "official",
    "authority",
    "administration",
    "leader",
    "envoy",
    "minister",
    "president",
    "side",
    "arm",
    "state",
    "department",
    "embassy",
    "navy",
    "parliament",
    "cabinet",
    "spokesman",
    "spokesperson",
    "foreign",
    "soldier",
    "police",
    "court",
    "diplomat",
    "negotiator",
    "warship",
    "agent",
    "unit",
    "officer",
    "commander",
    "delegation",
    "representative",
    "lawmaker",
    "prosecutor",
    "judge",
    "newspaper",
    "media",
    "jet",
    "fighter",
    "guard",
    "security",
    "youth",
    "student",
    "worker",
    "farmer",
    "leadership",
    "regime",
    "team",
    "delegate",
    "senator",
    "legislator",
}
PRONOUNS = {"it", "they", "its", "their", "them"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}


@dataclass(frozen=True)
class Party:
    text: str
    start_char: int
    end_char: int
    name: str
    iso3: str | None
    kind: str  # country, organization, person, group
    # how iso3 was found when not from the mention itself: "reference" (a known person,
    # organization or group), "story_country" (the story's most-mentioned country),
    # "chooser:<strategy>" (the learned country chooser, `with_country`)
    country_reason: str | None = None
    country_confidence: float | None = None  # the chooser's probability of its country


def _ent_for(tok: Token) -> Span | None:
    doc = tok.doc
    for ent in doc_cache.ents(doc):
        if ent.start <= tok.i < ent.end and ent.label_ in PARTY_LABELS:
            return ent
    return None


def _acronyms(doc: Doc) -> dict[str, str]:
    cache = doc.user_data.get("newsledger_acronyms")
    if cache is None:
        cache = {}
        for m in re.finditer(
            r"((?:[A-Z][\w.'’-]*\s+){1,6}[A-Z][\w.'’-]*)\s+\(([A-Z]{2,6})\)", doc_cache.text(doc)
        ):
            long_form, short = m.group(1), m.group(2)
            initials = "".join(w[0] for w in long_form.split() if w[0].isupper())
            if initials.endswith(short) or short in initials:
                words = long_form.split()
                cache[short] = (
                    " ".join(words[-len(short) :]) if len(words) > len(short) else long_form
                )
        doc.user_data["newsledger_acronyms"] = cache
    return cache


def _initials_match(ent: Span) -> str | None:
    """An all-capitals ORG ("WFP") whose long form the article names ("World Food Program")."""
    short = ent.text.strip()
    if not (2 <= len(short) <= 6 and short.isalpha() and short.isupper()):
        return None
    for other in doc_cache.ents(ent.doc):
        if other.label_ != "ORG" or other.start == ent.start:
            continue
        words = [
            w for w in re.sub(r"^(?:the)\s+", "", other.text, flags=re.I).split() if w[:1].isupper()
        ]
        if len(words) >= 2 and "".join(w[0] for w in words) == short:
            return " ".join(words)
    return None


def _norp_country(text: str) -> str | None:
    for word in re.findall(r"[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?", text):
        hit = resolve_country(word, "NORP")
        if hit and hit[1] == "country_demonym":
            return hit[0]
    return None


def _country_party(text: str, start: int, end: int, iso3: str) -> Party:
    return Party(text, start, end, country_names().get(iso3, iso3), iso3, "country")


def _from_entity(ent: Span) -> Party:
    hit = resolve_country(ent.text, ent.label_)
    if hit:
        return _country_party(ent.text, ent.start_char, ent.end_char, hit[0])
    name = re.sub(r"^(?:the)\s+", "", ent.text.strip(), flags=re.I)
    name = re.sub(r"['’]s?$", "", name).strip()
    expanded = _acronyms(ent.doc).get(name) or _initials_match(ent)
    if expanded:
        name = expanded
    if ent.label_ == "ORG":
        iso3 = _norp_country(name)
        return Party(ent.text, ent.start_char, ent.end_char, name, iso3, "organization")
    if ent.label_ == "PERSON":
        iso3 = _person_countries(ent.doc).get(name.split()[-1].lower()) if name else None
        return Party(ent.text, ent.start_char, ent.end_char, name, iso3, "person")
    if ent.label_ in ("GPE", "LOC", "FAC"):
        # a place that is not a country or its capital is never an actor (issue 5)
        return Party(ent.text, ent.start_char, ent.end_char, name, None, "place")
    return Party(ent.text, ent.start_char, ent.end_char, name, None, "group")


def _person_countries(doc: Doc) -> dict[str, str]:
    """Surname -> country, from the article's own descriptions of its people.

    "Philippine President Rodrigo Duterte" early in a story gives Duterte's later mentions
    ("Duterte accepted $2 billion") the Philippines; a surname described with two countries
    gets none.
    """
    cache = doc.user_data.get("newsledger_person_countries")
    if cache is None:
        seen: dict[str, set[str]] = {}
        for ent in doc_cache.ents(doc):
            if ent.label_ != "PERSON":
                continue
            iso3 = _modifier_country(ent.root, ent)
            if iso3:
                seen.setdefault(ent.text.split()[-1].lower().rstrip("’'s"), set()).add(iso3)
        cache = {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
        doc.user_data["newsledger_person_countries"] = cache
    return cache


def _person_antecedent(tok: Token) -> Party | None:
    """Nearest person named before 'he'/'she' (this sentence, then the previous one)."""
    doc = tok.doc
    prev_start = doc[tok.sent.start - 1].sent.start if tok.sent.start > 0 else tok.sent.start
    for ent in reversed(doc_cache.ents(doc)):
        if ent.end <= tok.i and ent.start >= prev_start and ent.label_ == "PERSON":
            return _from_entity(ent)
    return None


def _antecedent(tok: Token) -> Party | None:
    """Nearest country or organization named before a pronoun (this sentence, then the previous)."""
    doc = tok.doc
    sent = tok.sent
    prev_start = sent.start
    if sent.start > 0:
        prev_start = doc[sent.start - 1].sent.start
    # Parties inside a closed quotation before the pronoun are the quote's words, not antecedents:
    # 'condemned North Korea's "transfers to the Russian Federation ... Ukraine" and demanded
    # that it withdraw' -> North Korea.
    quoted = [
        (q.open_char, q.close_char)
        for q in quotes.doc_quotes(doc)
        if q.open_char >= sent.start_char and q.close_char <= tok.idx
    ]
    for ent in reversed(doc_cache.ents(doc)):
        if ent.end > tok.i or ent.start < prev_start:
            continue
        if any(a <= ent.start_char and ent.end_char <= b for a, b in quoted):
            continue
        if ent.label_ in ("GPE", "ORG", "NORP"):
            party = _from_entity(ent)
            if party.iso3 or party.kind == "organization":
                return party
    return None


def _modifier_country(tok: Token, ent: Span | None = None) -> str | None:
    """Country of a nationality or possessor modifier ("Russian President X", "Israel's army")."""
    inside = range(ent.start, ent.end) if ent is not None else range(0)
    heads = [tok] + ([tok.doc[i] for i in inside] if ent is not None else [])
    for head in heads:
        for child in head.children:
            if child.i in inside or child.dep_ not in ("poss", "compound", "amod", "nmod"):
                continue
            sub = _ent_for(child)
            if sub is not None and sub.label_ in ("GPE", "NORP"):
                hit = resolve_country(sub.text, sub.label_)
                if hit:
                    return hit[0]
    if ent is not None and ent.label_ in ("PERSON", "ORG"):
        # "Russian President Boris Yeltsin": the nationality word may sit just before the name
        for i in range(ent.start - 1, max(ent.start - 4, tok.sent.start) - 1, -1):
            prev = tok.doc[i]
            if prev.ent_type_ in ("NORP", "GPE"):
                sub = _ent_for(prev)
                hit = resolve_country(sub.text, sub.label_) if sub is not None else None
                return hit[0] if hit else None
            if prev.pos_ not in ("PROPN", "NOUN", "ADJ", "PART", "PUNCT") or prev.lower_ == ",":
                break
    return None


def party_for(tok: Token) -> Party | None:
    """The party a subject/object head token names, or None when it names none we can use.
    Kept per token while a Doc is extracted (events, pledges and their features ask it of the
    same heads; a Party is immutable)."""
    memo = doc_cache.per_doc(tok.doc, "party_for", lambda _doc: {})
    if tok.i not in memo:
        memo[tok.i] = _party_for(tok)
    return memo[tok.i]


def _party_for(tok: Token) -> Party | None:
    if tok.lower_ in PRONOUNS:
        return _antecedent(tok)
    if tok.lower_ in PERSON_PRONOUNS:
        return _person_antecedent(tok)
    ent = _ent_for(tok)
    if ent is not None:
        party = _from_entity(ent)
        if party.kind == "place":
            return None
        if party.iso3 is None and party.kind in ("person", "organization", "group"):
            iso3 = _modifier_country(tok, ent)
            if iso3:
                party = Party(
                    party.text, party.start_char, party.end_char, party.name, iso3, party.kind
                )
        return party
    lemma = tok.lemma_.lower()
    if tok.pos_ not in ("NOUN", "PROPN"):
        return None
    if tok.pos_ == "PROPN":
        # the tagger cut the name short ("Choe Son" + "Hui"): take the entity of its compounds
        for child in tok.lefts:
            if child.dep_ == "compound":
                sub = _ent_for(child)
                if sub is not None and sub.label_ in ("PERSON", "ORG"):
                    return _from_entity(sub)
    # An acronym the tagger missed ("the HNP")
    expanded = _acronyms(tok.doc).get(tok.text)
    if expanded:
        return Party(
            tok.text, tok.idx, tok.idx + len(tok), expanded, _norp_country(expanded), "organization"
        )
    if lemma in STATE_HEADS:
        for child in tok.children:
            if child.dep_ in ("poss", "compound", "amod", "nmod"):
                sub = _ent_for(child)
                if sub is not None:
                    party = _from_entity(sub)
                    if party.iso3:
                        return party
                    if party.kind == "organization":
                        return party
    if lemma in GROUP_HEADS and lemma not in STATE_HEADS:
        left = tok.left_edge.i
        right = tok.i + 1
        for child in tok.rights:
            if child.dep_ == "prep" and child.lower_ in ("in", "of", "from"):
                right = child.right_edge.i + 1
        span = tok.doc[left:right]
        text = span.text
        # Determiners and quantities are not part of the group's name.
        words = [
            t.text for t in span if t.dep_ not in ("det", "nummod", "quantmod") and t.pos_ != "NUM"
        ]
        name = " ".join(words).strip()
        # a group placed by a country word ("refugees ... in Liberia", "Turkish Kurd refugees")
        # is coded with that country (kind stays group, so it never clusters as the state)
        countries = set()
        for ent in doc_cache.span_ents(span):
            if ent.label_ in ("GPE", "NORP"):
                hit = resolve_country(ent.text, ent.label_)
                if hit:
                    countries.add(hit[0])
        iso3 = next(iter(countries)) if len(countries) == 1 else None
        return Party(text, span.start_char, span.end_char, name, iso3, "group")
    return None


def parties_for(tok: Token, with_conjuncts: bool = True) -> list[Party]:
    heads = [tok] + (
        [c for c in tok.conjuncts if c.pos_ in ("NOUN", "PROPN", "PRON")] if with_conjuncts else []
    )
    out: list[Party] = []
    for head in heads:
        party = party_for(head)
        if party is None:
            continue
        if any((p.start_char, p.end_char) == (party.start_char, party.end_char) for p in out):
            continue
        if party.iso3 and party.kind == "country" and any(p.iso3 == party.iso3 for p in out):
            continue  # "Seoul ... South Korea" in one coordination: one party
        out.append(party)
    return out


def home_country(doc: Doc, exclude: set[str] | None = None) -> str | None:
    """The country the article mentions most (used only for 'X's government' with X a person)."""
    counts: dict[str, int] = {}
    for ent in doc_cache.ents(doc):
        if ent.label_ in ("GPE", "NORP"):
            hit = resolve_country(ent.text, ent.label_)
            if hit and hit[0] not in (exclude or set()):
                counts[hit[0]] = counts.get(hit[0], 0) + 1
    return max(counts, key=counts.get) if counts else None


def home_region_country(doc: Doc) -> str | None:
    """For a story that names no country at all: the country its places name most, read from
    the country dictionary's regions, states and cities ("Iowa", "New Hampshire": USA; a US
    political story often names no country)."""
    from transforms.actors import country_in_phrase

    counts: dict[str, int] = {}
    for ent in doc_cache.ents(doc):
        if ent.label_ in ("GPE", "LOC"):
            hit = country_in_phrase(ent.text)
            if hit:
                counts[hit[0]] = counts.get(hit[0], 0) + 1
    return max(counts, key=counts.get) if counts else None


def home_party(doc: Doc) -> Party | None:
    """The story's most-mentioned country as a party, resting on its first mention."""
    iso3 = home_country(doc)
    if iso3 is None:
        return None
    for ent in doc_cache.ents(doc):
        if ent.label_ in ("GPE", "NORP"):
            hit = resolve_country(ent.text, ent.label_)
            if hit and hit[0] == iso3:
                return _country_party(ent.text, ent.start_char, ent.end_char, iso3)
    return None


@functools.lru_cache(maxsize=20_000)
def _phrase_country(name: str) -> tuple[str | None, str] | None:
    """(iso3, reason) of a party's name from the reference lists only: a known organization
    (iso3 None: international), person or armed group by its whole name, a country word inside
    it ("Kenyan police"), a known surname. Unlike actors.resolve_phrase, no geocoding and no
    n-gram scan (a person's name is no town; measured at 2 ms a call there); cached by name."""
    from transforms.actors import country_in_phrase, known_name_country
    from transforms.refdata import normalize_surface, petrarch_groups, surname_key, surnames

    key = normalize_surface(name)
    known = known_name_country(key)
    if known is not None:
        return known
    if key in petrarch_groups():
        return petrarch_groups()[key][1], "group_reference"
    found = country_in_phrase(name)
    if found:
        return found
    words = [w for w in name.split() if w[:1].isupper()]
    if len(words) >= 2 and surname_key(words[-1]) in surnames():
        return surnames()[surname_key(words[-1])], "surname_reference"
    return None


def with_country(party: Party, doc: Doc) -> Party:
    """The party's country, for a person, organization or group: the learned country chooser's
    (`country_chooser.choose`: every strategy's candidate scored; `country_reason`
    "chooser:<strategy>", `country_confidence` its probability); where it gives no answer,
    the mention's own country, else the reference lists (a known person, organization or
    armed group: `country_reason` "reference"), else the story's most-mentioned country
    (`country_reason` "story_country": most people and bodies a story names act for the
    country it is about). International organizations keep none. Countries keep their own."""
    if party.kind not in ("person", "organization", "group"):
        return party
    from transforms.extract import country_chooser

    choice = country_chooser.choose(doc, party.start_char, party.end_char, party.text, party)
    if choice is not None:
        if choice.iso3 is None:
            return party  # an international organization (the phrase's own reading)
        return replace(
            party,
            iso3=choice.iso3,
            country_reason=choice.reason,
            country_confidence=choice.confidence,
        )
    if party.iso3:
        return party
    hit = _phrase_country(party.name)
    if hit is not None:
        if hit[0] is None:
            return party  # an international organization
        return replace(party, iso3=hit[0], country_reason="reference")
    home = doc_cache.per_doc(doc, "home_country", home_country)
    if home is None:
        return party
    return replace(party, iso3=home, country_reason="story_country")


def country_reason(party: Party | None) -> str | None:
    """How the party's ISO3 was found, as the rows write it (`*_country_reason`): "mention" when
    the mention names it itself (a country, "the Kenyan government"), else `Party.country_reason`
    ("chooser:<strategy>", "reference", "story_country"); None without a country."""
    if party is None or party.iso3 is None:
        return None
    return party.country_reason or "mention"


def party_key(party: Party | None) -> str | None:
    """Cluster key: the ISO3 when known, else the normalized name."""
    if party is None:
        return None
    if party.iso3 and party.kind == "country":
        return party.iso3
    return normalize_name(party.name)


def normalize_name(name: str | None) -> str:
    if not name:
        return ""
    text = name.lower().replace("’", "'")
    text = re.sub(r"\b(the|a|an)\b", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
