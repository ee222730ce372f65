"""Date resolution: relative time expressions of held-out text, and an in-sample seed table.

Held out: `gold/train test (N st.)`, the `test` split of ../shared/data/gold/train/dates.jsonl
(no rule was written or tuned on it; the `train` split is printed too). Each gold expression is
located in its story (its sentence, then date_text inside that sentence); the DATE entities of the
parsed story overlapping that position are resolved with their clause's tense
(transforms.extract.dates.resolve_entity, what the extractors use). Detection recall: gold
expressions with a resolution that we resolve to something; start, start+end and precision
accuracy: over the same gold expressions (one we miss counts as wrong), our end being the last day
of the period we give (a week is Monday to Sunday). Expressions gold leaves unresolved (vague
ones) are only counted in the error table, when we resolve them.

In-sample (`seed table 55 (in-sample)`): each row is a DATE span spaCy found in a seed story,
with the story's publication date and the date the expression means, written by hand from the
sentence around it (quoted in `context`), not from the resolver's output; the resolver was
tuned on these. Weeks resolve to their Monday, months and years to their first day. A row is
right when transforms.extract.dates.resolve gives that date and precision.
Rows marked `future` refer forward in time ("rules Wednesday", "until Feb. 4"). Two figures:
the expression alone (bare weekdays and months read as past, the common case in news), and in
context: the DATE span is found in its parsed story sentence and resolved with the tense of its
clause (transforms.extract.dates.resolve_entity), which is what the extractors use.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from evaluation.common import ErrorTable, Row

TRAIN_LABEL = "train split (in-sample)"  # the date rules are written from its errors

# (story, published, expression, expected date, precision, future?, context)
TABLE = [
    (
        "seed-000",
        "2024-11-04",
        "Monday",
        "2024-11-04",
        "day",
        False,
        "Putin greeting Choe on Monday",
    ),
    (
        "seed-000",
        "2024-11-04",
        "August",
        "2024-08-01",
        "month",
        False,
        "a sudden incursion in August",
    ),
    (
        "seed-000",
        "2024-11-04",
        "last Tuesday",
        "2024-10-29",
        "day",
        False,
        "arrived in Vladivostok last Tuesday",
    ),
    (
        "seed-000",
        "2024-11-04",
        "Last Friday",
        "2024-11-01",
        "day",
        False,
        "Last Friday, Choe told Lavrov",
    ),
    (
        "seed-000",
        "2024-11-04",
        "last week",
        "2024-10-28",
        "week",
        False,
        "The Kremlin had said last week",
    ),
    (
        "6180015",
        "2019-11-25",
        "Wednesday",
        "2019-11-20",
        "day",
        False,
        "told reporters at a briefing Wednesday",
    ),
    (
        "6180015",
        "2019-11-25",
        "January",
        "2020-01-01",
        "month",
        True,
        "Putin is due to meet Erdogan in Turkey in January",
    ),
    (
        "6180790",
        "2019-12-09",
        "Friday",
        "2019-12-13",
        "day",
        True,
        "a new report ... set for release Friday (Dec. 13)",
    ),
    (
        "6180790",
        "2019-12-09",
        "Dec. 13",
        "2019-12-13",
        "day",
        True,
        "set for release Friday (Dec. 13)",
    ),
    ("6180790", "2019-12-09", "last year", "2018-01-01", "year", False, "last year"),
    (
        "6181235",
        "2019-12-18",
        "Dec. 7",
        "2019-12-07",
        "day",
        False,
        "a test North Korea said it carried out on Dec. 7",
    ),
    (
        "6181235",
        "2019-12-18",
        "Monday",
        "2019-12-16",
        "day",
        False,
        "a spokesperson told VOA's Korean Service on Monday",
    ),
    (
        "6181235",
        "2019-12-18",
        "Friday",
        "2019-12-13",
        "day",
        False,
        "North Korea said it conducted a crucial test on Friday",
    ),
    (
        "6181504",
        "2019-12-23",
        "April",
        "2019-04-01",
        "month",
        False,
        "In April he called on the Communist leadership",
    ),
    (
        "6181504",
        "2019-12-23",
        "Dec. 12",
        "2019-12-12",
        "day",
        False,
        "On Dec. 12, the Southeast Asian nation submitted",
    ),
    ("6181504", "2019-12-23", "last year", "2018-01-01", "year", False, "froze ... last year"),
    ("6181504", "2019-12-23", "next year", "2020-01-01", "year", True, "next year"),
    ("6183074", "2020-01-23", "Jan. 14", "2020-01-14", "day", False, "Jan. 14"),
    (
        "6183074",
        "2020-01-23",
        "Feb. 4",
        "2020-02-04",
        "day",
        True,
        "They have until Feb. 4 to appeal",
    ),
    (
        "6184244",
        "2020-02-14",
        "next month",
        "2020-03-01",
        "month",
        True,
        "a U.N. report to be released next month",
    ),
    (
        "6184244",
        "2020-02-14",
        "October",
        "2019-10-01",
        "month",
        False,
        "working-level talks in Stockholm in October broke down",
    ),
    ("6184244", "2020-02-14", "August 2018", "2018-08-01", "month", False, "August 2018"),
    ("6184244", "2020-02-14", "Tuesday", "2020-02-11", "day", False, "Tuesday"),
    (
        "6203896",
        "2021-03-29",
        "Wednesday",
        "2021-03-31",
        "day",
        True,
        "the International Criminal Court ... rules Wednesday",
    ),
    (
        "6204681",
        "2021-04-16",
        "late April",
        "2021-04-21",  # days 21-end (the gold README's early/mid/late convention, session 23)
        "month",
        False,
        "expected to visit India ... in late April",
    ),
    (
        "6204681",
        "2021-04-16",
        "June",
        "2021-06-01",
        "month",
        True,
        "an in-person Quad Summit ... G-7 Summit in U.K. in June",
    ),
    ("6204681", "2021-04-16", "Last November", "2020-11-01", "month", False, "Last November"),
    ("6204681", "2021-04-16", "last December", "2020-12-01", "month", False, "last December"),
    ("6204681", "2021-04-16", "March 29", "2021-03-29", "day", False, "March 29"),
    (
        "8007271",
        "2025-03-11",
        "Wednesday",
        "2025-03-12",
        "day",
        True,
        "This week ... another in Paris Wednesday",
    ),
    (
        "8007271",
        "2025-03-11",
        "this week",
        "2025-03-10",
        "week",
        False,
        "holding high-level talks this week",
    ),
    (
        "8009719",
        "2025-03-13",
        "early Sunday",
        "2025-03-09",
        "day",
        False,
        "The storm made landfall ... early Sunday",
    ),
    ("8009719", "2025-03-13", "Monday", "2025-03-10", "day", False, "Monday"),
    (
        "8010842",
        "2025-03-14",
        "this weekend",
        "2025-03-15",  # a weekend is its Saturday (the train gold's convention, session 24)
        "week",
        True,
        "officials would convene this weekend",
    ),
    (
        "8010842",
        "2025-03-14",
        "Wednesday",
        "2025-03-12",
        "day",
        False,
        "Zelenskyy wrote Wednesday in a post",
    ),
    ("8011076", "2025-03-14", "Tuesday", "2025-03-11", "day", False, "Tuesday's train hijacking"),
    ("8011076", "2025-03-14", "this year", "2025-01-01", "year", False, "this year"),
    (
        "6205362",
        "2021-05-03",
        "Thursday 30",
        "2021-04-29",
        "day",
        False,
        "on Thursday 30 passengers ... tested positive (NER joined the count)",
    ),
    (
        "6205629",
        "2021-05-09",
        "September 11",
        "2021-09-11",
        "day",
        True,
        "all U.S. troops would be out by September 11",
    ),
    ("6205629", "2021-05-09", "last September", "2020-09-01", "month", False, "last September"),
    ("6205629", "2021-05-09", "last month", "2021-04-01", "month", False, "announcing last month"),
    ("6205629", "2021-05-09", "this week", "2021-05-03", "week", False, "this week"),
    ("6205629", "2021-05-09", "May 1", "2021-05-01", "day", False, "May 1"),
    ("7677701", "2024-06-28", "Last week", "2024-06-17", "week", False, "Last week"),
    ("7677701", "2024-06-28", "February 2022", "2022-02-01", "month", False, "February 2022"),
    (
        "7677701",
        "2024-06-28",
        "September",
        "2023-09-01",
        "month",
        False,
        "held a summit in Russia in September",
    ),
    (
        "7677701",
        "2024-06-28",
        "April",
        "2024-04-01",
        "month",
        False,
        "shut down the monitoring panel in April",
    ),
    ("7677701", "2024-06-28", "Friday", "2024-06-28", "day", False, "at Friday's meeting"),
    ("6203525", "2021-03-19", "February 1", "2021-02-01", "day", False, "since February 1"),
    ("6202623", "2021-02-27", "yesterday", "2021-02-26", "day", False, "escape ... yesterday"),
    (
        "6202623",
        "2021-02-27",
        "Feb. 7",
        "2021-02-07",
        "day",
        False,
        "the attempt to overthrow President Moise on Feb. 7",
    ),
    (
        "6202623",
        "2021-02-27",
        "July 2020",
        "2020-07-01",
        "month",
        False,
        "Most recently in July 2020",
    ),
    ("6204569", "2021-04-14", "late Tuesday", "2021-04-13", "day", False, "late Tuesday"),
    # late: from the 21st (the gold README's early/mid/late convention, session 23)
    ("7808748", "2024-10-03", "late September", "2024-09-21", "month", False, "late September"),
    ("7808748", "2024-10-03", "early September", "2024-09-01", "month", False, "early September"),
]


def _find_entities() -> dict[int, object]:
    """Row index -> the DATE span of its story whose sentence shares most words with the context."""
    import re

    from evaluation.common import parse_stories

    docs = parse_stories(sorted({row[0] for row in TABLE}))
    found = {}
    for i, (story, _, text, *_rest, context) in enumerate(TABLE):
        if story not in docs:
            continue
        doc, _ = docs[story]
        words = set(re.findall(r"\w+", context.lower()))
        best, best_overlap = None, -1
        for ent in doc.ents:
            if ent.label_ == "DATE" and ent.text == text:
                overlap = len(words & set(re.findall(r"\w+", ent.sent.text.lower())))
                if overlap > best_overlap:
                    best, best_overlap = ent, overlap
        if best is not None:
            found[i] = best
    return found


def score(in_context: bool = False) -> tuple[int, int, int, int, list[tuple]]:
    """(right, right among future rows, future rows, rows, misses).

    in_context: resolve the DATE span found in the story with the tense of its clause
    (dates.resolve_entity, what the extractors use); else the expression alone.
    """
    from transforms.extract.dates import resolve, resolve_entity

    entities = _find_entities() if in_context else {}
    ok = ok_future = n_future = 0
    misses = []
    for i, (story, published, text, expected, precision, future, _) in enumerate(TABLE):
        day = dt.date.fromisoformat(published)
        if in_context and i in entities:
            hit = resolve_entity(entities[i], day)
        else:
            hit = resolve(text, day)
        right = hit is not None and hit.date.isoformat() == expected and hit.precision == precision
        ok += right
        if future:
            n_future += 1
            ok_future += right
        if not right:
            misses.append((story, text, expected, hit))
    return ok, ok_future, n_future, len(TABLE), misses


def locate(text: str, records: list[dict]) -> list[tuple[int, int] | None]:
    """(start, end) characters of each gold expression of one story: its sentence found in the
    text, then date_text inside the sentence; the n-th record with the same sentence and
    date_text takes the n-th occurrence. None when either is not found."""
    seen: Counter = Counter()
    out: list[tuple[int, int] | None] = []
    for r in records:
        sentence, expr = r["sentence"], r["date_text"]
        base = text.find(sentence)
        nth = seen[(sentence, expr)]
        seen[(sentence, expr)] += 1
        at = -1
        for _ in range(nth + 1):
            at = sentence.find(expr, at + 1)
            if at < 0:
                break
        if base < 0 or at < 0:
            out.append(None)
        else:
            out.append((base + at, base + at + len(expr)))
    return out


def overlapping(spans: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indices of the spans overlapping [start, end), most overlapping first (then by order)."""
    hits = []
    for i, (a, b) in enumerate(spans):
        overlap = min(b, end) - max(a, start)
        if overlap > 0:
            hits.append((-overlap, i))
    return [i for _, i in sorted(hits)]


def error_kind(gold: dict, pred, published: dt.date) -> str | None:
    """The kind of a resolution error (pred: a ResolvedDate), None when start, end and
    precision are right."""
    start = dt.date.fromisoformat(gold["resolved_start"])
    end = dt.date.fromisoformat(gold["resolved_end"])
    precision = gold["precision"]
    if pred.precision != precision:
        return f"precision gold={precision} pred={pred.precision}"
    if pred.date != start:
        if start > published and pred.date <= published:
            return "future read as past"
        if start <= published and pred.date > published:
            return "past read as future"
        if pred.date.year != start.year:
            return f"wrong year ({precision})"
        if precision == "month" and start.day != 1:
            return "month part (early/mid/late)"
        if precision == "day" and (pred.date - start).days % 7 == 0:
            return "day: a week off"
        return f"wrong start ({precision})"
    if pred.last_day != end:
        return f"wrong end ({precision})"
    return None


def corpus_outcomes(split: str) -> list[tuple[dict, str | None, object, str]]:
    """Per gold expression of a split: (record, miss kind or None, ResolvedDate or None, what
    we matched). Miss kinds: "missed: not located", "missed: no DATE or TIME entity", "missed:
    DATE not resolved" (or TIME: a TIME span only)."""
    from evaluation.corpus import parsed, records
    from transforms.extract.dates import DATE_LABELS, resolve_entity

    by_story: dict[str, list[dict]] = {}
    for r in records("dates", split):
        by_story.setdefault(r["story_id"], []).append(r)
    out = []
    for story, doc, _ in parsed(split):
        golds = by_story.get(story.id, [])
        if not golds:
            continue
        # the spans the extractors resolve (DATE and TIME, transforms.extract.dates.DATE_LABELS)
        dates = [e for e in doc.ents if e.label_ in DATE_LABELS]
        date_spans = [(e.start_char, e.end_char) for e in dates]
        for r, where in zip(golds, locate(doc.text, golds), strict=True):
            if where is None:
                out.append((r, "missed: not located", None, ""))
                continue
            ents = [dates[i] for i in overlapping(date_spans, *where)]
            if not ents:
                out.append((r, "missed: no DATE or TIME entity", None, ""))
                continue
            hit = None
            for ent in ents:
                hit = resolve_entity(ent, story.published)
                if hit is not None:
                    out.append((r, None, hit, ent.text))
                    break
            if hit is None:
                label = "DATE" if any(e.label_ == "DATE" for e in ents) else "TIME"
                out.append((r, f"missed: {label} not resolved", None, ents[0].text))
    return out


def split_report(split: str, dataset: str, with_errors: bool) -> list[Row | ErrorTable]:
    from evaluation.corpus import short_id
    from evaluation.pledges import RatioRow

    outcomes = corpus_outcomes(split)
    resolvable = [o for o in outcomes if o[0]["resolved_start"]]
    n = len(resolvable)
    detected = ok_start = ok_span = ok_precision = 0
    counts: Counter = Counter()
    examples: dict[str, str] = {}
    for r, miss, hit, ent_text in outcomes:
        published = dt.date.fromisoformat(r["published_date"])
        where = f"{short_id(r['story_id'])} '{r['date_text']}' ({r['published_date']})"
        if not r["resolved_start"]:
            if hit is not None:
                kind = "resolved, gold vague (null)"
                counts[kind] += 1
                examples.setdefault(kind, f"{where}: pred {hit.date} {hit.precision}")
            continue
        gold_says = f"gold {r['resolved_start']} {r['precision']}"
        if miss:
            counts[miss] += 1
            said = f"DATE '{ent_text}'" if ent_text else f"«{' '.join(r['sentence'].split())[:50]}»"
            examples.setdefault(miss, f"{where}: {said}")
            continue
        detected += 1
        start = dt.date.fromisoformat(r["resolved_start"])
        end = dt.date.fromisoformat(r["resolved_end"])
        ok_start += hit.date == start
        ok_span += hit.date == start and hit.last_day == end
        ok_precision += hit.precision == r["precision"]
        kind = error_kind(r, hit, published)
        if kind:
            counts[kind] += 1
            examples.setdefault(
                kind, f"{where}: {gold_says}, pred {hit.date} {hit.precision} ('{ent_text}')"
            )

    def acc(ok: int) -> float | None:
        return ok / n if n else None

    def where_detected(ok: int) -> str:
        return f"{ok}/{n}; {ok}/{detected} of those we resolve"

    out: list[Row | ErrorTable] = [
        RatioRow(
            "dates",
            dataset,
            "detection recall",
            r_hits=detected,
            r_total=n,
            note=f"{detected}/{n} gold expressions with a resolution resolved to something",
        ),
        Row("dates", dataset, "start accuracy", value=acc(ok_start), note=where_detected(ok_start)),
        Row(
            "dates",
            dataset,
            "start+end accuracy",
            value=acc(ok_span),
            note=where_detected(ok_span),
        ),
        Row(
            "dates",
            dataset,
            "precision accuracy",
            value=acc(ok_precision),
            note=where_detected(ok_precision),
        ),
    ]
    if with_errors:
        out.append(ErrorTable("dates", dataset, "resolution", dict(counts), examples))
    return out


def report() -> list[Row | ErrorTable]:
    from evaluation import corpus

    rows: list[Row | ErrorTable] = []
    for in_context, label in ((True, "in context (tense)"), (False, "expression alone")):
        ok, ok_future, n_future, n, _ = score(in_context)
        n_past = n - n_future
        data = f"seed table {n} (in-sample)"
        rows += [
            Row("dates", data, f"accuracy {label}", value=ok / n, note=f"{ok}/{n}"),
            Row(
                "dates",
                data,
                "  past references",
                value=(ok - ok_future) / n_past,
                note=f"{ok - ok_future}/{n_past}",
            ),
            Row(
                "dates",
                data,
                "  future references",
                value=ok_future / n_future,
                note=f"{ok_future}/{n_future}",
            ),
        ]
    tables = []
    for split in ("test", "train"):
        ids = corpus.story_ids(split, labelled_for="dates")
        if not ids:
            continue
        dataset = f"gold/train test ({len(ids)} st.)" if split == "test" else TRAIN_LABEL
        for item in split_report(split, dataset, with_errors=split == "test"):
            (tables if isinstance(item, ErrorTable) else rows).append(item)
    return rows + tables
