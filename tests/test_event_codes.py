"""The event-code seeds (dbt_project/seeds/plover_*.csv) against the PLOVER documents they cite."""

from __future__ import annotations

import csv
import re

import pytest

from tests.conftest import REPO, SHARED_DATA
from transforms.extract.events import PLOVER_TYPES

SEEDS = REPO / "dbt_project" / "seeds"
PLOVER = SHARED_DATA / "plover-gsr"
MODES = ["asserted", "announced", "hypothetical", "denied", "historical"]
QUADS = {
    "verbal cooperation": 1,
    "material cooperation": 2,
    "verbal conflict": 3,
    "material conflict": 4,
}


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


CODES = {r["event_type"]: r for r in _rows("plover_event_codes.csv")}
WEIGHTS = {r["mode"]: r for r in _rows("plover_mode_weights.csv")}


def test_every_type_and_mode_has_one_row_of_one_version():
    assert sorted(CODES) == sorted(PLOVER_TYPES) and len(_rows("plover_event_codes.csv")) == 20
    assert sorted(WEIGHTS) == sorted(MODES)
    versions = {r["codes_version"] for r in [*CODES.values(), *WEIGHTS.values()]}
    assert versions == {"plover-codes-1"}
    for r in CODES.values():
        assert r["cameo_basis"] and r["quad_basis"] and r["score_basis"], r["event_type"]
        assert QUADS[r["quad_class_name"].lower()] == int(r["quad_class"]), r["event_type"]
        if r["plover_score"]:
            assert -10 <= float(r["plover_score"]) <= 10
    assert float(WEIGHTS["asserted"]["intensity_weight"]) == 1.0
    assert float(WEIGHTS["denied"]["intensity_weight"]) == 0.0


@pytest.mark.skipif(not (PLOVER / "README.md").exists(), reason="no ../shared/data/plover-gsr")
def test_quad_classes_follow_the_plover_readme():
    text = (PLOVER / "README.md").read_text(encoding="utf-8")
    table = re.findall(r"^(Verbal|Material) (cooperation|conflict) \| ([A-Z, ]+) \|", text, re.M)
    assert len(table) == 4
    in_readme = {}
    for kind, side, types in table:
        for t in types.split(","):
            in_readme[t.strip()] = QUADS[f"{kind.lower()} {side}"]
    assert len(in_readme) == 18
    for t, quad in in_readme.items():
        assert int(CODES[t]["quad_class"]) == quad, t
    # the two types the README does not list: the PLOVER 2.0 manual's Table 7.2 (verbal conflict)
    assert {t for t in PLOVER_TYPES if t not in in_readme} == {"ACCUSE", "REQUEST"}
    assert CODES["ACCUSE"]["quad_class"] == CODES["REQUEST"]["quad_class"] == "3"


@pytest.mark.skipif(not (PLOVER / "CAMEO2PLOVER-2021.txt").exists(), reason="no plover-gsr")
def test_cameo_roots_follow_the_cameo_to_plover_table():
    """Each two-digit root line of CAMEO2PLOVER-2021.txt ("04: CONSULT") names the type that root
    becomes; where our type has that name, its root is among our cameo_roots."""
    lines = (PLOVER / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8").splitlines()
    roots = [re.match(r"^(\d\d): ([A-Z]+)\s*$", line) for line in lines]
    pairs = [(m.group(1), m.group(2)) for m in roots if m]
    assert len(pairs) >= 18
    checked = 0
    for root, plover_type in pairs:
        if plover_type in CODES and plover_type not in ("ACCUSE", "REQUEST"):
            assert root in CODES[plover_type]["cameo_roots"].split(";"), (root, plover_type)
            checked += 1
    assert checked >= 14
    # the types PLOVER 2021 merged: documented roots of their own in CAMEO
    assert (CODES["INVESTIGATE"]["cameo_root"], CODES["DEMAND"]["cameo_root"]) == ("09", "10")
    assert CODES["ACCUSE"]["cameo_root"] == CODES["DISAPPROVE"]["cameo_root"] == "11"
    assert CODES["CRIME"]["cameo_root"] == "" and CODES["CRIME"]["plover_score"] == ""
    assert CODES["ASSAULT"]["cameo_roots"] == "18;19;20"
