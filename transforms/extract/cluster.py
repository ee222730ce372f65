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
A running total ("has provided more than $2 billion since 2022": `is_cumulative`, from
pledge_totals.py) is never one pledge with a new package: the flag is part of the group key.

Packages (`link_packages`): the stages of one package are separate pledges (the key holds the
stage) linked by `package_id` and `supersedes_pledge_id`. A pledge of a later stage (pledged ->
allocated -> delivered) supersedes an earlier-stage pledge of the same donor and recipient when
- neither is a running total and both state an amount, the amounts agreeing as above (same
  currency within 5%, or the same stated USD within 5%),
- the aid types agree (equal, or one of them unspecified), and
- the later stage is dated on or after the earlier one, at most PACKAGE_WINDOW_DAYS (180) later
  (a date of week, month or year precision stands for its whole period: "delivered the $800
  million announced last month" is dated the 1st of that month, so it may start before the
  earlier stage's day by up to the period's length, DATE_SLACK_DAYS).
Among several candidates it takes the latest stage, then the closest date; each pledge is
superseded at most once, so a package is a chain. `package_id` is the chain's first pledge;
`is_latest_stage` marks the last one, whose amount is the package's in totals across stages.
Events: the same, keyed on (event_type, actor, recipient, mode) with a 3-day window and no
amount. Every member mention is kept (pledge_members / event_members).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq

import polars as pl

from transforms.extract.base import stable_id
from transforms.extract.parties import normalize_name

AMOUNT_TOLERANCE = 0.05
DATE_WINDOW_DAYS = 14
EVENT_WINDOW_DAYS = 3
PACKAGE_WINDOW_DAYS = 180
# The stages one package goes through, in order; other stages (requested, paused, resumed,
# denied) are not steps of a package and stay packages of their own.
PACKAGE_STAGES = {"pledged": 0, "allocated": 1, "delivered": 2}
DATE_SLACK_DAYS = {"day": 0, "week": 6, "month": 30, "year": 365}

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
    "amount_high": pl.Float64,
    "aid_type": pl.String,
    "stage": pl.String,
    "announced_date": pl.Date,
    "announced_date_end": pl.Date,
    "date_precision": pl.String,
    "n_mentions": pl.Int32,
    "n_articles": pl.Int32,
    "cluster_reason": pl.String,
    "confidence": pl.Float64,
    "is_cumulative": pl.Boolean,
    "package_id": pl.String,
    "supersedes_pledge_id": pl.String,
    "is_latest_stage": pl.Boolean,
    "package_reason": pl.String,
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
    "event_date_end": pl.Date,
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
        if use_amounts:
            candidates = heapq.merge(by_article.get(article, []), range(in_window, len(clusters)))
        else:  # every candidate accepts the mention: only the first (lowest index) matters
            own = by_article.get(article)
            first = min(own[0], in_window) if own else in_window
            candidates = [first] if first < len(clusters) else []
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
        cumulative = bool(r.get("is_cumulative"))
        groups.setdefault((r["_donor"], r["_recipient"], r["stage"], cumulative), []).append(r)
    pledges, members_out = [], []
    for (donor, recipient, stage, cumulative), group in sorted(groups.items()):
        for members, reasons in _greedy(group, DATE_WINDOW_DAYS, use_amounts=True):
            with_amount = next((m for m in members if m["amount"] is not None), None)
            usd = next((m["amount_usd_stated"] for m in members if m["amount_usd_stated"]), None)
            types = [m["aid_type"] for m in members if m["aid_type"] != "unspecified"]
            aid_type = min(types, key=_AID_SPECIFICITY.index) if types else "unspecified"
            first = members[0]
            pledge_id = stable_id("pledge", donor, recipient, stage, first["pledge_mention_id"])
            articles = {m["article_id"] for m in members}
            joined = sorted(set(reasons[1:]))
            total = ", both running totals" if cumulative else ""
            reason = (
                f"{len(members)} mentions in {len(articles)} articles: same donor ({donor}), "
                f"recipient ({recipient}) and stage ({stage}){total}; " + " | ".join(joined)
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
                    "amount_high": with_amount.get("amount_high") if with_amount else None,
                    "aid_type": aid_type,
                    "stage": stage,
                    "announced_date": first["_date"],
                    "announced_date_end": first["announced_date_end"] or first["_date"],
                    "date_precision": first["date_precision"],
                    "n_mentions": len(members),
                    "n_articles": len(articles),
                    "cluster_reason": reason,
                    "confidence": max(m["confidence"] for m in members),
                    "is_cumulative": cumulative,
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
    link_packages(pledges)
    return (
        pl.DataFrame(pledges, schema=PLEDGE_SCHEMA),
        pl.DataFrame(members_out, schema=PLEDGE_MEMBER_SCHEMA),
    )


def _types_agree(a: str | None, b: str | None) -> bool:
    return a == b or "unspecified" in (a, b) or None in (a, b)


def link_packages(pledges: list[dict]) -> list[dict]:
    """Fill package_id, supersedes_pledge_id, is_latest_stage and package_reason of pledge
    dicts (cluster_pledges' rows, with donor_key, recipient_key, announced_date), in place.
    The rule is the module docstring's."""
    for p in pledges:
        p.update(
            package_id=p["pledge_id"],
            supersedes_pledge_id=None,
            is_latest_stage=True,
            package_reason="first stage known",
        )
    steps: dict[tuple, list[dict]] = {}
    for p in pledges:
        if p["stage"] in PACKAGE_STAGES and p["amount"] is not None and not p["is_cumulative"]:
            steps.setdefault((p["donor_key"], p["recipient_key"]), []).append(p)
    for group in steps.values():
        # by stage, then date: every candidate earlier stage is linked before a later one looks
        group.sort(key=lambda p: (PACKAGE_STAGES[p["stage"]], p["announced_date"], p["pledge_id"]))
        for later in group:
            rank = PACKAGE_STAGES[later["stage"]]
            best, best_key, why = None, None, ""
            for earlier in group:
                days = (later["announced_date"] - earlier["announced_date"]).days
                slack = DATE_SLACK_DAYS.get(later["date_precision"] or "day", 0)
                if (
                    PACKAGE_STAGES[earlier["stage"]] >= rank
                    or not earlier["is_latest_stage"]  # already superseded
                    or not -slack <= days <= PACKAGE_WINDOW_DAYS
                    or not _types_agree(earlier["aid_type"], later["aid_type"])
                ):
                    continue
                agree = _amounts_agree(earlier, later)
                if agree is None:
                    continue
                key = (PACKAGE_STAGES[earlier["stage"]], -abs(days))
                if best_key is None or key > best_key:
                    best, best_key = earlier, key
                    why = f"{agree}; {days} days later (window {PACKAGE_WINDOW_DAYS})"
            if best is None:
                continue
            best["is_latest_stage"] = False
            later.update(
                package_id=best["package_id"],
                supersedes_pledge_id=best["pledge_id"],
                package_reason=(
                    f"{later['stage']} stage of the {best['stage']} pledge {best['pledge_id']}: "
                    f"same donor ({later['donor_key']}) and recipient ({later['recipient_key']}), "
                    + why
                ),
            )
    return pledges


def cluster_events(mentions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Event mentions (EVENT_MENTION_SCHEMA) -> (events, event_members).

    Key groups in key order, each group's mentions in input order. One group's rows are Python
    dicts at a time, and a member is kept as its row's position (its ids are gathered from the
    frame at the end): the whole input as dicts, and a dict per member, held ~2 GB at 100,000
    articles (session 22, benchmarks/warehouse_scale.py)."""
    if mentions.is_empty():
        return pl.DataFrame(schema=EVENT_SCHEMA), pl.DataFrame(schema=EVENT_MEMBER_SCHEMA)
    # Only the columns clustering reads (a third of the mention table), with the group keys
    # (_with_group), or the keys the caller has already computed (cluster_events_incremental).
    if {"_actor", "_recipient"} <= set(mentions.columns):
        frame = mentions.select([*EVENT_INPUT_COLUMNS, "_actor", "_recipient"])
    else:
        frame = event_cluster_input(mentions)
    frame = frame.sort(_GROUP, maintain_order=True).with_row_index("_pos")
    sizes = frame.group_by(pl.struct(_GROUP).rle_id(), maintain_order=True).len()["len"]
    events: list[dict] = []
    member_pos: list[int] = []
    member_event: list[str] = []
    member_reason: list[str] = []
    reasons_seen: dict[str, str] = {}  # one string per distinct join reason
    offset = 0
    for size in sizes:
        group = frame.slice(offset, size).to_dicts()
        offset += size
        first_row = group[0]
        etype, actor = first_row["event_type"], first_row["_actor"]
        recipient, mode = first_row["_recipient"], first_row["mode"]
        for r in group:
            r["_date"] = r["event_date"] or r["published_date"] or dt.date(1970, 1, 1)
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
                    "event_date_end": first["event_date_end"] or first["_date"],
                    "date_precision": first["date_precision"],
                    "place_text": place,
                    "n_mentions": len(members),
                    "n_articles": len(articles),
                    "cluster_reason": reason,
                    "confidence": max(m["confidence"] for m in members),
                }
            )
            for m, why in zip(members, reasons, strict=True):
                member_pos.append(m["_pos"])
                member_event.append(event_id)
                member_reason.append(reasons_seen.setdefault(why, why))
    rows = frame.select("event_mention_id", "article_id")[member_pos]
    members_out = pl.DataFrame(
        {
            "event_id": pl.Series(member_event, dtype=pl.String),
            "event_mention_id": rows["event_mention_id"],
            "article_id": rows["article_id"],
            "join_reason": pl.Series(member_reason, dtype=pl.String),
        },
        schema=EVENT_MEMBER_SCHEMA,
    )
    return pl.DataFrame(events, schema=EVENT_SCHEMA), members_out


# --- incremental event clustering ---------------------------------------------------------------
# A rerun adds the mentions of a few new articles; clustering is greedy within each key group
# (event_type, actor, recipient, mode) and groups never interact, so only the groups whose
# mentions changed can cluster differently. The clustering's input (the columns it reads) is
# kept beside its outputs; the next run compares the current input with it, clusters again only
# the groups with an added, removed or changed mention, and takes every other group's events and
# members from the previous outputs, in the order a clustering from scratch writes them.
EVENT_INPUT_COLUMNS = [
    "event_mention_id",
    "article_id",
    "sentence_index",
    "event_type",
    "mode",
    "actor_kind",
    "actor_iso3",
    "actor_name",
    "recipient_kind",
    "recipient_iso3",
    "recipient_name",
    "event_date",
    "event_date_end",
    "published_date",
    "date_precision",
    "place_text",
    "confidence",
]
_GROUP = ["event_type", "_actor", "_recipient", "mode"]


def _with_group(frame: pl.DataFrame) -> pl.DataFrame:
    """The clustering input with its group key columns (_actor, _recipient) as cluster_events
    computes them (a recipient without a name is "-")."""
    idx = frame.with_row_index("_i")
    actor = idx.select(["_i", "actor_kind", "actor_iso3", "actor_name"])
    recipient = idx.select(["_i", "recipient_kind", "recipient_iso3", "recipient_name"])
    a = actor.unique(["actor_kind", "actor_iso3", "actor_name"]).drop("_i")
    a = a.with_columns(pl.Series("_actor", [_key(*r) for r in a.iter_rows()], dtype=pl.String))
    r = recipient.unique(["recipient_kind", "recipient_iso3", "recipient_name"]).drop("_i")
    r = r.with_columns(
        pl.Series("_recipient", [_key(*x) if x[2] else "-" for x in r.iter_rows()], dtype=pl.String)
    )
    keys = (
        actor.join(a, on=["actor_kind", "actor_iso3", "actor_name"], how="left", nulls_equal=True)
        .select("_i", "_actor")
        .join(
            recipient.join(
                r,
                on=["recipient_kind", "recipient_iso3", "recipient_name"],
                how="left",
                nulls_equal=True,
            ).select("_i", "_recipient"),
            on="_i",
        )
        .sort("_i")
    )
    return frame.with_columns(keys["_actor"], keys["_recipient"])


def event_cluster_input(mentions: pl.DataFrame) -> pl.DataFrame:
    """What clustering reads of the mentions, with each row's group key: the state to keep."""
    return _with_group(mentions.select(EVENT_INPUT_COLUMNS))


def cluster_events_incremental(
    mentions: pl.DataFrame,
    previous_input: pl.DataFrame | None,
    previous_events: pl.DataFrame | None,
    previous_members: pl.DataFrame | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(events, event_members, this input): the same tables as `cluster_events(mentions)`.

    `previous_*` are the input (`event_cluster_input`) and outputs of the previous clustering;
    the caller passes them only when they belong together (None: cluster everything).
    """
    current = event_cluster_input(mentions)
    usable = (
        previous_input is not None
        and previous_events is not None
        and previous_members is not None
        and previous_input.schema == current.schema
        and dict(previous_events.schema) == EVENT_SCHEMA
        and dict(previous_members.schema) == EVENT_MEMBER_SCHEMA
        and current["event_mention_id"].is_unique().all()
        and previous_input["event_mention_id"].is_unique().all()
    )
    if not usable:
        return (*cluster_events(mentions), current)
    cols = list(current.columns)
    added = current.join(previous_input, on=cols, how="anti", nulls_equal=True)
    removed = previous_input.join(current, on=cols, how="anti", nulls_equal=True)
    touched = pl.concat([added.select(_GROUP), removed.select(_GROUP)]).unique()
    if touched.is_empty():
        return previous_events, previous_members, current
    redo = mentions.with_columns(current["_actor"], current["_recipient"]).join(
        touched, on=_GROUP, how="semi", nulls_equal=True, maintain_order="left"
    )
    new_events, new_members = cluster_events(redo)
    group_of = [
        "event_type",
        pl.col("actor_key").alias("_actor"),
        pl.col("recipient_key").fill_null("-").alias("_recipient"),
        "mode",
    ]
    kept = (
        previous_events.with_columns(group_of[1], group_of[2])
        .join(touched, on=_GROUP, how="anti", nulls_equal=True, maintain_order="left")
        .drop("_actor", "_recipient")
    )
    events = (
        pl.concat([kept, new_events])
        .with_columns(pl.col("recipient_key").fill_null("-").alias("_recipient"))
        .sort(["event_type", "actor_key", "_recipient", "mode"], maintain_order=True)
        .drop("_recipient")
    )
    kept_members = previous_members.join(
        kept.select("event_id"), on="event_id", how="semi", maintain_order="left"
    )
    position = events.select("event_id").with_row_index("_pos")
    members = (
        pl.concat([kept_members, new_members])
        .join(position, on="event_id", how="left", maintain_order="left")
        .sort("_pos", maintain_order=True)
        .drop("_pos")
    )
    return events, members, current
