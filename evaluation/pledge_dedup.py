"""Cross-article pledge dedup, package linking and the running-total flag, measured on gold records.

Dedup and packages (`evaluation/data/pledge_dedup_gold.jsonl`, written by hand for issue 17):
each line is one decision over gold pledge records of ../shared/data/gold/{train,dev}
(aid_pledges.jsonl) quoted by story id, stage, amount, aid type and a piece of the sentence:
- `same_pledge`: one pledge reported by several stories (same donor, recipient, amount, stage,
  same announcement);
- `same_package`: one package at two stages, or the same announcement whose stage the stories
  (and so their labels) state differently;
- `different`: alike but different pledges (hard negatives: same donor and recipient, other
  package; or same amount, other party or aid).
Each has a `reason` written after reading the sentences, dates and notes. The records are fed,
as pledge mention rows dated by their story's publication date (the parties, amounts, aid type
and stage of gold, the running-total flag of transforms/extract/pledge_totals.py on the gold
sentence), through transforms.extract.cluster.cluster_pledges; the pairwise precision / recall
/ F1 of its clusters against the `same_pledge` partition is the dedup figure, and of its
packages (package_id) against `same_pledge` + `same_package` the package figure. Pairs are
all pairs of records in the file: two records of no common decision are different pledges.

Running totals: the flag of pledge_totals.py on each gold record's sentence (at its amount),
against the records whose annotator notes call the amount cumulative (NOTES_CUMULATIVE), over
the records with an amount (the flag is about amounts; a record without one is never flagged). The
cues were written on the train split (in-sample); the test split is held out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

from evaluation.common import SHARED_DATA, ErrorTable, Row

GOLD_FILE = Path(__file__).parent / "data" / "pledge_dedup_gold.jsonl"
SOURCES = {
    "train": SHARED_DATA / "gold" / "train" / "aid_pledges.jsonl",
    "dev": SHARED_DATA / "gold" / "dev" / "aid_pledges.jsonl",
}
RELATIONS = ("same_pledge", "same_package", "different")
# What an annotator's note says of a running total ("Cumulative U.S. humanitarian assistance
# since February 2022"); a "total of" new items ("Total of new initiatives (= $40M + ...)") is a
# package's sum, not a running total.
NOTES_CUMULATIVE = re.compile(r"\bcumulative\b|\btotal since\b|\brunning total\b", re.IGNORECASE)


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def gold_items() -> list[dict]:
    """The hand decisions of GOLD_FILE, checked for shape."""
    items = _lines(GOLD_FILE)
    for item in items:
        if item.get("relation") not in RELATIONS or len(item.get("records", [])) < 2:
            raise ValueError(f"{GOLD_FILE}: item {item.get('id')}: bad relation or < 2 records")
        if not item.get("reason"):
            raise ValueError(f"{GOLD_FILE}: item {item.get('id')} has no reason")
    return items


def resolve(ref: dict, sources: dict[str, list[dict]]) -> tuple[str, dict]:
    """(key, gold record) of one reference of the gold file: the one record of its source with
    that story, stage, amount and aid type whose sentence contains the quote."""
    hits = [
        (i, r)
        for i, r in enumerate(sources[ref["source"]])
        if r["story_id"] == ref["story_id"]
        and r["stage"] == ref["stage"]
        and r["amount"] == ref["amount"]
        and r["aid_type"] == ref["aid_type"]
        and ref["quote"] in r["sentence"]
    ]
    if len(hits) != 1:
        raise ValueError(f"{GOLD_FILE}: {ref} matches {len(hits)} gold records, not 1")
    i, record = hits[0]
    return f"{ref['source']}:{i}", record


def amount_offset(sentence: str, amount: float | None) -> int | None:
    """Where the gold amount is written in its sentence (the amount parser's span whose value is
    within 1% of it), else None."""
    from transforms.extract.money import find_amounts

    if not amount:
        return None
    for a in find_amounts(sentence):
        if a.amount and abs(a.amount - amount) <= 0.01 * amount:
            return a.start
    return None


def is_cumulative(record: dict) -> bool:
    """The pipeline's running-total flag on a gold record's sentence, at its amount."""
    from transforms.extract.pledge_totals import cumulative_cue

    sentence = record["sentence"]
    if not record.get("amount"):
        return False  # as in the pipeline: the flag is about an amount
    return cumulative_cue(sentence, amount_offset(sentence, record.get("amount"))) is not None


def mention_row(key: str, record: dict, published: dt.date, index: int) -> dict:
    """A gold record as a pledge mention row (PLEDGE_MENTION_TABLE_SCHEMA), dated by its story."""
    from transforms.extract.pledge_totals import PLEDGE_MENTION_TABLE_SCHEMA

    row = dict.fromkeys(PLEDGE_MENTION_TABLE_SCHEMA)
    row.update(
        pledge_mention_id=key,
        article_id=record["story_id"],
        sentence_index=index,
        donor_name=record["donor"],
        donor_iso3=record["donor_iso3"],
        donor_kind="country" if record["donor_iso3"] else "organization",
        recipient_name=record["recipient"],
        recipient_iso3=record["recipient_iso3"],
        recipient_kind="country" if record["recipient_iso3"] else "organization",
        amount=record["amount"],
        currency=record["currency"],
        amount_usd_stated=record["amount_usd_stated"],
        aid_type=record["aid_type"],
        stage=record["stage"],
        announced_date=published,
        published_date=published,
        date_precision="day",
        confidence=1.0,
        is_cumulative=is_cumulative(record),
    )
    return row


def _partition(keys: list[str], items: list[dict], relations: tuple[str, ...]) -> dict[str, str]:
    """Record key -> gold group (union of the items of the given relations)."""
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for item in items:
        if item["relation"] in relations:
            first, *rest = item["_keys"]
            for k in rest:
                parent[find(k)] = find(first)
    return {k: find(k) for k in keys}


def measure() -> dict:
    """Pairwise scores of the clustering and the package links on the gold file.

    Returns {"n_items", "n_records", "pledge": (tp, fp, fn, errors), "package": (...)}, errors
    being (kind, example) pairs of the wrong pairs."""
    import polars as pl

    from transforms.extract.cluster import cluster_pledges
    from transforms.extract.pledge_totals import PLEDGE_MENTION_TABLE_SCHEMA

    sources = {name: _lines(path) for name, path in SOURCES.items()}
    items = gold_items()
    records: dict[str, tuple[dict, dict]] = {}
    for item in items:
        item["_keys"] = []
        for ref in item["records"]:
            key, record = resolve(ref, sources)
            records[key] = (record, ref)
            item["_keys"].append(key)
    keys = sorted(records)
    rows = [
        mention_row(k, rec, dt.date.fromisoformat(ref["published"]), i)
        for i, (k, (rec, ref)) in enumerate((k, records[k]) for k in keys)
    ]
    pledges, members = cluster_pledges(pl.DataFrame(rows, schema=PLEDGE_MENTION_TABLE_SCHEMA))
    cluster_of = dict(members.select("pledge_mention_id", "pledge_id").iter_rows())
    package_of_pledge = dict(pledges.select("pledge_id", "package_id").iter_rows())
    predicted = {
        "pledge": cluster_of,
        "package": {k: package_of_pledge[cluster_of[k]] for k in keys},
    }
    gold = {
        "pledge": _partition(keys, items, ("same_pledge",)),
        "package": _partition(keys, items, ("same_pledge", "same_package")),
    }
    reason_of = {}
    for item in items:
        for a, b in itertools.combinations(item["_keys"], 2):
            reason_of[frozenset((a, b))] = f"{item['id']} {item['relation']}"
    out: dict = {"n_items": len(items), "n_records": len(keys)}
    for level in ("pledge", "package"):
        tp = fp = fn = 0
        errors: list[tuple[str, str]] = []
        for a, b in itertools.combinations(keys, 2):
            same_gold = gold[level][a] == gold[level][b]
            same_pred = predicted[level][a] == predicted[level][b]
            tp += same_gold and same_pred
            if same_pred != same_gold:
                fp += same_pred
                fn += same_gold
                ra, rb = records[a][0], records[b][0]
                kind = (
                    "joined, gold apart"
                    if same_pred
                    else "apart, gold joined: "
                    + _why_apart(ra, rb, rows[keys.index(a)], rows[keys.index(b)])
                )
                errors.append(
                    (
                        kind,
                        f"{reason_of.get(frozenset((a, b)), 'no item')}: "
                        f"{_short(ra)} / {_short(rb)}",
                    )
                )
        out[level] = (tp, fp, fn, errors)
    return out


def _short(r: dict) -> str:
    amount = f"{r['amount'] / 1e6:g}M" if r.get("amount") else "-"
    return (
        f"{r['story_id'][:22]} {r['donor_iso3'] or r['donor']}->"
        f"{r['recipient_iso3'] or r['recipient']} {amount} {r['stage']}"
    )


def _why_apart(a: dict, b: dict, ma: dict, mb: dict) -> str:
    """The clustering criterion that kept two gold-joined records apart."""
    from transforms.extract.cluster import _key

    if _key(ma["donor_kind"], a["donor_iso3"], a["donor"]) != _key(
        mb["donor_kind"], b["donor_iso3"], b["donor"]
    ):
        return "donor names differ"
    if _key(ma["recipient_kind"], a["recipient_iso3"], a["recipient"]) != _key(
        mb["recipient_kind"], b["recipient_iso3"], b["recipient"]
    ):
        return "recipient names differ"
    if a["stage"] != b["stage"]:
        return "stages differ"
    if ma["is_cumulative"] != mb["is_cumulative"]:
        return "running-total flags differ"
    return "amount or date"


def dedup_rows() -> list[Row | ErrorTable]:
    if not GOLD_FILE.exists() or not all(p.exists() for p in SOURCES.values()):
        return [Row("pledges", "dedup gold", "missing", note=f"{GOLD_FILE} or its sources")]
    got = measure()
    dataset = f"dedup gold ({got['n_items']} items, {got['n_records']} rec.)"
    out: list[Row | ErrorTable] = []
    for level, field, target, what in (
        ("pledge", "clustering pairwise", "F1>=0.90", "same_pledge"),
        ("package", "package links pairwise", "", "same_pledge + same_package"),
    ):
        tp, fp, fn, errors = got[level]
        out.append(
            Row(
                "pledges",
                dataset,
                field,
                tp=tp,
                fp=fp,
                fn=fn,
                target=target,
                note=f"pairs: {tp} right, {fp} wrongly joined, {fn} missed (gold: {what})",
            )
        )
        counts: dict[str, int] = {}
        examples: dict[str, str] = {}
        for kind, example in errors:
            counts[kind] = counts.get(kind, 0) + 1
            examples.setdefault(kind, example)
        if counts:
            out.append(ErrorTable("pledges", dataset + " in-sample", field, counts, examples))
    return out


def cumulative_rows() -> list[Row | ErrorTable]:
    """Precision / recall of the running-total flag against the notes, per corpus split."""
    from evaluation import corpus

    out: list[Row | ErrorTable] = []
    for split, dataset in (
        ("train", "train split (in-sample: cues written on it)"),
        ("test", "gold/train test (held out)"),
    ):
        gold = [r for r in corpus.records("aid_pledges", split) if r.get("amount")]
        if not gold:
            continue
        tp = fp = fn = 0
        counts: dict[str, int] = {}
        examples: dict[str, str] = {}
        for r in gold:
            said = bool(NOTES_CUMULATIVE.search(r.get("notes") or ""))
            flagged = is_cumulative(r)
            tp += said and flagged
            fp += flagged and not said
            fn += said and not flagged
            if said != flagged:
                kind = "flagged, notes do not say cumulative" if flagged else "missed running total"
                counts[kind] = counts.get(kind, 0) + 1
                examples.setdefault(kind, " ".join(r["sentence"].split())[:100])
        out.append(
            Row(
                "pledges",
                dataset,
                "cumulative flag",
                tp=tp,
                fp=fp,
                fn=fn,
                note=f"{tp + fn} of {len(gold)} records with an amount cumulative by their notes",
            )
        )
        if split == "test" and counts:
            out.append(ErrorTable("pledges", dataset, "cumulative flag", counts, examples))
    return out
