"""The run report: one self-contained HTML page (inline SVG and CSS, no script, no network).

`write_report(analytics.duckdb, report.html)` reads the published warehouse read-only and draws:
actor mentions over time, aid pledged by donor and stage (USD, each package once), the actor
interaction matrix and claims by stance. Every figure is followed by the articles behind each of
its marks (links to an appendix of articles with anchors: date, title, source path). A figure
whose tables are not in the warehouse says so instead of failing; a figure whose query fails
shows the error (and is listed in `Report.errors`) so that a broken contract is visible, not
hidden.

Every string that comes from an article (titles, names, paths) goes through `html.escape`.
Where an article's url is known (dim_articles.url: its header or its folder's SOURCES.csv), the
article's title in the appendix and a "source" link beside it in every figure's list of articles
link to it; only absolute http(s) urls are ever made links (`web_link`).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

MAX_ARTICLES_PER_GROUP = 40
STAGE_COLORS = {
    "pledged": "#4e79a7",
    "allocated": "#59a14f",
    "delivered": "#2f7d32",
    "requested": "#f28e2b",
    "paused": "#bab0ac",
    "resumed": "#76b7b2",
    "denied": "#e15759",
}
STANCE_COLORS = {
    "assert": "#4e79a7",
    "deny": "#e15759",
    "accuse": "#b03a2e",
    "condemn": "#9c755f",
    "demand": "#f28e2b",
    "warn": "#edc948",
    "promise": "#59a14f",
    "neither-confirm-nor-deny": "#bab0ac",
    "other": "#79706e",
}
FALLBACK_COLORS = ["#af7aa1", "#ff9da7", "#76b7b2", "#9c755f", "#79706e"]


def esc(value: object) -> str:
    """Escape text for HTML element content and double-quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


_WEB_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)


def web_link(url: str | None) -> str | None:
    """The url when it is safe to put in an href (absolute http or https, no spaces or quotes),
    else None. The ingest keeps only such urls; a warehouse built otherwise is checked here."""
    if not url or len(url) > 2048 or not _WEB_URL.match(url):
        return None
    return url


@dataclass
class SourceGroup:
    """The articles behind one mark (or one row of marks) of a figure."""

    label: str
    anchor: str
    article_ids: list[str]
    detail: str = ""


@dataclass
class Figure:
    key: str
    title: str
    caption: str
    needs: tuple[str, ...]
    svg: str = ""
    missing: list[str] = field(default_factory=list)
    error: str | None = None
    empty_reason: str | None = None
    groups: list[SourceGroup] = field(default_factory=list)
    n_marks: int = 0


@dataclass
class Report:
    html: str
    figures: list[Figure]

    @property
    def errors(self) -> dict[str, str]:
        return {f.key: f.error for f in self.figures if f.error}

    @property
    def marks(self) -> dict[str, int]:
        return {f.key: f.n_marks for f in self.figures}


# --------------------------------------------------------------------------- SVG helpers


def _lerp_color(a: str, b: str, t: float) -> str:
    t = min(1.0, max(0.0, t))
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def heat(value: float, vmax: float) -> str:
    """Sequential blue; square-root scale so that a few big cells do not wash out the rest."""
    return _lerp_color("#deebf7", "#08306b", math.sqrt(value / vmax) if vmax > 0 else 0.0)


def usd(value: float) -> str:
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= div:
            return f"${value / div:,.1f}{unit}".replace(".0" + unit, unit)
    return f"${value:,.0f}"


def nice_max(vmax: float) -> float:
    """The smallest 1/2/2.5/5 x 10^k at or above vmax, so axis ticks land on round numbers."""
    if vmax <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(vmax))
    for m in (1, 2, 2.5, 5, 10):
        if m * base >= vmax:
            return m * base
    return 10 * base


def _text(x: float, y: float, s: str, cls: str = "", anchor: str = "start", extra: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{c}{extra}>{esc(s)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str, href: str = "") -> str:
    rect = (
        f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" '
        f'height="{h:.1f}" fill="{fill}"><title>{esc(tip)}</title></rect>'
    )
    return f'<a href="#{esc(href)}">{rect}</a>' if href else rect


def _svg(key: str, width: float, height: float, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" data-figure="{esc(key)}" role="img" '
        f'aria-label="{esc(label)}" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}">' + "".join(body) + "</svg>"
    )


def _truncate(s: str, n: int = 28) -> str:
    s = s or ""
    return s if len(s) <= n else s[: n - 1] + "…"


def legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out, cx = [], x
    for label, color in items:
        out.append(f'<rect x="{cx:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{color}"/>')
        out.append(_text(cx + 14, y, label, "legend"))
        cx += 22 + 7 * len(label)
    return out


# --------------------------------------------------------------------------- data access


def tables_in(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def _ids_by(rows: Sequence[tuple]) -> dict[object, list[str]]:
    """[(key, article_id), ...] ordered -> {key: [article_id, ...]} keeping order, no repeats."""
    out: dict[object, list[str]] = {}
    seen: set[tuple[object, str]] = set()  # a list scan per row was quadratic in the corpus
    for key, article_id in rows:
        ids = out.setdefault(key, [])
        if (key, article_id) not in seen:
            seen.add((key, article_id))
            ids.append(article_id)
    return out


def _slug(*parts: object) -> str:
    raw = "-".join(str(p) for p in parts)
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raw)


# --------------------------------------------------------------------------- figures


def period_unit(first: dt.date, last: dt.date) -> str:
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= 36:
        return "month"
    return "quarter" if months <= 120 else "year"


def _period_label(d: dt.date, unit: str) -> str:
    if unit == "month":
        return f"{d:%Y-%m}"
    if unit == "quarter":
        return f"{d.year} Q{(d.month - 1) // 3 + 1}"
    return str(d.year)


def _period_range(first: dt.date, last: dt.date, unit: str) -> list[dt.date]:
    step = {"month": 1, "quarter": 3, "year": 12}[unit]
    out, cur = [], first
    while cur <= last:
        out.append(cur)
        m = cur.month - 1 + step
        cur = dt.date(cur.year + m // 12, m % 12 + 1, 1)
    return out


def fig_actor_mentions(con: duckdb.DuckDBPyConnection, fig: Figure, top: int = 12) -> None:
    span = con.execute(
        "select min(published_date), max(published_date) from dim_articles"
    ).fetchone()
    if span[0] is None:
        fig.empty_reason = "no articles in this warehouse"
        return
    unit = period_unit(span[0], span[1])
    rows = con.execute(
        """
        with top as (
            select actor_id, any_value(canonical_name) as name, sum(n_mentions) as total
            from mart_actor_mentions group by actor_id
            order by total desc, name limit $top
        )
        select t.actor_id, t.name, t.total,
               date_trunc($unit, m.published_date)::date as period,
               sum(m.n_mentions)::bigint as n
        from mart_actor_mentions m join top t using (actor_id)
        group by all order by t.total desc, t.name, period
        """,
        {"top": int(top), "unit": unit},
    ).fetchall()
    if not rows:
        fig.empty_reason = "no mentions resolved to actors"
        return
    actors: dict[str, tuple[str, int]] = {}
    cells: dict[tuple[str, dt.date], int] = {}
    for actor_id, name, total, period, n in rows:
        actors[actor_id] = (name, total)
        cells[(actor_id, period)] = n
    first = dt.date.fromisoformat(
        str(
            con.execute(
                "select date_trunc(?, min(published_date))::date from dim_articles", [unit]
            ).fetchone()[0]
        )
    )
    periods = _period_range(first, span[1], unit)
    vmax = max(cells.values())
    label_w, top_h, cell_h = 190, 70, 22
    cell_w = max(9.0, min(40.0, 700 / len(periods)))
    width = label_w + cell_w * len(periods) + 70
    height = top_h + cell_h * len(actors) + 30
    body: list[str] = []
    every = max(1, math.ceil(len(periods) / 24))
    for j, p in enumerate(periods):
        if j % every == 0:
            x = label_w + j * cell_w + cell_w / 2
            body.append(
                f'<text x="{x:.1f}" y="{top_h - 6}" transform="rotate(-55 {x:.1f} {top_h - 6})" '
                f'class="tick">{esc(_period_label(p, unit))}</text>'
            )
    for i, (actor_id, (name, total)) in enumerate(actors.items()):
        y = top_h + i * cell_h
        anchor = _slug("mentions", actor_id)
        body.append(
            f'<a href="#{esc(anchor)}">'
            + _text(label_w - 8, y + 15, _truncate(name), "label", "end")
            + "</a>"
        )
        body.append(_text(width - 64, y + 15, f"{total:,}", "value"))
        for j, p in enumerate(periods):
            n = cells.get((actor_id, p))
            x = label_w + j * cell_w
            if n:
                tip = f"{name}, {_period_label(p, unit)}: {n} mentions"
                body.append(
                    _rect(x + 0.5, y + 1, cell_w - 1, cell_h - 2, heat(n, vmax), tip, anchor)
                )
                fig.n_marks += 1
            else:
                body.append(
                    f'<rect x="{x + 0.5:.1f}" y="{y + 1}" width="{cell_w - 1:.1f}" '
                    f'height="{cell_h - 2}" fill="#f6f6f6"/>'
                )
    body.append(_text(width - 64, top_h - 6, "total", "tick"))
    fig.caption = (
        f"Mentions per {unit} of the {len(actors)} most-mentioned actors (mart_actor_mentions); "
        f"darker = more mentions (max {vmax} in one cell). Click a row for its articles."
    )
    fig.svg = _svg(fig.key, width, height, body, fig.title)
    ids = list(actors)
    links = con.execute(
        """
        select m.actor_id, m.article_id from fct_entity_mentions m
        join dim_articles a using (article_id)
        where list_contains(?::varchar[], m.actor_id)
        group by all order by min(a.published_date), m.article_id
        """,
        [ids],
    ).fetchall()
    by_actor = _ids_by(links)
    for actor_id, (name, total) in actors.items():
        fig.groups.append(
            SourceGroup(
                name,
                _slug("mentions", actor_id),
                by_actor.get(actor_id, []),
                f"{total:,} mentions",
            )
        )


# A bar chart switches to a log axis when its largest bar is this many times its smallest: on a
# linear axis one large donor leaves every other bar a sliver.
LOG_SCALE_RATIO = 50.0


def _stacked_bars(
    fig: Figure,
    rows: Sequence[tuple[str, str, float]],
    colors: dict[str, str],
    fmt: Callable[[float], str],
    anchor_of: Callable[[str], str],
    what: str,
) -> bool:
    """Horizontal bars per category (first column), stacked by series (second column). On a
    log axis (when the largest total is LOG_SCALE_RATIO times the smallest) a bar's length is
    its total's logarithm and its segments split that length by their shares of the total.
    Returns whether the axis is logarithmic."""
    totals: dict[str, float] = {}
    for cat, _, v in rows:
        totals[cat] = totals.get(cat, 0.0) + v
    positive = [t for t in totals.values() if t > 0]
    log = bool(positive) and max(positive) >= LOG_SCALE_RATIO * min(positive)
    if log:
        lo = 10 ** math.floor(math.log10(min(positive)))
        hi = 10 ** math.ceil(math.log10(max(positive)))

        def length(v: float) -> float:
            return math.log10(max(v, lo) / lo) / math.log10(hi / lo)

    else:
        vmax = nice_max(max(totals.values()))

        def length(v: float) -> float:
            return v / vmax

    cats = sorted(totals, key=lambda c: (-totals[c], c))
    series = sorted(
        {s for _, s, _ in rows}, key=lambda s: (list(colors).index(s) if s in colors else 99, s)
    )
    palette = {
        s: colors.get(s, FALLBACK_COLORS[i % len(FALLBACK_COLORS)]) for i, s in enumerate(series)
    }
    label_w, bar_w, bar_h, top_h = 190, 520, 20, 34
    width, height = label_w + bar_w + 90, top_h + bar_h * len(cats) + 30
    body = legend([(s, palette[s]) for s in series], label_w, 16)
    ticks = (
        [lo * 10**k for k in range(round(math.log10(hi / lo)) + 1)]
        if log
        else [vmax * k / 4 for k in range(5)]
    )
    for t in ticks:
        x = label_w + bar_w * length(t)
        body.append(
            f'<line x1="{x:.1f}" y1="{top_h - 4}" x2="{x:.1f}" y2="{height - 26}" class="grid"/>'
        )
        body.append(_text(x, height - 10, fmt(t), "tick", "middle"))
    values = {(c, s): v for c, s, v in rows}
    for i, cat in enumerate(cats):
        y = top_h + i * bar_h
        anchor = anchor_of(cat)
        body.append(
            f'<a href="#{esc(anchor)}">'
            + _text(label_w - 8, y + 14, _truncate(cat), "label", "end")
            + "</a>"
        )
        x = label_w
        bar = bar_w * length(totals[cat])
        for s in series:
            v = values.get((cat, s), 0.0)
            if v <= 0:
                continue
            w = bar * v / totals[cat]
            body.append(
                _rect(x, y + 2, w, bar_h - 4, palette[s], f"{cat}, {s}: {fmt(v)} {what}", anchor)
            )
            fig.n_marks += 1
            x += w
        body.append(_text(x + 6, y + 14, fmt(totals[cat]), "value"))
    fig.svg = _svg(fig.key, width, height, body, fig.title)
    return log


def _drawn_pledges(con: duckdb.DuckDBPyConnection) -> str:
    """Create the temp view `report_pledges` of the pledges a bar adds up, and say which.

    Each package once, at its latest known stage (is_latest_stage: an allocation or delivery
    replaces its announcement, never adds to it), and no running totals (is_cumulative). A
    warehouse built before issue 17 lacks these columns: every pledge is drawn, as then."""
    cols = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_name = 'fct_aid_pledges'"
        ).fetchall()
    }
    if {"is_latest_stage", "is_cumulative"} <= cols:
        con.execute(
            "create or replace temp view report_pledges as select * from fct_aid_pledges "
            "where is_latest_stage and not is_cumulative"
        )
        return (
            "each package once, at its latest known stage (a delivery replaces its "
            "announcement, never adds to it); running totals such as 'has provided more than "
            "$2 billion since 2022' are not drawn"
        )
    con.execute("create or replace temp view report_pledges as select * from fct_aid_pledges")
    return "each pledge counted once however many articles report it"


def fig_aid_pledges(con: duckdb.DuckDBPyConnection, fig: Figure, tables: set[str]) -> None:
    how = _drawn_pledges(con)
    rows = con.execute(
        """
        select coalesce(donor_name, donor_iso3, 'unknown donor') as donor,
               coalesce(stage, 'unspecified') as stage,
               sum(amount_usd)::double as usd
        from report_pledges where amount_usd > 0
        group by all
        """
    ).fetchall()
    n_all, n_no_usd = con.execute(
        "select count(*), count(*) filter (where amount_usd is null or amount_usd <= 0) "
        "from fct_aid_pledges"
    ).fetchone()
    if not rows:
        fig.empty_reason = f"{n_all} pledges, none with an amount in USD"
        return
    log = _stacked_bars(fig, rows, STAGE_COLORS, usd, lambda d: _slug("pledges", d), "")
    scale = (
        "log axis, one donor dwarfs the rest: a bar's length is its total's logarithm, its "
        "segments split it by each stage's share; "
        if log
        else ""
    )
    fig.caption = (
        f"Sum of amount_usd per donor, stacked by stage ({scale}fct_aid_pledges: {n_all} pledges; "
        f"{how}; {n_no_usd} without a USD amount are not drawn). Click a donor for its articles."
    )
    links: dict[object, list[str]] = {}
    if "fct_aid_pledge_mentions" in tables:
        links = _ids_by(
            con.execute(
                """
                select coalesce(p.donor_name, p.donor_iso3, 'unknown donor'), m.article_id
                from report_pledges p join fct_aid_pledge_mentions m using (pledge_id)
                join dim_articles a using (article_id)
                where p.amount_usd > 0
                group by all order by min(a.published_date), m.article_id
                """
            ).fetchall()
        )
    detail = dict(
        con.execute(
            """
            select coalesce(donor_name, donor_iso3, 'unknown donor'),
                   string_agg(distinct coalesce(recipient_name, recipient_iso3, '?') || ' (' ||
                              coalesce(aid_type, 'unspecified') || ')', ', ')
            from report_pledges where amount_usd > 0 group by 1
            """
        ).fetchall()
    )
    totals: dict[str, float] = {}
    for d, _, v in rows:
        totals[d] = totals.get(d, 0.0) + v
    for donor in sorted(totals, key=lambda d: (-totals[d], d)):
        fig.groups.append(
            SourceGroup(
                donor,
                _slug("pledges", donor),
                links.get(donor, []),
                f"{usd(totals[donor])} to {detail.get(donor, '?')}",
            )
        )


def fig_interactions(
    con: duckdb.DuckDBPyConnection, fig: Figure, tables: set[str], top: int = 12
) -> None:
    rows = con.execute(
        """
        select i.actor_id, coalesce(a.canonical_name, i.actor_id),
               i.recipient_actor_id, coalesce(r.canonical_name, i.recipient_actor_id),
               sum(i.n_events)::bigint as n,
               string_agg(distinct i.event_type, ', ' order by i.event_type) as types
        from mart_actor_interactions i
        left join dim_actors a on a.actor_id = i.actor_id
        left join dim_actors r on r.actor_id = i.recipient_actor_id
        where i.actor_id is not null and i.recipient_actor_id is not null
        group by all
        """
    ).fetchall()
    if not rows:
        fig.empty_reason = "no events with both an actor and a recipient"
        return
    out_w: dict[str, int] = {}
    in_w: dict[str, int] = {}
    names: dict[str, str] = {}
    for a, an, r, rn, n, _ in rows:
        out_w[a] = out_w.get(a, 0) + n
        in_w[r] = in_w.get(r, 0) + n
        names[a], names[r] = an, rn
    actors = sorted(out_w, key=lambda k: (-out_w[k], names[k]))[:top]
    recipients = sorted(in_w, key=lambda k: (-in_w[k], names[k]))[:top]
    cells = {(a, r): (n, t) for a, _, r, _, n, t in rows if a in actors and r in recipients}
    # rows and columns without a cell among the kept ones say nothing: drop them
    actors = [a for a in actors if any(k[0] == a for k in cells)]
    recipients = [r for r in recipients if any(k[1] == r for k in cells)]
    if not cells:
        fig.empty_reason = "no interactions among the most active actors"
        return
    vmax = max(n for n, _ in cells.values())
    label_w, top_h, cell = 190, 130, 26
    width = label_w + cell * len(recipients) + 110
    height = top_h + cell * len(actors) + 20
    body = [_text(label_w - 8, top_h - 8, "actor ↓  recipient →", "tick", "end")]
    for j, r in enumerate(recipients):
        x = label_w + j * cell + cell / 2
        body.append(
            f'<text x="{x:.1f}" y="{top_h - 6}" transform="rotate(-55 {x:.1f} {top_h - 6})" '
            f'class="label">{esc(_truncate(names[r], 22))}</text>'
        )
    for i, a in enumerate(actors):
        y = top_h + i * cell
        body.append(_text(label_w - 8, y + 17, _truncate(names[a]), "label", "end"))
        for j, r in enumerate(recipients):
            x = label_w + j * cell
            if (a, r) in cells:
                n, types = cells[(a, r)]
                tip = f"{names[a]} → {names[r]}: {n} event(s) ({types})"
                body.append(
                    _rect(
                        x + 1, y + 1, cell - 2, cell - 2, heat(n, vmax), tip, _slug("inter", a, r)
                    )
                )
                color = "#ffffff" if n / vmax > 0.35 else "#222222"
                body.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + 17}" text-anchor="middle" '
                    f'class="cell" style="fill:{color}">{n}</text>'
                )
                fig.n_marks += 1
            else:
                body.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                    'fill="#f6f6f6"/>'
                )
    fig.svg = _svg(fig.key, width, height, body, fig.title)
    fig.caption = (
        f"Events from actor (row, the {len(actors)} most active) to recipient (column, the "
        f"{len(recipients)} most frequent) "
        "(mart_actor_interactions, all months); darker = more events. "
        "Click a cell for its articles."
    )
    links: dict[object, list[str]] = {}
    if {"fct_events", "fct_event_mentions"} <= tables:
        links = _ids_by(
            con.execute(
                """
                select e.actor_id || '|' || e.recipient_actor_id, m.article_id
                from fct_events e join fct_event_mentions m using (event_id)
                join dim_articles d using (article_id)
                group by all order by min(d.published_date), m.article_id
                """
            ).fetchall()
        )
    for (a, r), (n, types) in sorted(cells.items(), key=lambda kv: -kv[1][0]):
        fig.groups.append(
            SourceGroup(
                f"{names[a]} → {names[r]}",
                _slug("inter", a, r),
                links.get(f"{a}|{r}", []),
                f"{n} event{'s' if n != 1 else ''}: {types}",
            )
        )


def fig_claims(con: duckdb.DuckDBPyConnection, fig: Figure) -> None:
    rows = con.execute(
        """
        select coalesce(stance, 'other') as stance,
               coalesce(speaker_type, 'unknown') as speaker_type,
               count(*)::double as n
        from fct_claims group by all
        """
    ).fetchall()
    if not rows:
        fig.empty_reason = "no claims in fct_claims"
        return
    order = list(STANCE_COLORS)
    type_colors = dict(
        zip(
            ["person", "organization", "government", "country", "group", "unnamed", "unknown"],
            ["#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#bab0ac", "#79706e"],
            strict=True,
        )
    )
    _stacked_bars(
        fig,
        sorted(rows, key=lambda r: (order.index(r[0]) if r[0] in order else 99, r[1])),
        type_colors,
        lambda v: f"{v:,.0f}" if v == int(v) else f"{v:.2g}",
        lambda s: _slug("claims", s),
        "claims",
    )
    n_claims, n_articles = con.execute(
        "select count(*), count(distinct article_id) from fct_claims"
    ).fetchone()
    fig.caption = (
        f"Claims per stance, stacked by speaker type (fct_claims: {n_claims} claims in "
        f"{n_articles} articles). Click a stance for its articles and top speakers."
    )
    links = _ids_by(
        con.execute(
            """
            select coalesce(c.stance, 'other'), c.article_id from fct_claims c
            join dim_articles a using (article_id)
            group by all order by min(a.published_date), c.article_id
            """
        ).fetchall()
    )
    speakers = dict(
        con.execute(
            """
            select stance, string_agg(name || ' (' || n || ')', ', ' order by n desc, name)
            from (
                select coalesce(stance, 'other') as stance,
                       coalesce(speaker_name, speaker_text, '?') as name, count(*) as n,
                       row_number() over (partition by coalesce(stance, 'other')
                                          order by count(*) desc, name) as rk
                from fct_claims group by 1, 2
            ) where rk <= 5 group by stance
            """
        ).fetchall()
    )
    totals: dict[str, float] = {}
    for s, _, n in rows:
        totals[s] = totals.get(s, 0) + n
    for stance in sorted(totals, key=lambda s: (-totals[s], s)):
        fig.groups.append(
            SourceGroup(
                stance,
                _slug("claims", stance),
                links.get(stance, []),
                f"{totals[stance]:,.0f} claims; top speakers: {speakers.get(stance, '?')}",
            )
        )


def fig_place_map(con: duckdb.DuckDBPyConnection, fig: Figure) -> None:
    """Places the articles mention, on a plain equirectangular projection (longitude -> x,
    latitude -> y; no tiles, no shapes: the file stays self-contained and offline): one circle
    per place with coordinates in dim_places, its area proportional to its mentions."""
    rows = con.execute(
        """
        select p.place_id, p.name, p.latitude::double, p.longitude::double,
               count(*) as n, count(distinct m.article_id) as n_articles
        from fct_place_mentions m join dim_places p using (place_id)
        where p.latitude is not null and p.longitude is not null
        group by all order by n desc, p.name
        """
    ).fetchall()
    n_mentions, n_placed = con.execute(
        "select count(*), count(place_id) from fct_place_mentions"
    ).fetchone()
    if not rows:
        fig.empty_reason = f"{n_mentions} place mentions, none of a place with coordinates"
        return
    width, height, pad = 760, 400, 20
    map_w, map_h = width - 2 * pad, height - 2 * pad

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return pad + (lon + 180) / 360 * map_w, pad + (90 - lat) / 180 * map_h

    body = [f'<rect x="{pad}" y="{pad}" width="{map_w}" height="{map_h}" fill="#f3f6fa"/>']
    for lon in range(-180, 181, 30):
        x, _ = xy(0, lon)
        body.append(f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{pad + map_h}" class="grid"/>')
    for lat in range(-90, 91, 30):
        _, y = xy(lat, 0)
        body.append(f'<line x1="{pad}" y1="{y:.1f}" x2="{pad + map_w}" y2="{y:.1f}" class="grid"/>')
        body.append(_text(pad + 2, y - 2, f"{lat}°", "tick"))
    vmax = max(r[4] for r in rows)
    for i, (place_id, name, lat, lon, n, n_articles) in enumerate(rows):
        x, y = xy(lat, lon)
        r = 2.5 + 12 * math.sqrt(n / vmax)
        tip = f"{name}: {n} mention(s) in {n_articles} article(s)"
        circle = (
            f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#c0392b" '
            f'fill-opacity="0.5" stroke="#7b241c"><title>{esc(tip)}</title></circle>'
        )
        body.append(f'<a href="#{esc(_slug("map", place_id))}">{circle}</a>')
        if i < 10:
            body.append(_text(x + r + 2, y + 4, _truncate(name, 20), "label"))
        fig.n_marks += 1
    fig.svg = _svg(fig.key, width, height, body, fig.title)
    drawn = sum(r[4] for r in rows)
    fig.caption = (
        f"Places mentioned (fct_place_mentions joined to dim_places: {n_placed} of {n_mentions} "
        f"mentions resolved to a place, {drawn} of them to one with coordinates); circle area = "
        "mentions; plain longitude/latitude grid, 30° apart. Click a place for its articles."
    )
    links = _ids_by(
        con.execute(
            """
            select m.place_id, m.article_id
            from fct_place_mentions m join dim_articles d using (article_id)
            where m.place_id is not null
            group by all order by min(d.published_date), m.article_id
            """
        ).fetchall()
    )
    for place_id, name, _, _, n, n_articles in rows:
        fig.groups.append(
            SourceGroup(
                name,
                _slug("map", place_id),
                links.get(place_id, []),
                f"{n} mention(s) in {n_articles} article(s)",
            )
        )


FIGURES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "actor-mentions",
        "Actor mentions over time",
        ("mart_actor_mentions", "fct_entity_mentions", "dim_articles"),
    ),
    ("aid-pledges", "Aid pledged by donor and stage (USD)", ("fct_aid_pledges", "dim_articles")),
    (
        "actor-interactions",
        "Actor interactions (who did what to whom)",
        ("mart_actor_interactions", "dim_actors", "dim_articles"),
    ),
    ("claims-by-stance", "Claims by stance", ("fct_claims", "dim_articles")),
    (
        "place-map",
        "Places mentioned, on a map",
        ("fct_place_mentions", "dim_places", "dim_articles"),
    ),
]


def build_figures(con: duckdb.DuckDBPyConnection) -> list[Figure]:
    tables = tables_in(con)
    figures = []
    for key, title, needs in FIGURES:
        fig = Figure(key, title, "", needs)
        fig.missing = [t for t in needs if t not in tables]
        if not fig.missing:
            try:
                if key == "actor-mentions":
                    fig_actor_mentions(con, fig)
                elif key == "aid-pledges":
                    fig_aid_pledges(con, fig, tables)
                elif key == "actor-interactions":
                    fig_interactions(con, fig, tables)
                elif key == "place-map":
                    fig_place_map(con, fig)
                else:
                    fig_claims(con, fig)
            except duckdb.Error as err:  # a contract drift: shown in the report, not fatal
                fig.svg, fig.groups, fig.n_marks = "", [], 0
                fig.error = f"{type(err).__name__}: {err}"
        figures.append(fig)
    return figures


# --------------------------------------------------------------------------- HTML

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;
background:#fafafa}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 6px}
section.figure,section.panel{background:#fff;border:1px solid #e3e3e3;border-radius:6px;
padding:16px;margin:18px 0}
.meta{color:#666}.caption{color:#444;margin:4px 0 10px}
.missing{color:#8a6d3b;background:#fcf8e3;padding:8px;border-radius:4px}
.error{color:#a94442;background:#f2dede;padding:8px;border-radius:4px}
svg{max-width:100%;height:auto;display:block}
svg text{font:11px system-ui,sans-serif;fill:#333}svg .label{font-size:12px}
svg .tick{fill:#777}svg .value{fill:#555}svg .cell{font-size:10px}
svg .grid{stroke:#e6e6e6}svg a text{fill:#1f4e8c}svg rect.mark:hover{opacity:.75}
details{margin-top:10px}summary{cursor:pointer;color:#1f4e8c}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eee;vertical-align:top}
.groups td:first-child{white-space:nowrap;font-weight:600}
.ids a{margin-right:6px;white-space:nowrap}
tr:target{background:#fff3bf}code{font-size:12px}
.kpis{display:flex;gap:12px;flex-wrap:wrap}.kpi{background:#f3f6fa;border-radius:4px;
padding:8px 12px}.kpi b{display:block;font-size:18px}
"""


def _web_anchor(url: str | None, text: str = "source ↗") -> str:
    """A link to the article on the web, or "" when its url is unknown or not a web url."""
    url = web_link(url)
    if url is None:
        return ""
    return (
        f'<a class="web" href="{esc(url)}" rel="noopener noreferrer" '
        f'title="the article on the web: {esc(url)}">{esc(text)}</a>'
    )


def _figure_html(
    fig: Figure, titles: dict[str, tuple[str, str]], urls: dict[str, str | None] | None = None
) -> str:
    urls = urls or {}
    out = [f'<section class="figure" id="fig-{esc(fig.key)}"><h2>{esc(fig.title)}</h2>']
    if fig.missing:
        names = ", ".join(fig.missing)
        out.append(
            f'<p class="missing">No {esc(names)} in this warehouse: this figure needs '
            f"{esc(', '.join(fig.needs))}.</p>"
        )
    elif fig.error:
        out.append(f'<p class="error">Could not draw this figure: {esc(fig.error)}</p>')
    elif fig.empty_reason:
        out.append(f'<p class="missing">Nothing to draw: {esc(fig.empty_reason)}.</p>')
    else:
        out.append(f'<p class="caption">{esc(fig.caption)}</p>')
        out.append(fig.svg)
        out.append(
            f"<details open><summary>Articles behind this figure ({len(fig.groups)} groups)"
            '</summary><table class="groups"><tr><th>mark</th><th>what</th><th>articles</th></tr>'
        )
        for g in fig.groups:
            shown = g.article_ids[:MAX_ARTICLES_PER_GROUP]
            links = " ".join(
                f'<a href="#article-{esc(a)}" title="{esc(titles.get(a, ("", ""))[1])}">'
                f"{esc(titles.get(a, ('', ''))[0] or a)}</a>"
                + (f" ({_web_anchor(urls.get(a), '↗')})" if web_link(urls.get(a)) else "")
                for a in shown
            )
            more = len(g.article_ids) - len(shown)
            if more > 0:
                links += f" … and {more} more"
            if not g.article_ids:
                links = "<em>no article links in this warehouse</em>"
            out.append(
                f'<tr id="{esc(g.anchor)}"><td>{esc(g.label)}</td><td>{esc(g.detail)}</td>'
                f'<td class="ids">{links}</td></tr>'
            )
        out.append("</table></details>")
    out.append("</section>")
    return "".join(out)


# The cited articles for the appendix, with their url (null in a warehouse built before issue 18).
CITED_ARTICLES_SQL = """
    select article_id, published_date, title, source_path, url from dim_articles
    where article_id in (select unnest(string_split(?, ',')))
    order by published_date, article_id
"""
CITED_ARTICLES_NO_URL_SQL = CITED_ARTICLES_SQL.replace(", url from", ", null::varchar from")


def assemble_page(con: duckdb.DuckDBPyConnection, db_path: Path, figures: list[Figure]) -> str:
    tables = tables_in(con)
    cited = sorted({a for f in figures for g in f.groups for a in g.article_ids})
    articles: list[tuple] = []
    if cited:
        # a warehouse published before dim_articles had a url column has no links
        has_url = "url" in {r[0] for r in con.execute("describe dim_articles").fetchall()}
        articles = con.execute(
            CITED_ARTICLES_SQL if has_url else CITED_ARTICLES_NO_URL_SQL,
            # one string, not a Python list: duckdb converts a list parameter element by element,
            # trying `import pandas` for each (about 0.3 ms per cited article). Ids are hex.
            [",".join(cited)],
        ).fetchall()
    titles = {a: (f"{d:%Y-%m-%d}", t or "") for a, d, t, _, _ in articles}
    urls = {a: u for a, _, _, _, u in articles}
    cited_by: dict[str, list[str]] = {}
    for f in figures:
        for g in f.groups:
            for a in g.article_ids:
                refs = cited_by.setdefault(a, [])
                if f.key not in refs:
                    refs.append(f.key)
    n_articles = con.execute("select count(*) from dim_articles").fetchone()[0]
    n_rejected = (
        con.execute("select count(*) from rejected_files").fetchone()[0]
        if "rejected_files" in tables
        else 0
    )
    last_run = None
    if "pipeline_runs" in tables:
        last_run = con.execute("select max(published_at) from pipeline_runs").fetchone()[0]
    now = dt.datetime.now(dt.UTC)
    kpis = [
        ("articles", n_articles),
        ("files set aside", n_rejected),
        ("tables", len(tables)),
        ("figures drawn", sum(1 for f in figures if f.n_marks)),
    ]
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>newsledger report</title><style>",
        CSS,
        "</style></head><body><main>",
        "<h1>newsledger report</h1>",
        f'<p class="meta">Warehouse <code>{esc(db_path)}</code>; last published '
        f"{esc(f'{last_run:%Y-%m-%d %H:%M:%S %Z}' if last_run else 'unknown')}; "
        f"report written {now:%Y-%m-%d %H:%M:%S} UTC.</p>",
        '<div class="kpis">'
        + "".join(f'<div class="kpi"><b>{v:,}</b>{esc(k)}</div>' for k, v in kpis)
        + "</div>",
        '<p class="meta">Figures: '
        + " · ".join(f'<a href="#fig-{esc(f.key)}">{esc(f.title)}</a>' for f in figures)
        + ' · <a href="#articles">Articles</a></p>',
    ]
    parts += [_figure_html(f, titles, urls) for f in figures]
    if n_rejected:
        rows = con.execute(
            "select source_path, reason from rejected_files order by source_path limit 200"
        ).fetchall()
        parts.append(
            '<section class="panel" id="rejected"><h2>Files set aside</h2><table>'
            "<tr><th>file</th><th>reason and what to do</th></tr>"
            + "".join(f"<tr><td><code>{esc(p)}</code></td><td>{esc(r)}</td></tr>" for p, r in rows)
            + "</table></section>"
        )
    parts.append(
        f'<section class="panel" id="articles"><h2>Articles ({len(articles)} cited by the '
        "figures)</h2><table><tr><th>date</th><th>title (linked to the article on the web where "
        "its url is known)</th><th>source file</th><th>article id</th><th>in figures</th></tr>"
    )
    for article_id, published, title, source_path, url in articles:
        refs = " ".join(f'<a href="#fig-{esc(k)}">{esc(k)}</a>' for k in cited_by[article_id])
        shown_title = _web_anchor(url, title or url or "") or esc(title)
        parts.append(
            f'<tr id="article-{esc(article_id)}"><td>{published:%Y-%m-%d}</td>'
            f"<td>{shown_title}</td><td><code>{esc(source_path)}</code></td>"
            f"<td><code>{esc(article_id)}</code></td><td>{refs}</td></tr>"
        )
    parts.append("</table></section></main></body></html>")
    return "\n".join(parts)


def build_report(db_path: Path) -> Report:
    with duckdb.connect(str(db_path), read_only=True) as con:
        figures = build_figures(con)
        page = assemble_page(con, Path(db_path), figures)
    return Report(page, figures)


def write_report(db_path: Path, out_path: Path) -> Report:
    """Build the report from the published warehouse and atomically replace out_path."""
    report = build_report(db_path)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(report.html, encoding="utf-8")
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return report
