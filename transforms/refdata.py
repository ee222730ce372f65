"""Loaders for the versioned reference files in transforms/reference/ (see ATTRIBUTION.md there).

Every loader is cached: the files are read once per process. Keys are normalized with
`normalize_surface` (lower case, no leading "the", no possessive, no periods in acronyms).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).parent / "reference"
# Bump when a reference file changes what the resolver or the gazetteer produce.
REFERENCE_VERSION = "ref-2"


COUNTRIES_CSV = REFERENCE.parent.parent / "dbt_project" / "seeds" / "countries.csv"


def fingerprint(*code_files: str | Path) -> str:
    """A short hash of the reference data and of the given source files: a cache of results
    computed from them (per-article actors, geocodes) is valid only under the same fingerprint,
    so editing a reference file or the resolver's code invalidates it without a version bump."""
    digest = hashlib.sha256(REFERENCE_VERSION.encode())
    for path in [*sorted(REFERENCE.glob("*.csv")), COUNTRIES_CSV, *map(Path, code_files)]:
        digest.update(Path(path).name.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


_POSSESSIVE = re.compile(r"'s$|'$")
_LEADING_THE = re.compile(r"^(the)\s+", flags=re.IGNORECASE)
_ACRONYM_PERIOD = re.compile(r"(?<=\b[A-Za-z])\.")  # U.S. -> US, U.N. -> UN


@functools.lru_cache(maxsize=1 << 16)  # pure and called for every word of every mention
def normalize_surface(text: str) -> str:
    """Lower-cased, possessive and leading article removed, periods in acronyms dropped.
    (The patterns compiled once: `re.sub` with a pattern string looks it up in re's cache on
    every call, a third of this function's time when the place gazetteer indexes ~200,000 names.)"""
    return " ".join(_ACRONYM_PERIOD.sub("", _bare_name(text)).split()).lower()


def _bare_name(text: str) -> str:
    """The name as written, without its possessive and leading article ("the U.S.'s" ->
    "U.S."): what normalize_surface lower-cases, and what `country_alias` reads the case of."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").strip()
    return _LEADING_THE.sub("", _POSSESSIVE.sub("", text))


def read_rows(name: str) -> Iterator[dict]:
    """Rows of a reference CSV; hand-written files start with a `# ...` comment line."""
    with (REFERENCE / name).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(line for line in fh if not line.startswith("#"))


@dataclass(frozen=True)
class PersonRef:
    canonical_name: str
    iso3: str | None
    sector: str | None
    role: str | None
    source: str  # "current" (hand-written) or "petrarch2"


# country_aliases.csv kinds, most specific first: a country's own name before its demonym
ALIAS_KINDS = ["name", "official", "alt", "demonym", "capital"]


@functools.lru_cache(maxsize=1)
def _alias_rows() -> tuple[tuple[str, dict[str, str]], ...]:
    """country_aliases.csv's rows, each with its alias's normalized key: read once for
    country_aliases and acronym_aliases."""
    return tuple((normalize_surface(row["alias"]), row) for row in read_rows("country_aliases.csv"))


@functools.lru_cache(maxsize=1)
def country_aliases() -> dict[str, tuple[str, str]]:
    """normalized alias -> (iso3, alias kind). Where two countries claim an alias, the one whose
    own name it is wins over one that has it only as an alternative, a demonym or a capital
    (`ALIAS_KINDS` order); between equals, a sovereign state wins over a territory ("American":
    the USA, not the Northern Mariana Islands; "French": France, not its Southern Territories).
    Aliases still claimed by two countries ("Congolese", "Dominican") are dropped."""
    seen: dict[str, dict[str, str]] = {}
    for key, row in _alias_rows():
        claims = seen.setdefault(key, {})
        kind = claims.get(row["iso3"])
        if kind is None or ALIAS_KINDS.index(row["alias_kind"]) < ALIAS_KINDS.index(kind):
            claims[row["iso3"]] = row["alias_kind"]
    sovereign = independent_countries()
    out = {}
    for key, claims in seen.items():
        best = min(ALIAS_KINDS.index(kind) for kind in claims.values())
        tied = [iso for iso, kind in claims.items() if ALIAS_KINDS.index(kind) == best]
        if len(tied) > 1:
            tied = [iso for iso in tied if iso in sovereign]
        if len(tied) == 1:
            out[key] = (tied[0], claims[tied[0]])
    return out


@functools.lru_cache(maxsize=1)
def acronym_aliases() -> frozenset[str]:
    """Normalized aliases listed in capitals only ("US", "UAE", "CAR"): they name a country only
    where the text writes them in capitals too ("CAR", "C.A.R."; not "car", "Car bomb", "us")."""
    forms: dict[str, bool] = {}
    for key, row in _alias_rows():
        forms[key] = forms.get(key, True) and row["alias"].isupper()
    return frozenset(key for key, upper in forms.items() if upper)


def country_alias(surface: str, key: str | None = None) -> tuple[str, str] | None:
    """(iso3, alias kind) of a text that is a country alias, written as the lists write it: an
    acronym in capitals ("the U.S.'s" is, "us" is not). `key`: the text's normalize_surface,
    when the caller has it."""
    key = normalize_surface(surface) if key is None else key
    hit = country_aliases().get(key)
    if hit is not None and key in acronym_aliases() and not _bare_name(surface).isupper():
        return None
    return hit


@functools.lru_cache(maxsize=1)
def independent_countries() -> frozenset[str]:
    """ISO3 codes of sovereign states (the countries seed's `independent`, from mledoze)."""
    with COUNTRIES_CSV.open(encoding="utf-8") as fh:
        return frozenset(r["iso3"] for r in csv.DictReader(fh) if r["independent"] == "true")


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """iso3 -> the countries seed's name ("Türkiye"): the name written into pledges and events."""
    with COUNTRIES_CSV.open(encoding="utf-8") as fh:
        return {row["iso3"]: row["name"] for row in csv.DictReader(fh)}


@functools.lru_cache(maxsize=1)
def country_short_names() -> dict[str, str]:
    """iso3 -> English short name: the seed's, replaced by the ASCII `name` alias of
    country_aliases.csv where there is one ("Turkey", "Palestinian Territories"); the name a
    claim gives a country speaker."""
    names = dict(country_names())
    for row in read_rows("country_aliases.csv"):
        if row["alias_kind"] == "name" and row["alias"].isascii():
            names[row["iso3"]] = row["alias"]
    return names


@functools.lru_cache(maxsize=1)
def petrarch_country_terms() -> dict[str, str]:
    """Cities, regions and old names from the petrarch2 country sections -> ISO3."""
    out: dict[str, str] = {}
    for row in read_rows("petrarch_country_terms.csv"):
        out.setdefault(normalize_surface(row["alias"]), row["iso3"])
    return out


@functools.lru_cache(maxsize=1)
def seats_of_government() -> dict[str, tuple[str, str]]:
    """'kremlin' -> ('RUS', 'government')."""
    return {
        normalize_surface(r["alias"]): (r["iso3"], r["sector"])
        for r in read_rows("seats_of_government.csv")
    }


@functools.lru_cache(maxsize=1)
def party_titles() -> dict[str, str]:
    """'republican senator' -> 'USA': a party word before an office title that only one
    country's politics joins (party_titles.csv)."""
    return {
        normalize_surface(f"{r['party']} {office}"): r["iso3"]
        for r in read_rows("party_titles.csv")
        for office in r["offices"].split(";")
    }


@dataclass(frozen=True)
class OrgRef:
    canonical_name: str
    actor_type: str
    sector: str
    iso3: str | None


@functools.lru_cache(maxsize=1)
def organizations() -> dict[str, OrgRef]:
    out = {}
    for r in read_rows("organizations.csv"):
        out[normalize_surface(r["alias"])] = OrgRef(
            r["canonical_name"], r["actor_type"], r["sector"], r["iso3"] or None
        )
    return out


@functools.lru_cache(maxsize=1)
def persons() -> dict[str, PersonRef]:
    """Person aliases -> reference person. Hand-written current figures win over petrarch2 (2014);
    a petrarch2 alias shared by people of two countries is dropped as ambiguous."""
    out: dict[str, PersonRef] = {}
    for r in read_rows("persons_current.csv"):
        ref = PersonRef(
            r["name"], r["iso3"] or None, r["sector"] or None, r["role"] or None, "current"
        )
        for alias in [r["name"], *filter(None, r["short_forms"].split(";"))]:
            out[normalize_surface(alias)] = ref
    candidates: dict[str, set[PersonRef]] = {}
    for r in read_rows("petrarch_persons.csv"):
        if r["kind"] != "person":
            continue
        ref = PersonRef(r["canonical_name"], r["iso3"], r["sector"] or None, None, "petrarch2")
        candidates.setdefault(normalize_surface(r["alias"]), set()).add(ref)
    for key, refs in candidates.items():
        if key in out:
            continue
        if len({ref.iso3 for ref in refs}) == 1:
            # every field in the key: a set's order changes with the process's hash seed
            out[key] = sorted(
                refs, key=lambda r: (r.canonical_name, r.iso3 or "", r.sector or "", r.role or "")
            )[0]
    return out


@functools.lru_cache(maxsize=1)
def petrarch_groups() -> dict[str, tuple[str, str, str]]:
    """Group aliases of the petrarch2 dictionary -> (canonical name, iso3, sector)."""
    out = {}
    for r in read_rows("petrarch_persons.csv"):
        if r["kind"] == "group":
            out.setdefault(
                normalize_surface(r["alias"]), (r["canonical_name"], r["iso3"], r["sector"])
            )
    return out


# Role words that precede a person's name ("Foreign Minister Sergey Lavrov") or follow it
# ("Dmitry Peskov, the Kremlin spokesman"); the sector they imply ("" for none).
ROLE_WORDS: dict[str, str] = {
    "president": "government",
    "vice president": "government",
    "prime minister": "government",
    "deputy prime minister": "government",
    "foreign minister": "government",
    "defense minister": "government",
    "defence minister": "government",
    "interior minister": "government",
    "finance minister": "government",
    "minister": "government",
    "secretary of state": "government",
    "defense secretary": "government",
    "secretary": "government",
    "secretary-general": "international organization",
    "secretary general": "international organization",
    "chancellor": "government",
    "premier": "government",
    "leader": "government",
    "supreme leader": "government",
    "king": "government",
    "queen": "government",
    "emir": "government",
    "crown prince": "government",
    "ambassador": "government",
    "envoy": "government",
    "diplomat": "government",
    "official": "government",
    "spokesman": "government",
    "spokeswoman": "government",
    "spokesperson": "government",
    "counterpart": "government",
    "foreign ministry spokesman": "government",
    "senator": "legislature",
    "lawmaker": "legislature",
    "speaker": "legislature",
    "general": "military",
    "gen.": "military",
    "commander": "military",
    "army chief": "military",
    "colonel": "military",
    "col.": "military",
    "admiral": "military",
    "governor": "government",
    "mayor": "government",
    "judge": "judiciary",
    # roles outside government: kept as stated, no sector implied
    "politician": "",
    "opposition leader": "",
    "activist": "",
    "analyst": "",
    "professor": "",
    "director": "",
    "chief": "",
    "head": "",
    "candidate": "",
    "lawyer": "",
    "journalist": "",
    "researcher": "",
}


_NAME_PARTICLE = re.compile(r"^(al|el|ad|as|ash|bin|ibn|abu)[-\s]", re.IGNORECASE)


def surname_key(name: str) -> str:
    """Last word of a name, lower-cased, without an Arabic article ("al-Bashir" -> "bashir")."""
    words = normalize_surface(name).split()
    return _NAME_PARTICLE.sub("", words[-1]) if words else ""


@functools.lru_cache(maxsize=1)
def surnames() -> dict[str, str]:
    """Surname -> ISO3 of the reference people who bear it, where all of them share a country
    ("bouteflika" -> DZA); ambiguous surnames ("bush": USA and Cayman Islands) are dropped."""
    seen: dict[str, set[str]] = {}
    for key, ref in persons().items():
        if ref.iso3 and " " in ref.canonical_name:
            for name in (ref.canonical_name, key):
                k = surname_key(name)
                if len(k) > 3:
                    seen.setdefault(k, set()).add(ref.iso3)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
