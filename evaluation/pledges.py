"""Aid pledges: precision and core recall on held-out text and (in-sample) on the dev gold.

Datasets:
- `gold/train test (N st.)`: the `test` split of ../shared/data/gold/train (held out: no rule was
  written or tuned on it); every story of the split counts (a pledge predicted in a story without
  gold pledges is a false positive). An error table follows the figures.
- `train split (in-sample: trained on)`: the `train` split of the same corpus.
- `dev, rules (in-sample, tuned)` and `dev, learned (in-sample, trained)`:
  ../shared/data/gold/dev/aid_pledges.jsonl, the stories the pledge rules were tuned on and the
  learned classifiers are trained on (with the corpus's train split).
- `train 5-fold CV (folds held out)`: the cross-validation over the train stories that chose
  the classifiers' thresholds (training/pledges/train.py), each fold predicted by classifiers
  not trained on it.
- `gold/train test (N st., rules only)`: the rule extractor alone on the test split, the
  baseline the learned path replaced.

Rules (gold/dev/README.md): a predicted pledge matches a gold record of the same story when donor
and recipient resolve to the same party (same ISO3 where both have one, otherwise the same
normalized name), the stage is the same, and, where gold has an amount, the amount is within 1%.
Precision is over every predicted pledge (a match with any gold record, core or not, is correct);
recall is over `core` gold records. Predicted pledges are the clusters of
transforms.extract.cluster run per story, so a statement repeated in one story counts once, as in
gold (`also_in`). The `donor+recipient` and `+stage` rows relax the rule (amount, then stage and
amount ignored) to show where the strict figure is lost.

Issue 17 rows (evaluation/pledge_dedup.py): `dedup gold (...)` scores the cross-article
clustering (pairwise, against evaluation/data/pledge_dedup_gold.jsonl) and the package links;
`cumulative flag` scores the running-total flag against the records whose notes call the amount
cumulative, on the train split (in-sample: the cues were written on it) and the test split.

Names: "normalized" = lower case, articles and punctuation dropped, British spellings folded
("programme" -> "program"), "EU" -> "european union". The `strict` rows use exactly that; the
`lenient` rows also accept a name whose words are all contained in the other's ("affected
people in Mulanje district" vs gold "Cyclone-affected people in Mulanje district, Malawi"),
for parties without ISO3 (groups, organizations). Both are printed; the target is read on
`strict`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from evaluation.common import SHARED_DATA, ErrorTable, Row, parse_stories

GOLD = SHARED_DATA / "gold" / "dev" / "aid_pledges.jsonl"
# Stories annotated for claims but holding no gold pledge: a prediction there is checked too
# (reported separately, since the README does not say pledges were annotated exhaustively there).
CLAIM_GOLD = SHARED_DATA / "gold" / "dev" / "claims.jsonl"
DEV_LABEL = "dev, rules (in-sample, tuned)"
DEV_LEARNED_LABEL = "dev, learned (in-sample, trained)"
TRAIN_LABEL = "train split (in-sample: trained on)"
CRITERIA = ("donor", "recipient", "stage", "amount")


@dataclass
class RatioRow(Row):
    """A Row whose precision and recall have their own counts.

    Pledges: precision over every predicted pledge, recall over core gold records only, so the
    two numerators differ and tp/fp/fn cannot hold both. A zero denominator prints as "-".
    """

    p_hits: int = 0
    p_total: int = 0
    r_hits: int = 0
    r_total: int = 0

    @property
    def precision(self) -> float | None:
        return self.p_hits / self.p_total if self.p_total else None

    @property
    def recall(self) -> float | None:
        return self.r_hits / self.r_total if self.r_total else None


def norm(name: str | None) -> str:
    if not name:
        return ""
    text = name.lower().replace("’", "'").replace("programme", "program")
    text = re.sub(r"\bu\.?n\.?\b", "united nations", text)
    text = re.sub(r"\beu\b", "european union", text)
    text = re.sub(r"\b(the|a|an)\b", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def party_match(
    p_iso: str | None, p_name: str | None, g_iso: str | None, g_name: str | None, lenient: bool
) -> bool:
    if p_iso and g_iso:
        return p_iso == g_iso
    a, b = norm(p_name), norm(g_name)
    if not a or not b:
        return False
    if a == b:
        return True
    if lenient:
        sa, sb = set(a.replace("-", " ").split()), set(b.replace("-", " ").split())
        return sa <= sb or sb <= sa
    return False


def amount_match(pred: dict, gold: dict) -> bool:
    """Within 1% where gold has an amount; any (or none) when it has not."""
    if not gold.get("amount"):
        return True
    if not pred.get("amount"):
        return False
    return abs(pred["amount"] - gold["amount"]) <= 0.01 * gold["amount"]


def mismatches(pred: dict, gold: dict, lenient: bool = False) -> list[str]:
    """The criteria of the matching rule (donor, recipient, stage, amount) that fail."""
    out = []
    if not party_match(
        pred["donor_iso3"], pred["donor_name"], gold["donor_iso3"], gold["donor"], lenient
    ):
        out.append("donor")
    if not party_match(
        pred["recipient_iso3"],
        pred["recipient_name"],
        gold["recipient_iso3"],
        gold["recipient"],
        lenient,
    ):
        out.append("recipient")
    if pred["stage"] != gold["stage"]:
        out.append("stage")
    if not amount_match(pred, gold):
        out.append("amount")
    return out


def matches(pred: dict, gold: dict, lenient: bool, ignore: tuple[str, ...] = ()) -> bool:
    """The gold README rule; `ignore` drops criteria (the relaxed diagnostic rows)."""
    return all(c in ignore for c in mismatches(pred, gold, lenient))


def clusters(doc, ctx, method: str = "auto", models=None) -> list[dict]:
    """Predicted pledges (clusters) of one parsed story; each carries `_trigger`, the trigger
    text of its first mention (for error examples). `method` and `models`: as pledge_rows."""
    import polars as pl

    from transforms.extract.cluster import cluster_pledges
    from transforms.extract.pledge_totals import PLEDGE_MENTION_TABLE_SCHEMA, pledge_mention_rows

    rows = pledge_mention_rows(doc, ctx, method, models)
    mentions = pl.DataFrame(rows, schema=PLEDGE_MENTION_TABLE_SCHEMA)
    pledges, members = cluster_pledges(mentions)
    trigger = {r["pledge_mention_id"]: r["trigger_text"] for r in rows}
    first: dict[str, str] = {}
    for m in members.to_dicts():
        first.setdefault(m["pledge_id"], trigger.get(m["pledge_mention_id"]) or "")
    out = pledges.to_dicts()
    for p in out:
        p["_trigger"] = first.get(p["pledge_id"], "")
    return out


def predict(story_ids: list[str], method: str = "auto") -> dict[str, list[dict]]:
    """Dev stories: predicted pledges (clusters) per story, from their stored seed text."""
    return {sid: clusters(doc, ctx, method) for sid, (doc, ctx) in parse_stories(story_ids).items()}


def predict_split(split: str, method: str = "auto") -> dict[str, list[dict]]:
    """Corpus stories of one split (parsed once, shared with the other sections); `method` as
    pledge_rows ("rules" for the rule baseline)."""
    from evaluation.corpus import parsed

    return {story.id: clusters(doc, ctx, method) for story, doc, ctx in parsed(split)}


def _cv_row() -> Row | None:
    """The 5-fold cross-validation figure over the train stories that chose the thresholds
    (training/pledges/train.py): each fold predicted by classifiers not trained on it."""
    import re as _re

    from transforms.extract import pledges

    models = pledges.classifiers()
    if models is None or "cv_pledge_scores" not in models.meta:
        return None
    key = ",".join(str(v) for v in models.thresholds.values())
    got = models.meta["cv_pledge_scores"][key]
    tp, n = map(int, _re.findall(r"\d+", got["p"]))
    found, n_core = map(int, _re.findall(r"\d+", got["r"]))
    return RatioRow(
        "pledges", "train 5-fold CV (folds held out)", "pledge (strict)",
        p_hits=tp, p_total=n, r_hits=found, r_total=n_core,
        note=f"P {tp}/{n}; R {found}/{n_core} core; chose the thresholds"
        + ("; folds x 3 training seeds pooled" if len(models.meta.get("cv_seeds", [])) > 1 else ""),
    )  # fmt: skip


def score(
    preds: dict[str, list[dict]],
    gold: list[dict],
    lenient: bool,
    ignore: tuple[str, ...] = (),
) -> tuple[int, int, int, int]:
    """(predicted matched, predicted total, core found, core total)."""
    by_story: dict[str, list[dict]] = {}
    for g in gold:
        by_story.setdefault(g["story_id"], []).append(g)
    tp_pred = n_pred = 0
    for story_id, plist in preds.items():
        for p in plist:
            n_pred += 1
            tp_pred += any(matches(p, g, lenient, ignore) for g in by_story.get(story_id, []))
    core = [g for g in gold if g.get("core")]
    found = sum(
        any(matches(p, g, lenient, ignore) for p in preds.get(g["story_id"], [])) for g in core
    )
    return tp_pred, n_pred, found, len(core)


# -- error kinds --------------------------------------------------------------------------------
def _amount(x: float | None) -> str:
    if not x:
        return "-"
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= size:
            return f"{x / size:g}{unit}"
    return f"{x:g}"


def _describe(r: dict, gold: bool) -> str:
    donor = (r["donor_iso3"] or r["donor"]) if gold else (r["donor_iso3"] or r["donor_name"])
    recip = (
        (r["recipient_iso3"] or r["recipient"])
        if gold
        else (r["recipient_iso3"] or r["recipient_name"])
    )
    return f"{donor}->{recip} {_amount(r.get('amount'))} {r['stage']}"


def near_miss_kind(pred: dict, gold: dict) -> str:
    """The short label of a near miss: the failed criteria of the matching rule."""
    kinds = []
    for c in mismatches(pred, gold):
        if c == "stage":
            kinds.append(f"wrong stage gold={gold['stage']} pred={pred['stage']}")
        elif c == "amount" and not pred.get("amount"):
            kinds.append("amount missing")
        elif c == "amount" and pred.get("currency") != gold.get("currency"):
            kinds.append("wrong currency")
        else:
            kinds.append(f"wrong {c}")
    return " + ".join(kinds)


def errors(preds: dict[str, list[dict]], gold: list[dict], story_ids: list[str]) -> Counter:
    """Error kind -> count (strict names), with `.examples` (kind -> one example).

    Per story, unmatched predictions and unmatched gold records are paired one-to-one when at
    most two criteria fail, fewest failures first (a near miss counts once, as "wrong donor",
    "wrong stage gold=X pred=Y", "amount missing" ...); an unpaired prediction is "spurious", an
    unpaired core record "missed: stage X" (a non-core record missed is no error: recall is over
    core records).
    """
    from evaluation.corpus import short_id

    counts: Counter = Counter()
    counts.examples = {}  # type: ignore[attr-defined]

    def add(kind: str, example: str) -> None:
        counts[kind] += 1
        counts.examples.setdefault(kind, example)  # type: ignore[attr-defined]

    by_story: dict[str, list[dict]] = {}
    for g in gold:
        by_story.setdefault(g["story_id"], []).append(g)
    for sid in story_ids:
        golds, plist = by_story.get(sid, []), preds.get(sid, [])
        # a prediction matching any gold record is right; a core record matched by any is found
        wrong = [p for p in plist if not any(matches(p, g, False) for g in golds)]
        open_gold = [g for g in golds if not any(matches(p, g, False) for p in plist)]
        candidates = sorted(
            (len(mismatches(p, g)), not g.get("core"), i, j)
            for i, p in enumerate(wrong)
            for j, g in enumerate(open_gold)
            if len(mismatches(p, g)) <= 2
        )
        used_p: set[int] = set()
        used_g: set[int] = set()
        for _, _, i, j in candidates:
            if i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            p, g = wrong[i], open_gold[j]
            add(
                near_miss_kind(p, g),
                f"{short_id(sid)}: gold {_describe(g, True)}; pred {_describe(p, False)}",
            )
        for i, p in enumerate(wrong):
            if i not in used_p:
                add("spurious", f"{short_id(sid)}: {_describe(p, False)} ('{p.get('_trigger')}')")
        for j, g in enumerate(open_gold):
            if j not in used_g and g.get("core"):
                sentence = " ".join(g["sentence"].split())[:50]
                add(
                    f"missed: stage {g['stage']}",
                    f"{short_id(sid)}: {_describe(g, True)} «{sentence}»",
                )
    return counts


def _dev_rows() -> list[Row]:
    gold = [
        json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    stories = sorted({g["story_id"] for g in gold})
    claim_only: list[str] = []
    if CLAIM_GOLD.exists():
        claim_stories = {
            json.loads(line)["story_id"]
            for line in CLAIM_GOLD.read_text(encoding="utf-8").splitlines()
            if line.strip()
        }
        claim_only = sorted(claim_stories - set(stories))
    rows = []
    for method, label in (("rules", DEV_LABEL), ("auto", DEV_LEARNED_LABEL)):
        preds = predict(stories + claim_only, method)
        for mode in ("strict", "lenient"):
            lenient = mode == "lenient"
            tp, n, found, n_core = score(
                {s: p for s, p in preds.items() if s in stories}, gold, lenient
            )
            target = method == "rules" and not lenient
            rows.append(
                Row(
                    "pledges",
                    label,
                    f"precision ({mode})",
                    value=tp / n if n else None,
                    target="P>=0.90" if target else "",
                    note=f"{tp}/{n} predicted pledges match a gold record ({len(stories)} st.)",
                )
            )
            rows.append(
                Row(
                    "pledges",
                    label,
                    f"core recall ({mode})",
                    value=found / n_core if n_core else None,
                    target="R>=0.80" if target else "",
                    note=f"{found}/{n_core} core records found",
                )
            )
    extra = sum(len(preds.get(s, [])) for s in claim_only)
    rows.append(
        Row(
            "pledges",
            f"dev claims-only {len(claim_only)} st. (in-sample)",
            "predicted pledges",
            value=float(extra),
            note="stories with claims gold but no pledge gold: each prediction there is unverified",
        )
    )
    return rows


def split_rows(dataset: str, preds: dict[str, list[dict]], gold: list[dict]) -> list[Row]:
    """P (over all predictions) / R (over core records) / F1, strict and relaxed."""
    rows: list[Row] = []
    for field, lenient, ignore in (
        ("pledge (strict)", False, ()),
        ("pledge (lenient names)", True, ()),
        ("donor+recipient+stage", False, ("amount",)),
        ("donor+recipient", False, ("amount", "stage")),
    ):
        tp, n, found, n_core = score(preds, gold, lenient, ignore)
        rows.append(
            RatioRow(
                "pledges",
                dataset,
                field,
                p_hits=tp,
                p_total=n,
                r_hits=found,
                r_total=n_core,
                target="P>=0.90 R>=0.80" if field == "pledge (strict)" else "",
                note=f"P {tp}/{n} predicted; R {found}/{n_core} core",
            )
        )
    return rows


def amount_rows(dataset: str, preds: dict[str, list[dict]], gold: list[dict]) -> list[Row]:
    """Amount and currency on matched pledges. Gold records with an amount are paired one to one
    with predictions of their story that match them on donor, recipient and stage and have an
    amount, closest amounts first (a story often holds several pledges between the same two
    parties); exact = within 1%, and the same ISO 4217 code."""
    import math

    by_story: dict[str, list[dict]] = {}
    for g in gold:
        if g.get("amount"):
            by_story.setdefault(g["story_id"], []).append(g)
    n = amount_ok = currency_ok = 0
    for story_id, records in by_story.items():
        candidates = sorted(
            (abs(math.log(p["amount"] / g["amount"])), gi, pi)
            for gi, g in enumerate(records)
            for pi, p in enumerate(preds.get(story_id, []))
            if p.get("amount") and p["amount"] > 0 and matches(p, g, False, ("amount",))
        )
        used_g: set[int] = set()
        used_p: set[int] = set()
        for _, gi, pi in candidates:
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            g, p = records[gi], preds[story_id][pi]
            n += 1
            amount_ok += amount_match(p, g)
            currency_ok += (p.get("currency") or "") == (g.get("currency") or "")
    return [
        Row("pledges", dataset, "amount (matched)", value=amount_ok / n if n else None,
            target=">=0.95", note=f"{amount_ok}/{n} within 1%"),
        Row("pledges", dataset, "currency (matched)", value=currency_ok / n if n else None,
            target=">=0.95", note=f"{currency_ok}/{n} same ISO 4217 code"),
    ]  # fmt: skip


def report() -> list[Row | ErrorTable]:
    from evaluation import corpus

    rows: list[Row | ErrorTable] = []
    if GOLD.exists():
        rows += _dev_rows()
    else:
        rows.append(Row("pledges", "gold/dev", "missing", note=f"{GOLD} not found"))
    tables: list[ErrorTable] = []
    for split in ("test", "train"):
        ids = corpus.story_ids(split)
        if not ids:
            continue
        gold = corpus.records("aid_pledges", split)
        preds = predict_split(split)
        dataset = f"gold/train test ({len(ids)} st.)" if split == "test" else TRAIN_LABEL
        rows += split_rows(dataset, preds, gold)
        rows += amount_rows(dataset, preds, gold)
        if split == "test":
            base = split_rows(f"{dataset[:-1]}, rules only)", predict_split(split, "rules"), gold)
            rows.append(base[0])
            counts = errors(preds, gold, ids)
            tables.append(
                ErrorTable("pledges", dataset, "pledge (strict)", dict(counts), counts.examples)
            )
    cv = _cv_row()
    rows += [cv] if cv else []
    # issue 17: cross-article dedup and package links on the hand gold, the running-total flag
    from evaluation import pledge_dedup

    for item in pledge_dedup.dedup_rows() + pledge_dedup.cumulative_rows():
        (tables if isinstance(item, ErrorTable) else rows).append(item)
    return rows + tables
