"""Aid-pledge precision and recall against ../shared/data/gold/dev/aid_pledges.jsonl.

Rules (gold README): a predicted pledge matches a gold record of the same story when donor and
recipient resolve to the same party (same ISO3 where both have one, otherwise the same
normalized name), the stage is the same, and, where gold has an amount, the amount is within 1%.
Precision is over every predicted pledge of the gold stories (a match with any gold record,
core or not, is correct); recall is over `core` gold records.
Predicted pledges are the clusters of transforms.extract.cluster run on the gold stories, so a
statement repeated in one story counts once, as in gold (`also_in`).

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

from evaluation.common import SHARED_DATA, Row, parse_stories

GOLD = SHARED_DATA / "gold" / "dev" / "aid_pledges.jsonl"
# Stories annotated for claims but holding no gold pledge: a prediction there is checked too
# (reported separately, since the README does not say pledges were annotated exhaustively there).
CLAIM_GOLD = SHARED_DATA / "gold" / "dev" / "claims.jsonl"


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


def matches(pred: dict, gold: dict, lenient: bool) -> bool:
    if pred["stage"] != gold["stage"]:
        return False
    if not party_match(
        pred["donor_iso3"], pred["donor_name"], gold["donor_iso3"], gold["donor"], lenient
    ):
        return False
    if not party_match(
        pred["recipient_iso3"],
        pred["recipient_name"],
        gold["recipient_iso3"],
        gold["recipient"],
        lenient,
    ):
        return False
    if gold.get("amount"):
        if not pred.get("amount"):
            return False
        return abs(pred["amount"] - gold["amount"]) <= 0.01 * gold["amount"]
    return True


def predict(story_ids: list[str]) -> dict[str, list[dict]]:
    """Predicted pledges (clusters) per story, from the real model and extractor."""
    import polars as pl

    from transforms.extract.cluster import cluster_pledges
    from transforms.extract.pledges import PLEDGE_MENTION_SCHEMA, pledge_rows

    out: dict[str, list[dict]] = {}
    for story_id, (doc, ctx) in parse_stories(story_ids).items():
        mentions = pl.DataFrame(pledge_rows(doc, ctx), schema=PLEDGE_MENTION_SCHEMA)
        pledges, _ = cluster_pledges(mentions)
        out[story_id] = pledges.to_dicts()
    return out


def score(
    preds: dict[str, list[dict]], gold: list[dict], lenient: bool
) -> tuple[int, int, int, int]:
    """(predicted matched, predicted total, core found, core total)."""
    by_story: dict[str, list[dict]] = {}
    for g in gold:
        by_story.setdefault(g["story_id"], []).append(g)
    tp_pred = n_pred = 0
    for story_id, plist in preds.items():
        for p in plist:
            n_pred += 1
            tp_pred += any(matches(p, g, lenient) for g in by_story.get(story_id, []))
    core = [g for g in gold if g.get("core")]
    found = sum(any(matches(p, g, lenient) for p in preds.get(g["story_id"], [])) for g in core)
    return tp_pred, n_pred, found, len(core)


def report() -> list[Row]:
    if not GOLD.exists():
        return [Row("pledges", "gold/dev", "missing", note=f"{GOLD} not found")]
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
    preds = predict(stories + claim_only)
    rows = []
    for mode in ("strict", "lenient"):
        lenient = mode == "lenient"
        tp, n, found, n_core = score(
            {s: p for s, p in preds.items() if s in stories}, gold, lenient
        )
        rows.append(
            Row(
                "pledges",
                f"gold/dev {len(stories)} stories",
                f"precision ({mode})",
                value=tp / n if n else None,
                target="P>=0.90" if not lenient else "",
                note=f"{tp}/{n} predicted pledges match a gold record",
            )
        )
        rows.append(
            Row(
                "pledges",
                f"gold/dev {len(stories)} stories",
                f"core recall ({mode})",
                value=found / n_core if n_core else None,
                target="R>=0.80" if not lenient else "",
                note=f"{found}/{n_core} core records found",
            )
        )
    extra = sum(len(preds.get(s, [])) for s in claim_only)
    rows.append(
        Row(
            "pledges",
            f"claims-only {len(claim_only)} stories",
            "predicted pledges",
            value=float(extra),
            note="stories with claims gold but no pledge gold: each prediction there is unverified",
        )
    )
    return rows
