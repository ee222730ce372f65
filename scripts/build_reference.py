"""Rebuild the country reference tables from ../shared/data/reference.

Writes:
- transforms/reference/country_aliases.csv: alias -> ISO3 with the alias kind (name, official,
  alt, demonym, capital), read by the actor resolver;
- dbt_project/seeds/countries.csv: one row per country for dim tables.
Sources (attribution kept in transforms/reference/ATTRIBUTION.md): mledoze/countries (ODbL 1.0)
and ahalterman/NGEC (MIT). Run: `uv run python scripts/build_reference.py`.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT.parent / "shared" / "data" / "reference"


def ascii_like(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z .,'’()\-]+", text))


# Alternative spellings that are English words or common surnames: "Andros Island" is no
# Iceland ("Island" is its own name in Icelandic), "Michael Mann" no Isle of Man ("Mann", Manx).
NOT_ALIASES = {"Island", "Mann"}
# Abbreviations news writes that the lists lack (matched in capitals only: "CAR", "C.A.R.").
EXTRA_ALIASES = [("CAR", "CAF", "alt")]


def main() -> None:
    countries = json.loads((REF / "mledoze_countries.json").read_text(encoding="utf-8"))
    aliases: dict[tuple[str, str], str] = {}

    def add(alias: str, iso3: str, kind: str) -> None:
        alias = alias.strip()
        if len(alias) < 2 or not ascii_like(alias) or alias in NOT_ALIASES:
            return
        if len(alias) == 2 and alias not in {"US", "UK"}:
            return  # two-letter codes collide with words and initials
        aliases.setdefault((alias, iso3), kind)

    rows = []
    for c in countries:
        iso3 = c["cca3"]
        capital = (c.get("capital") or [""])[0]
        rows.append(
            {
                "iso3": iso3,
                "iso2": c["cca2"],
                "name": c["name"]["common"],
                "official_name": c["name"]["official"],
                "region": c.get("region", ""),
                "subregion": c.get("subregion", ""),
                "capital": capital,
                # a sovereign state (mledoze's `independent`), not a territory: it breaks the tie
                # where one word names both (refdata.country_aliases: "American" is the USA's
                # and the Northern Mariana Islands' demonym)
                "independent": str(bool(c.get("independent"))).lower(),
            }
        )
        add(c["name"]["common"], iso3, "name")
        add(c["name"]["official"], iso3, "official")
        for alt in c.get("altSpellings", []):
            add(alt, iso3, "alt")
        for demonym in (c.get("demonyms") or {}).get("eng", {}).values():
            add(demonym, iso3, "demonym")
            add(demonym + "s", iso3, "demonym")
        if capital:
            add(capital.replace(" D.C.", ""), iso3, "capital")
    known = {row["iso3"] for row in rows}
    # NGEC lists a territory's names and people under its sovereign ("Puerto Rico", "Greenlandic"
    # as nationality words of the USA and Denmark); where mledoze gives the word to a country of
    # its own (ISO 3166 code), the territory keeps it.
    owner: dict[str, set[str]] = {}
    for alias, iso3 in aliases:
        owner.setdefault(alias.lower(), set()).add(iso3)
    with (REF / "ngec_countries_nationality.csv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec["CCA3"] not in known:
                continue  # e.g. the European Union: an organization, not a country
            add(rec["Name"], rec["CCA3"], "name")
            for word in rec["Nationality"].split(","):
                if owner.get(word.strip().lower(), set()) - {rec["CCA3"]}:
                    continue  # mledoze gives it to another country
                add(word, rec["CCA3"], "demonym")

    for alias, iso3, kind in EXTRA_ALIASES:
        add(alias, iso3, kind)
    out = ROOT / "transforms" / "reference" / "country_aliases.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["alias", "iso3", "alias_kind"])
        for (alias, iso3), kind in sorted(aliases.items()):
            writer.writerow([alias, iso3, kind])
    seed = ROOT / "dbt_project" / "seeds" / "countries.csv"
    with seed.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["iso3"]))


# --- petrarch2 CAMEO country/actor dictionary (MIT, openeventdata/petrarch2) ---------------
PETRARCH_SECTORS = {
    "GOV": "government",
    "MIL": "military",
    "ELI": "elite",
    "OPP": "opposition",
    "JUD": "judiciary",
    "LEG": "legislature",
    "REB": "rebel",
    "BUS": "business",
    "MED": "media",
    "EDU": "education",
    "REL": "religion",
    "SPY": "intelligence",
    "COP": "police",
    "PTY": "party",
    "IGO": "international organization",
}
# CAMEO codes that are not ISO 3166 alpha-3 (dissolved states and the like) are skipped.
_TITLE_WORDS = re.compile(
    r"\b(PRESIDENT|MINISTER|PREMIER|MR\.?|MRS\.?|SENATOR|AMBASSADOR|GENERAL|KING|QUEEN|PRINCE|"
    r"SECRETARY|CHAIRMAN|LEADER|GOVERNOR|SHEIKH|SHEIK|EMIR|DR\.?|GEN\.?|COL\.?|SPEAKER|CHANCELLOR)\b"
)


def _strip_title(alias: str) -> str:
    """ "US_PRESIDENT_GEORGE_BUSH" -> "GEORGE BUSH"; "PRESIDENT_BUSH" -> "BUSH"; "" if nothing
    name-like is left ("SECRETARY_OF_DEFENSE")."""
    text = alias.replace("_", " ")
    titled = list(_TITLE_WORDS.finditer(text))
    if titled:
        text = text[titled[-1].end() :]
    text = re.sub(r"^[\s.\-]*(ELECT\b)?[\s.]*", "", text).strip(" ._")
    if not text or text.split()[0].upper() in {"OF", "THE", "FOR", "AND"}:
        return ""
    return text


def _petrarch_phrase(token: str) -> str:
    text = token.strip().rstrip("_").replace("_", " ")
    return " ".join(w.capitalize() if w.isalpha() else w.title() for w in text.split())


_ORG_WORDS = re.compile(
    r"\b(Military|Forces?|Army|Party|Front|Government|Police|Nusra|Council|Ministry|Movement|"
    r"Brigades?|Organi[sz]ation|Union|Committee|Group|State|Command|Guard|Agency|Navy|Court|"
    r"Assembly|Parliament|Congress|League|Alliance|Islamic|Al |Militia|Rebels?|Taliban)\b"
)


def build_petrarch(known: set[str], country_names: set[str]) -> None:
    path = REF / "phoenix_countries_actors_petrarch2.txt"
    persons: list[dict] = []
    terms: dict[str, str] = {}
    country = None
    current: dict | None = None

    def flush() -> None:
        if current and current["codes"]:
            code = next((c for c in reversed(current["codes"]) if ">" in c), current["codes"][-1])
            iso3 = code[:3]
            canonical = _petrarch_phrase(_strip_title(current["name"]) or current["name"])
            if canonical in country_names:
                current["aliases"] and [
                    terms.setdefault(_petrarch_phrase(a), iso3) for a in current["aliases"]
                ]
                return
            kind = "person" if current["ci"] or not _ORG_WORDS.search(canonical) else "group"
            if iso3 in known:
                sector = PETRARCH_SECTORS.get(code.split()[0][3:6], "")
                for alias in current["aliases"]:
                    alias = _strip_title(alias)
                    if not alias:
                        continue
                    persons.append(
                        {
                            "alias": _petrarch_phrase(alias),
                            "canonical_name": canonical,
                            "kind": kind,
                            "iso3": iso3,
                            "sector": sector,
                        }
                    )

    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        from_countryinfo = "# CountryInfo" in raw
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        header = re.match(r"^([A-Z][A-Z0-9_.'\-]*)\s+\[([A-Z]{3,})\]", line)
        if header:
            flush()
            current = None
            country = header.group(2)[:3] if header.group(2)[:3] in known else None
            if country:
                terms.setdefault(_petrarch_phrase(header.group(1)), country)
            continue
        if line.startswith("\t") or line.startswith(" "):
            code = re.search(r"\[([A-Z]{3}[A-Z]*)([^\]]*)\]", line)
            if code and current is not None:
                current["codes"].append(code.group(1) + code.group(2))
            continue
        if line.startswith("+"):
            alias = line[1:].strip()
            if current is not None:
                current["aliases"].append(alias)
            elif country and not _TITLE_WORDS.search(alias.replace("_", " ")):
                terms.setdefault(_petrarch_phrase(alias), country)
            continue
        flush()
        name = line.strip()
        current = {"name": name, "aliases": [name], "codes": [], "ci": from_countryinfo}
    flush()

    out = ROOT / "transforms" / "reference" / "petrarch_persons.csv"
    seen = set()
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["alias", "canonical_name", "kind", "iso3", "sector"]
        )
        writer.writeheader()
        for row in sorted(persons, key=lambda r: (r["alias"], r["iso3"])):
            key = (row["alias"], row["canonical_name"], row["iso3"])
            if key not in seen and ascii_like(row["alias"]) and len(row["alias"]) > 3:
                seen.add(key)
                writer.writerow(row)
    out = ROOT / "transforms" / "reference" / "petrarch_country_terms.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["alias", "iso3"])
        for alias, iso3 in sorted(terms.items()):
            if ascii_like(alias) and len(alias) > 3:
                writer.writerow([alias, iso3])


def main_petrarch() -> None:
    countries = json.loads((REF / "mledoze_countries.json").read_text(encoding="utf-8"))
    build_petrarch({c["cca3"] for c in countries}, {c["name"]["common"] for c in countries})


if __name__ == "__main__":
    main()
    main_petrarch()
