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


def main() -> None:
    countries = json.loads((REF / "mledoze_countries.json").read_text(encoding="utf-8"))
    aliases: dict[tuple[str, str], str] = {}

    def add(alias: str, iso3: str, kind: str) -> None:
        alias = alias.strip()
        if len(alias) < 2 or not ascii_like(alias):
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
    with (REF / "ngec_countries_nationality.csv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec["CCA3"] not in known:
                continue  # e.g. the European Union: an organization, not a country
            add(rec["Name"], rec["CCA3"], "name")
            for word in rec["Nationality"].split(","):
                add(word, rec["CCA3"], "demonym")

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


if __name__ == "__main__":
    main()
