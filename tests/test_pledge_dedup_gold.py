"""The hand dedup gold (evaluation/data/pledge_dedup_gold.jsonl) and its measurement.

The gold quotes records of ../shared/data/gold; these tests check that every quote still names
exactly one record with its story's date, and that the pairwise scores count what they say.
"""

from __future__ import annotations

import itertools
import json

import pytest

from evaluation import corpus, pledge_dedup
from evaluation.common import SHARED_DATA, Row

pytestmark = pytest.mark.skipif(not SHARED_DATA.exists(), reason=f"no gold data at {SHARED_DATA}")


def _published_dates() -> dict[str, str]:
    dates = {sid: s.published.isoformat() for sid, s in corpus.stories().items()}
    voa = SHARED_DATA / "voa" / "voa_stories.jsonl"
    for line in voa.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            dates.setdefault(r["id"], r["published"][:10])
    dates.setdefault("seed-000", "2024-11-04")
    return dates


def test_every_decision_quotes_one_gold_record_with_its_story_date():
    items = pledge_dedup.gold_items()
    assert 20 <= len(items) <= 40
    sources = {k: pledge_dedup._lines(p) for k, p in pledge_dedup.SOURCES.items()}
    dates = _published_dates()
    relations = {item["relation"] for item in items}
    assert relations == {"same_pledge", "same_package", "different"}
    for item in items:
        assert len(item["reason"]) > 40, item["id"]
        keys = []
        for ref in item["records"]:
            key, record = pledge_dedup.resolve(ref, sources)
            assert ref["published"] == dates[record["story_id"]], (item["id"], ref)
            assert ref["quote"] in record["sentence"]
            keys.append(key)
        assert len(set(keys)) == len(keys), item["id"]
        if item["relation"] == "same_pledge":  # another story each, the same stage
            stories = [r["story_id"] for r in item["records"]]
            assert len(set(stories)) == len(stories), item["id"]
            assert len({r["stage"] for r in item["records"]}) == 1, item["id"]


def test_pairwise_counts_cover_every_gold_pair():
    got = pledge_dedup.measure()
    items = pledge_dedup.gold_items()
    joined = {
        level: {
            frozenset(pair)
            for item in items
            if item["relation"] in relations
            for pair in itertools.combinations(
                [
                    pledge_dedup.resolve(
                        ref, {k: pledge_dedup._lines(p) for k, p in pledge_dedup.SOURCES.items()}
                    )[0]
                    for ref in item["records"]
                ],
                2,
            )
        }
        for level, relations in (
            ("pledge", ("same_pledge",)),
            ("package", ("same_pledge", "same_package")),
        )
    }
    for level in ("pledge", "package"):
        tp, fp, fn, errors = got[level]
        # no two decisions chain into a larger group here, so gold pairs are the items' pairs
        assert tp + fn == len(joined[level])
        assert len(errors) == fp + fn
    assert got["n_records"] == len(
        {
            (r["source"], r["story_id"], r["quote"], r["amount"], r["stage"], r["aid_type"])
            for i in items
            for r in i["records"]
        }
    )


def test_make_eval_prints_the_dedup_and_running_total_rows():
    rows = [
        r for r in pledge_dedup.dedup_rows() + pledge_dedup.cumulative_rows() if isinstance(r, Row)
    ]
    fields = {(r.dataset.split(" (")[0], r.field) for r in rows}
    assert {
        ("dedup gold", "clustering pairwise"),
        ("dedup gold", "package links pairwise"),
        ("train split", "cumulative flag"),
        ("gold/train test", "cumulative flag"),
    } <= fields
    train = next(r for r in rows if r.field == "cumulative flag" and r.dataset.startswith("train"))
    # the cues were written on the train split: most running totals its notes name are found
    assert train.recall >= 0.9 and train.precision >= 0.5
