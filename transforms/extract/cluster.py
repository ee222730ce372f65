"""Cross-article clustering: one pledge (or event) reported by several articles is counted once.

Runs after the NLP stage over all mentions of the lake (a Dagster asset, like the actor tables),
because a cluster spans articles and a per-article extractor cannot see the others.

Pledges: mentions are grouped by (donor, recipient, stage); a party's key is its ISO3 when it
is a country, else its normalized name. Within a group, mentions are taken in date order and a
mention joins the first cluster where
- the amounts agree: same currency and within AMOUNT_TOLERANCE (5%), or the same stated USD
  equivalent within 5%, or one side states no amount (a repeat without the figure), and
- it is the same article (a story repeating itself), or its date is within DATE_WINDOW_DAYS
  (14) of the cluster's first date.
Otherwise it starts a new cluster. `cluster_reason` says which criteria joined each cluster.
Events: the same, keyed on (event_type, actor, recipient, mode) with a 3-day window and no
amount. Every member mention is kept (pledge_members / event_members).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq

import polars as pl

from transforms.extract.ids import stable_id
from transforms.extract.parties import normalize_name

AMOUNT_TOLERANCE = 0.05
DATE_WINDOW_DAYS = 14
EVENT_WINDOW_DAYS = 3

PLEDGE_SCHEMA = {
    "pledge_id": pl.String,
    "donor_key": pl.String,
    "donor_name": pl.String,
    "donor_iso3": pl.String,
    "recipient_key": pl.String,
    "recipient_name": pl.String,
    "recipient_iso3": pl.String,
    "amount": pl.Float64,
    "currency": pl.String,
    "amount_usd_stated": pl.Float64,
    "aid_type": pl.String,
    "stage": pl.String,
    "announced_date": pl.Date,
    "date_precision": pl.String,
    "n_mentions": pl.Int32,
    "n_articles": pl.Int32,
    "cluster_reason": pl.String,
    "confidence": pl.Float64,
}
PLEDGE_MEMBER_SCHEMA = {
    "pledge_id": pl.String,
    "pledge_mention_id": pl.String,
    "article_id": pl.String,
    "join_reason": pl.String,
}
EVENT_SCHEMA = {
    "event_id": pl.String,
    "event_type": pl.String,
    "mode": pl.String,
    "actor_key": pl.String,
    "actor_name": pl.String,
    "actor_iso3": pl.String,
    "recipient_key": pl.String,
    "recipient_name": pl.String,
    "recipient_iso3": pl.String,
    "event_date": pl.Date,
    "date_precision": pl.String,
    "place_text": pl.String,
    "n_mentions": pl.Int32,
    "n_articles": pl.Int32,
    "cluster_reason": pl.String,
    "confidence": pl.Float64,
}
EVENT_MEMBER_SCHEMA = {
    "event_id": pl.String,
    "event_mention_id": pl.String,
    "article_id": pl.String,
    "join_reason": pl.String,
}
_AID_SPECIFICITY = ["loan", "military", "humanitarian", "development", "financial", "in_kind"]


def _key(kind: str | None, iso3: str | None, name: str | None) -> str:
    if iso3 and kind == "country":
        return iso3
    return normalize_name(name) or "?"


def _amounts_agree(a: dict, b: dict) -> str | None:
    """Why two mentions' amounts agree, or None when they contradict each other."""
    if a["amount"] is None or b["amount"] is None:
        return "amount stated once"
    if a["currency"] == b["currency"]:
        if abs(a["amount"] - b["amount"]) <= AMOUNT_TOLERANCE * max(a["amount"], b["amount"]):
            return f"amount {b['currency']} {b['amount']:.0f} within {AMOUNT_TOLERANCE:.0%}"
        return None
    ua, ub = a.get("amount_usd_stated"), b.get("amount_usd_stated")
    if a["currency"] == "USD":
        ua = a["amount"]
    if b["currency"] == "USD":
        ub = b["amount"]
    if ua and ub and abs(ua - ub) <= AMOUNT_TOLERANCE * max(ua, ub):
        return f"stated USD {ub:.0f} within {AMOUNT_TOLERANCE:.0%}"
    return None


def _greedy(rows: list[dict], window: int, use_amounts: bool) -> list[tuple[list[dict], list[str]]]:
    """Clusters of one key group: [(members, join reasons)].

    In date order, a mention joins the first cluster (in order of creation) that already has a
    mention of its article or whose first mention is at most `window` days earlier, and (with
    amounts) whose every amount agrees with its own; else it starts a cluster. Clusters start in
    date order, so those in the window are a suffix of the list, found by bisection, and those
    with the article are indexed: a mention looks only at these candidates, not at every
    cluster of its group (which made the step quadratic in the corpus).
    """
    clusters: list[tuple[list[dict], list[str]]] = []
    anchors: list[dt.date] = []  # the first mention's date of each cluster: non-decreasing
    articles: list[set[str]] = []  # the articles of each cluster
    by_article: dict[str, list[int]] = {}  # article -> its clusters' indexes, ascending
    for row in sorted(
        rows, key=lambda r: (r["_date"], r["article_id"], r.get("sentence_index", 0))
    ):
        article = row["article_id"]
        in_window = bisect.bisect_left(anchors, row["_date"] - dt.timedelta(days=window))
        candidates = heapq.merge(by_article.get(article, []), range(in_window, len(clusters)))
        for i in dict.fromkeys(candidates):  # ascending, each once
            members, reasons = clusters[i]
            amount_reason = "no amount"
            if use_amounts:
                amount_reason = None
                for m in members:
                    amount_reason = _amounts_agree(m, row)
                    if amount_reason is None:
                        break
                if amount_reason is None:
                    continue
            if article in articles[i]:
                reason = "same article repeat; " + amount_reason
            else:
                days = (row["_date"] - anchors[i]).days
                reason = f"dates {days} days apart (window {window}); " + amount_reason
                articles[i].add(article)
                bisect.insort(by_article.setdefault(article, []), i)
            members.append(row)
            reasons.append(reason)
            break
        else:
            clusters.append(([row], ["first mention"]))
            anchors.append(row["_date"])
            articles.append({article})
            by_article.setdefault(article, []).append(len(clusters) - 1)
    return clusters


def cluster_pledges(mentions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pledge mentions (PLEDGE_MENTION_SCHEMA) -> (pledges, pledge_members)."""
    if mentions.is_empty():
        return pl.DataFrame(schema=PLEDGE_SCHEMA), pl.DataFrame(schema=PLEDGE_MEMBER_SCHEMA)
    rows = mentions.to_dicts()
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        r["_donor"] = _key(r["donor_kind"], r["donor_iso3"], r["donor_name"])
        r["_recipient"] = _key(r["recipient_kind"], r["recipient_iso3"], r["recipient_name"])
        r["_date"] = r["announced_date"] or r["published_date"] or dt.date(1970, 1, 1)
        groups.setdefault((r["_donor"], r["_recipient"], r["stage"]), []).append(r)
    pledges, members_out = [], []
    for (donor, recipient, stage), group in sorted(groups.items()):
        for members, reasons in _greedy(group, DATE_WINDOW_DAYS, use_amounts=True):
            with_amount = next((m for m in members if m["amount"] is not None), None)
            usd = next((m["amount_usd_stated"] for m in members if m["amount_usd_stated"]), None)
            types = [m["aid_type"] for m in members if m["aid_type"] != "unspecified"]
            aid_type = min(types, key=_AID_SPECIFICITY.index) if types else "unspecified"
            first = members[0]
            pledge_id = stable_id("pledge", donor, recipient, stage, first["pledge_mention_id"])
            articles = {m["article_id"] for m in members}
            joined = sorted(set(reasons[1:]))
            reason = (
                f"{len(members)} mentions in {len(articles)} articles: same donor ({donor}), "
                f"recipient ({recipient}) and stage ({stage}); " + " | ".join(joined)
                if len(members) > 1
                else "single mention"
            )
            pledges.append(
                {
                    "pledge_id": pledge_id,
                    "donor_key": donor,
                    "donor_name": first["donor_name"],
                    "donor_iso3": first["donor_iso3"],
                    "recipient_key": recipient,
                    "recipient_name": first["recipient_name"],
                    "recipient_iso3": first["recipient_iso3"],
                    "amount": with_amount["amount"] if with_amount else None,
                    "currency": with_amount["currency"] if with_amount else None,
                    "amount_usd_stated": usd,
                    "aid_type": aid_type,
                    "stage": stage,
                    "announced_date": first["_date"],
                    "date_precision": first["date_precision"],
                    "n_mentions": len(members),
                    "n_articles": len(articles),
                    "cluster_reason": reason,
                    "confidence": max(m["confidence"] for m in members),
                }
            )
            for m, why in zip(members, reasons, strict=True):
                members_out.append(
                    {
                        "pledge_id": pledge_id,
                        "pledge_mention_id": m["pledge_mention_id"],
                        "article_id": m["article_id"],
                        "join_reason": why,
                    }
                )
    return (
        pl.DataFrame(pledges, schema=PLEDGE_SCHEMA),
        pl.DataFrame(members_out, schema=PLEDGE_MEMBER_SCHEMA),
    )


def cluster_events(mentions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Event mentions (EVENT_MENTION_SCHEMA) -> (events, event_members)."""
    if mentions.is_empty():
        return pl.DataFrame(schema=EVENT_SCHEMA), pl.DataFrame(schema=EVENT_MEMBER_SCHEMA)
    rows = mentions.to_dicts()
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        r["_actor"] = _key(r["actor_kind"], r["actor_iso3"], r["actor_name"])
        r["_recipient"] = (
            _key(r["recipient_kind"], r["recipient_iso3"], r["recipient_name"])
            if r["recipient_name"]
            else "-"
        )
        r["_date"] = r["event_date"] or r["published_date"] or dt.date(1970, 1, 1)
        groups.setdefault((r["event_type"], r["_actor"], r["_recipient"], r["mode"]), []).append(r)
    events, members_out = [], []
    for (etype, actor, recipient, mode), group in sorted(groups.items()):
        for members, reasons in _greedy(group, EVENT_WINDOW_DAYS, use_amounts=False):
            first = members[0]
            event_id = stable_id("event", etype, actor, recipient, mode, first["event_mention_id"])
            articles = {m["article_id"] for m in members}
            joined = sorted(set(reasons[1:]))
            reason = (
                f"{len(members)} mentions in {len(articles)} articles: same type ({etype}), "
                f"actor ({actor}), recipient ({recipient}) and mode ({mode}); " + " | ".join(joined)
                if len(members) > 1
                else "single mention"
            )
            place = next((m["place_text"] for m in members if m["place_text"]), None)
            events.append(
                {
                    "event_id": event_id,
                    "event_type": etype,
                    "mode": mode,
                    "actor_key": actor,
                    "actor_name": first["actor_name"],
                    "actor_iso3": first["actor_iso3"],
                    "recipient_key": None if recipient == "-" else recipient,
                    "recipient_name": first["recipient_name"],
                    "recipient_iso3": first["recipient_iso3"],
                    "event_date": first["_date"],
                    "date_precision": first["date_precision"],
                    "place_text": place,
                    "n_mentions": len(members),
                    "n_articles": len(articles),
                    "cluster_reason": reason,
                    "confidence": max(m["confidence"] for m in members),
                }
            )
            for m, why in zip(members, reasons, strict=True):
                members_out.append(
                    {
                        "event_id": event_id,
                        "event_mention_id": m["event_mention_id"],
                        "article_id": m["article_id"],
                        "join_reason": why,
                    }
                )
    return (
        pl.DataFrame(events, schema=EVENT_SCHEMA),
        pl.DataFrame(members_out, schema=EVENT_MEMBER_SCHEMA),
    )
