"""Resolve the time expressions of news text against the article's publication date.

`resolve(text, published)` takes one time expression as spaCy's NER found it (a DATE span, never
raw text: dateparser's search over whole sentences reads "We" as a Wednesday) and returns the
raw text, the resolved date, its precision (day, week, month, year) and the method used.

Our own rules come first, because dateparser 1.5 has traps measured in STACK_NOTES:
- a bare weekday equal to the publication day ("Putin greeted Choe on Monday" in a Monday
  article) means that day in news; dateparser with PREFER_DATES_FROM='past' gives a week back;
- "last Monday" in a Monday article is a week back (the last one before today);
- other bare weekdays are the most recent past one (news reports what happened);
- "in August" is the month (precision month, first day), the most recent August not after
  publication; "Dec. 12" in a January article is the previous year (year boundary);
- "last week", "this month", "last year", "yesterday" are relative to the publication date;
  "the past month", "the last two weeks" are windows back from it;
- "early/mid/late" move a month to its day 1, 11 or 21 and a year to January, May or September;
- an expression read whole by none of these is read from its longest part they read ("three
  days last week"); TIME spans ("Wednesday night") are read by these rules only;
- a weekend is its Saturday (precision week); a month-day up to a month ahead stays in the
  publication year whatever the tense; "until" and scheduling words yield to a past verb;
- a period's last day (`ResolvedDate.last_day`, the gold's resolved_end) is its calendar
  period's unless the expression bounds it: a window back ends on the publication day ("the
  past month", "earlier this year"), "later this week" starts the day after it, "early / mid"
  end on day 10 / 20, a weekend on its Sunday, a decade after ten years.
`resolve_entity(ent, published)` reads a span in its Doc: an expression anchored on another
dated event ("the next day", "two days later", "that evening", "at 5 p.m.") counts from the last
day an earlier span named (the publication day before any), and a quote's "today" or "last
night" from that day when it lies in the week before publication (the day it was said).
Measured on the train split of ../shared/data/gold/train (484 resolvable expressions), the
rules written from its error list: start right 0.707 -> 0.787 (session 23) -> 0.864 (session
24), resolved at all 0.800 -> 0.880 -> 0.930.
dateparser (with RELATIVE_BASE, PREFER_DATES_FROM='past', PREFER_DAY_OF_MONTH='first') is the
fallback for full dates it parses reliably ("November 4, 2024", "2024-11-04").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass, replace

from transforms.extract import doc_cache
from transforms.extract.numbers import WORD_NUMBERS
from transforms.extract.quotes import doc_quotes

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_LEAD = (
    r"^(?:(?:on|in|into|since|by|until|from|during|over|very|early|late|mid|the|of|as\s+of)[\s-]+)*"
)
# A hedge before a count ("about two days later", "more than 150 years ago").
_HEDGE = (
    r"(?:(?:just|about|around|almost|nearly|roughly|some|only|more\s+than|less\s+than|over|under)"
    r"\s+)?"
)
# The part of a month or year an expression names (gold/train README: "early/mid/late <month>" =
# days 1-10 / 11-20 / 21-end, precision month). A year is read in thirds the same way: early,
# mid, late from January, May, September (the train split's "late last year": September 1).
_PART_RE = re.compile(
    r"\b(?P<part>early|mid|late)\b[\s-]+(?:(?:this|last|next)\s+)?(?:[a-z]|\d{4})"
)
PART_DAY = {"early": 1, "mid": 11, "late": 21}
PART_MONTH = {"early": 1, "mid": 5, "late": 9}
# where each part ends: day 10 / 20 / the month's last; April / August / December
PART_LAST_DAY = {"early": 10, "mid": 20, "late": None}
PART_LAST_MONTH = {"early": 4, "mid": 8, "late": 12}


@dataclass(frozen=True)
class ResolvedDate:
    raw: str
    date: dt.date  # the period's first day
    precision: str  # day, week, month, year
    method: str
    # The period's last day where the expression bounds it otherwise than the calendar period
    # its precision names (gold/train README: resolved_start..resolved_end): a window back ends
    # on the publication day ("the past month", "earlier this year"), "early February" on the
    # 10th, a weekend on its Sunday, "the next four years" the day before four years ahead.
    # None: the calendar period (`period_end`). Read it as `last_day`.
    end: dt.date | None = None

    @property
    def last_day(self) -> dt.date:
        return self.end if self.end is not None else period_end(self.date, self.precision)


def period_end(start: dt.date, precision: str) -> dt.date:
    """The last day of the calendar period a start and precision name: a week (from its Monday)
    runs 7 days, a month to its last day, a year to Dec. 31; a day is itself."""
    if precision == "week":
        return start + dt.timedelta(days=6)
    if precision == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == "year":
        return dt.date(start.year, 12, 31)
    return start


def _clean(text: str) -> str:
    text = text.replace("’", "'").strip().lower()
    text = re.sub(r"'s$", "", text)
    return re.sub(_LEAD, "", " ".join(text.split()))


def _month_num(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")[:3]]


AHEAD_DAYS = 31


def _past_month(month: int, published: dt.date, day: int = 1) -> dt.date:
    """The most recent (month, day) not after the publication date: handles year boundaries."""
    year = published.year
    try:
        candidate = dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, 1)
    # A date up to a month after publication is a scheduled event in the same year, whatever
    # the clause's tense ("talks on Nov. 8" in a Nov. 4 article, "ordered to appear on March
    # 27" in a March 13 one): news names a date about a year back with its year. Later ones
    # belong to the previous year.
    if candidate > published + dt.timedelta(days=AHEAD_DAYS):
        candidate = candidate.replace(year=year - 1)
    return candidate


def _weekday(word: str, modifier: str | None, published: dt.date) -> tuple[dt.date, str]:
    target = WEEKDAYS.index(word)
    delta = (published.weekday() - target) % 7
    if modifier == "next":
        ahead = (target - published.weekday()) % 7 or 7
        return published + dt.timedelta(days=ahead), "weekday_next"
    if modifier == "last":
        return published - dt.timedelta(days=delta or 7), "weekday_last"
    if modifier == "this":
        # "this Friday" in a Monday article is the coming one
        ahead = (target - published.weekday()) % 7
        return published + dt.timedelta(days=ahead), "weekday_this"
    if delta == 0:
        return published, "weekday_same_day"
    return published - dt.timedelta(days=delta), "weekday_past"


# "this / last / next" month or year: how many units from the publication's
STEP = {"this": 0, "last": -1, "next": 1}


def _monday(day: dt.date) -> dt.date:
    """The Monday of `day`'s week: where a period of precision week starts."""
    return day - dt.timedelta(days=day.weekday())


def _saturday(mod: str, published: dt.date) -> dt.date:
    """The Saturday of the weekend `mod` names: "this" (or "past") the latest one on or before
    the publication day, "last" the one before that when published on a weekend, "next" the
    first after the publication day's weekend, "next_one" the first on or after the day."""
    latest = published - dt.timedelta(days=(published.weekday() - 5) % 7)
    if mod == "next_one":
        return published + dt.timedelta(days=(5 - published.weekday()) % 7)
    if mod == "next":
        return latest + dt.timedelta(days=7)
    if mod == "last" and published.weekday() >= 5:
        return latest - dt.timedelta(days=7)
    return latest


def _future_month(month: int, published: dt.date, day: int = 1) -> dt.date:
    """The next (month, day) on or after the publication month (day)."""
    year = published.year
    candidate = dt.date(year, month, day)
    floor = published.replace(day=1) if day == 1 else published
    return candidate if candidate >= floor else candidate.replace(year=year + 1)


@functools.lru_cache(maxsize=50_000)
def resolve(
    text: str, published: dt.date, future: bool = False, rules_only: bool = False
) -> ResolvedDate | None:
    """Resolve one time expression; None when it names no calendar time we can place.
    (A pure function of its arguments, so cached: dateparser's fallback costs ~25 ms a call.)

    `future`: the clause speaks of what is to come ("will meet on Wednesday", "rules Wednesday",
    "until Feb. 4"), so a bare weekday, month or month-day is the next one, not the last one.
    `rules_only`: our rules, not dateparser (for TIME spans: "at 5:00 p.m." is no date).
    An expression our rules do not read whole is read from its longest part they do read
    ("three days last week", "Tuesday, January 21", "the end of the day Saturday"), before
    dateparser. Never raises: an impossible date ("August 0000", "Feb. 30") resolves to None.
    """
    try:
        t = _clean(text)
        if not t:
            return None
        hit = _rules(text, t, published, future) or _longest_part(text, t, published, future)
        if hit is None and not rules_only:
            hit = _dateparser_fallback(text, t, published)
        return hit
    except (ValueError, OverflowError, KeyError):
        return None


def _longest_part(raw: str, t: str, published: dt.date, future: bool) -> ResolvedDate | None:
    """The longest run of words of `t` (the leftmost of equal length) that our rules read, a
    bare year aside ("Wednesday, 1885" is a Wednesday)."""
    words = re.sub(r"[,;()]", " ", t).split()
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            part = _clean(" ".join(words[start : start + size]))
            hit = _rules(raw, part, published, future) if part else None
            if hit is not None and hit.method != "explicit_year":
                return replace(hit, method=f"part:{hit.method}")
    return None


def _with_part(hit: ResolvedDate, t: str) -> ResolvedDate:
    """A month or year resolution moved to the part its expression names ("late January")."""
    m = _PART_RE.search(t)
    if m is None or hit.precision not in ("month", "year") or hit.method == "decade":
        return hit
    part = m.group("part")
    if hit.precision == "month":
        last = PART_LAST_DAY[part]
        end = hit.date.replace(day=last) if last else period_end(hit.date, "month")
        return replace(hit, date=hit.date.replace(day=PART_DAY[part]), end=end)
    end = period_end(hit.date.replace(month=PART_LAST_MONTH[part]), "month")
    return replace(hit, date=hit.date.replace(month=PART_MONTH[part], day=1), end=end)


def _rules(raw: str, t: str, published: dt.date, future: bool) -> ResolvedDate | None:
    lowered = " ".join(raw.replace("’", "'").lower().split())
    hit = _rule_match(raw, t, published, future)
    return _with_part(hit, lowered) if hit is not None else None


def _rule_match(raw: str, t: str, published: dt.date, future: bool) -> ResolvedDate | None:
    m = re.fullmatch(
        r"(?:(?P<mod>last|this|next|past|this\s+past)\s+)?(?P<wd>" + "|".join(WEEKDAYS) + r")"
        r"(?:\s+(?:morning|afternoon|evening|night))?",
        t,
    )
    if m:
        mod = m.group("mod")
        mod = "last" if mod and mod.endswith("past") else mod
        if future and mod is None:
            mod = "this"
        date, method = _weekday(m.group("wd"), mod, published)
        return ResolvedDate(raw, date, "day", method + ("_future" if future else ""))
    simple = {
        "today": (0, "day"),
        "earlier today": (0, "day"),
        "later today": (0, "day"),
        "tonight": (0, "day"),
        "this morning": (0, "day"),
        "this afternoon": (0, "day"),
        "this evening": (0, "day"),
        "yesterday": (-1, "day"),
        "last night": (-1, "day"),
        "tomorrow": (1, "day"),
        "this week": (0, "week"),
        "last week": (-7, "week"),
        "past week": (-7, "week"),
        "the past week": (-7, "week"),
        "next week": (7, "week"),
        "earlier this week": (0, "week"),
        "later this week": (0, "week"),
    }
    # "the weekend", "this weekend", "last weekend": its Saturday, precision week (the gold's
    # convention); the one just past unless the clause looks forward
    m = re.fullmatch(r"(?:(?P<mod>this|last|next|past|this\s+past)\s+)?weekend", t)
    if m:
        mod = m.group("mod") or "this"
        mod = "next_one" if future and mod == "this" else mod
        saturday = _saturday(mod, published)
        return ResolvedDate(raw, saturday, "week", "weekend", saturday + dt.timedelta(days=1))
    t = re.sub(r"^(yesterday|tomorrow)\s+(?:morning|afternoon|evening|night)$", r"\1", t)
    if t in simple:
        days, precision = simple[t]
        date = published + dt.timedelta(days=days)
        if precision == "week":
            date = _monday(date)
        return _so_far(ResolvedDate(raw, date, precision, "relative_" + precision), t, published)
    m = re.fullmatch(r"(?:(?:earlier|later)\s+)?(?P<mod>this|last|next)\s+(?P<unit>month|year)", t)
    if m:
        mod, unit = m.group("mod"), m.group("unit")
        step = STEP[mod]
        if unit == "month":
            month_index = published.year * 12 + published.month - 1 + step
            date = dt.date(month_index // 12, month_index % 12 + 1, 1)
            hit = ResolvedDate(raw, date, "month", "relative_month")
        else:
            hit = ResolvedDate(raw, dt.date(published.year + step, 1, 1), "year", "relative_year")
        return _so_far(hit, t, published)
    # "Dec. 12", "December 12, 2024", "12 December", "Nov. 4"
    m = re.fullmatch(_MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?", t)
    if not m:
        m = re.fullmatch(
            r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
            + _MONTH_RE
            + r"(?:,?\s+(?P<year>\d{4}))?",
            t,
        )
    if m:
        month, day = _month_num(m.group("month")), int(m.group("day"))
        # an impossible day ("Feb. 30") raises: the expression resolves to nothing, not to a
        # part of it ("Feb.")
        if m.group("year"):
            date = dt.date(int(m.group("year")), month, day)
            return ResolvedDate(raw, date, "day", "explicit_date")
        dt.date(published.year, month, day)
        if future:
            return ResolvedDate(
                raw, _future_month(month, published, day), "day", "month_day_future"
            )
        return ResolvedDate(
            raw, _past_month(month, published, day), "day", "month_day_in_past_year"
        )
    # "August", "in August", "last August", "August 2023"
    m = re.fullmatch(
        r"(?:(?P<mod>last|this|next)\s+)?" + _MONTH_RE + r"(?:,?\s+(?P<year>\d{4}))?", t
    )
    if m:
        month = _month_num(m.group("month"))
        if m.group("year"):
            return ResolvedDate(
                raw, dt.date(int(m.group("year")), month, 1), "month", "explicit_month"
            )
        mod = m.group("mod")
        if mod == "next":
            year = published.year + (1 if month <= published.month else 0)
            return ResolvedDate(raw, dt.date(year, month, 1), "month", "month_next")
        if mod == "last":
            year = published.year - (1 if month >= published.month else 0)
            return ResolvedDate(raw, dt.date(year, month, 1), "month", "month_last")
        if future:
            return ResolvedDate(raw, _future_month(month, published), "month", "month_future")
        return ResolvedDate(raw, _past_month(month, published), "month", "month_in_past_year")
    # "January of this year", "March of last year"
    m = re.fullmatch(_MONTH_RE + r"\s+of\s+(?P<mod>this|last|next)\s+year", t)
    if m:
        year = published.year + STEP[m.group("mod")]
        return ResolvedDate(
            raw, dt.date(year, _month_num(m.group("month")), 1), "month", "month_of_year"
        )
    # "the past month", "the past three years", "in the last two weeks": a window back from the
    # publication day (train split: "the past month" in a March 13 article starts February 13),
    # where "last month" is the calendar month before
    m = re.fullmatch(r"past\s+(?P<unit>month|year)", t) or re.fullmatch(
        r"(?:past|last)\s+(?P<n>\d+|[a-z]+)\s+(?P<unit>day|week|month|year)s", t
    )
    n = _count(m.groupdict().get("n") or "one") if m else None
    if m and n is not None and (n > 1 or "n" not in m.groupdict()):
        unit = m.group("unit")
        # a window of days is no one day: its precision is the week
        precision = "week" if unit == "day" else unit
        return ResolvedDate(raw, _back(published, n, unit), precision, "window", published)
    # "the next four years", "in the coming two weeks": a window from the publication day
    m = re.fullmatch(r"(?:next|coming)\s+(?P<n>\d+|[a-z]+)\s+(?P<unit>day|week|month|year)s", t)
    n = _count(m.group("n")) if m else None
    if m and n is not None:
        unit = m.group("unit")
        end = _back(published, -n, unit) - dt.timedelta(days=1)
        return ResolvedDate(raw, published, "week" if unit == "day" else unit, "window_ahead", end)
    # "the end of last year", "the beginning of this year": its last or first month
    m = re.fullmatch(r"(?P<edge>end|beginning|start)\s+of\s+(?P<mod>this|last|next)\s+year", t)
    if m:
        year = published.year + STEP[m.group("mod")]
        month = 12 if m.group("edge") == "end" else 1
        return ResolvedDate(raw, dt.date(year, month, 1), "month", "year_edge")
    # "the 1860s", "the late 1920s": the decade, from its first year
    m = re.fullmatch(r"(?:(?:early|mid|late)[\s-]+)?(?P<decade>(?:1[0-9]|20)\d0)'?s", t)
    if m:
        first = int(m.group("decade"))
        return ResolvedDate(raw, dt.date(first, 1, 1), "year", "decade", dt.date(first + 9, 12, 31))
    # "2018", "in 2017", "mid-2018", "early 2019"
    m = re.fullmatch(r"(?:mid|early|late)?[\s-]*(?P<year>(?:19|20)\d{2})", t)
    if m:
        return ResolvedDate(raw, dt.date(int(m.group("year")), 1, 1), "year", "explicit_year")
    # "two days ago", "Seventeen years ago", "more than 150 years ago"
    m = re.fullmatch(
        _HEDGE + r"(?P<n>\d+|[a-z]+)\s+(?P<unit>day|week|month|year)s?\s+ago",
        t,
    )
    n = _count(m.group("n")) if m else None
    if m and n is not None:
        unit = m.group("unit")
        date = _back(published, n, unit)  # a week, month or year ago: its first day
        if unit == "week":
            date = _monday(date)
        elif unit == "month":
            date = date.replace(day=1)
        elif unit == "year":
            date = date.replace(month=1, day=1)
        return ResolvedDate(raw, date, unit, "relative_ago")
    return None


def _so_far(hit: ResolvedDate, t: str, published: dt.date) -> ResolvedDate:
    """ "earlier this week / month / year" ends on the publication day, "later this ..." starts
    the day after it (gold/train README: the period the expression denotes)."""
    if not hit.date <= published <= hit.last_day:
        return hit
    if t.startswith("earlier "):
        return replace(hit, end=published)
    if t.startswith("later ") and published < hit.last_day:
        return replace(hit, date=published + dt.timedelta(days=1), end=hit.last_day)
    return hit


def _count(word: str) -> int | None:
    """A count written in digits or as a number word ("two", "fifteen"); None otherwise."""
    if word.isdigit():
        return int(word)
    return WORD_NUMBERS.get(word) if word not in ("dozens", "hundreds", "thousands") else None


def _back(published: dt.date, n: int, unit: str) -> dt.date:
    """The day `n` units before the publication day (a month back from March 31 is Feb. 28; a
    negative `n` counts forward)."""
    if unit in ("day", "week"):
        return published - dt.timedelta(days=n * (7 if unit == "week" else 1))
    months = n * (12 if unit == "year" else 1)
    index = published.year * 12 + published.month - 1 - months
    year, month = index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(published.day, last))


_NUMERIC_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


def _dateparser_fallback(raw: str, t: str, published: dt.date) -> ResolvedDate | None:
    # Only expressions that carry a month name or a numeric date reach dateparser: it turns
    # vague phrases ("the coming days", "its third winter") into arbitrary days, a bare number
    # (an age spaCy tagged DATE: "Amirov, 45,") into a year and a count ("14 days") into a day.
    if not (re.search(r"\b" + _MONTH_RE + r"(?![a-z])", t) or _NUMERIC_DATE.search(t)):
        return None
    hit = _dateparser_date(t, published)
    return ResolvedDate(raw, *hit, "dateparser") if hit else None


@functools.lru_cache(maxsize=4096)
def _dateparser_date(t: str, published: dt.date) -> tuple[dt.date, str] | None:
    """(date, precision) dateparser reads in `t` relative to `published`; cached because a
    dateparser call costs ~10 ms and events and pledges resolve the same DATE span again."""
    try:
        import dateparser
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    base = dt.datetime.combine(published, dt.time(12, 0))
    try:
        parsed = dateparser.parse(
            t,
            languages=["en"],
            settings={
                "RELATIVE_BASE": base,
                "PREFER_DATES_FROM": "past",
                "PREFER_DAY_OF_MONTH": "first",
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # noqa: BLE001 - dateparser raises on odd input; a date is optional
        return None
    if parsed is None or not (1900 <= parsed.year <= published.year + 5):
        return None
    has_day = bool(re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b", re.sub(r"\b\d{4}\b", "", t)))
    return parsed.date(), "day" if has_day else "month"


FUTURE_AUX = {"will", "shall", "'ll", "wo"}
PAST_AUX = {"have", "has", "had", "did", "was", "were"}
# Words that schedule what they govern, whatever their tense ("set for release Friday", "due in
# January", "the upcoming vote on Monday", "the expected arrival of March 26").
FUTURE_LEMMAS = {"due", "schedule", "set", "expect", "upcoming", "slate"}
# Verbs whose to-infinitive is still to come ("plans to meet in January", "is to travel on
# Wednesday", "was forecast to reach the coast early Tuesday").
FORWARD_HEADS = {"be", "due", "set", "expect", "plan", "intend", "schedule", "slate", "forecast",
                 "predict", "project"}  # fmt: skip
# "until Feb. 4" looks forward unless a verb above it is past ("remained there until March 3").
UNTIL = {"until", "till"}


def refers_forward(ent) -> bool:
    """Whether the clause of a DATE span speaks of what is to come (tense and cue words).

    Future when the verb governing the span has will/shall, is a to-infinitive under a verb of
    planning or forecast ("a report to be released next month", "was forecast to reach the coast
    early Tuesday", "are to travel on Wednesday"), is in the simple present ("the court rules
    Wednesday", news style for scheduled events), or when a scheduling word sits on the way up or
    modifies a noun on it ("due to meet Erdogan in January", "set for release Friday", "an
    expected arrival of March 26"). "until" looks forward unless a past verb governs it.
    """
    tok = ent.root
    until = False
    for _ in range(5):
        lemma = tok.lemma_.lower()
        if tok.pos_ in ("VERB", "AUX"):
            aux = {c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")}
            if aux & FUTURE_AUX:
                return True
            if "to" in aux and tok.tag_ in ("VB", "VBN") and tok.head.lemma_ in FORWARD_HEADS:
                return True
            if lemma == "be" and tok.tag_ in ("VBZ", "VBP") and _has_infinitive(tok):
                return True
            if lemma in FUTURE_LEMMAS:
                return True
            if tok.tag_ in ("VBZ", "VBP") and not aux and lemma not in ("be", "have", "say"):
                return True
            if tok.tag_ in ("VBD", "VBN") or aux & PAST_AUX:
                return False
        elif lemma in UNTIL or tok.lower_ in UNTIL:
            until = True
        elif lemma in FUTURE_LEMMAS or any(
            c.dep_ == "amod" and c.lemma_.lower() in FUTURE_LEMMAS for c in tok.children
        ):
            return True
        if tok.head == tok:
            break
        tok = tok.head
    return until


def _has_infinitive(tok) -> bool:
    """`tok` ("is", "are") governs a to-infinitive: "are to travel"."""
    return any(
        c.dep_ == "xcomp" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        for c in tok.children
    )


# Entity labels that may name a day: DATE, and TIME when our rules read a day in it ("Wednesday
# night", "early Saturday morning", "last night": spaCy's small model tags these TIME; 32 of the
# train split's 484 resolvable gold expressions were TIME spans only).
DATE_LABELS = ("DATE", "TIME")


def resolve_entity(ent, published: dt.date) -> ResolvedDate | None:
    """Resolve a spaCy DATE or TIME span, reading its clause's tense to choose past or future.
    A TIME span is read by our rules only: dateparser would make a clock time today's date.
    An expression anchored on another dated event ("the next day", "two days later", "that
    evening", "at 5 p.m.") is read from the last day the text named before it (`_anchored`)."""
    if ent.label_ not in DATE_LABELS:
        return None
    key = f"dates_resolved_{published.isoformat()}"
    by_span = doc_cache.per_doc(ent.doc, key, lambda doc: _resolve_doc(doc, published))
    where = (ent.start_char, ent.end_char)
    if where in by_span:
        return by_span[where]
    return _resolve_alone(ent, published, None)  # a span that is no entity of its Doc


# Words a speaker uses for the day they speak on: in a quotation they count from that day, taken
# to be the last day the text named before the quote when that lies in the week before publication
# ('On Monday, she said: "Today, I am asking ..."').
SPEECH_DAY = {"today", "tonight", "this morning", "this afternoon", "this evening", "yesterday",
              "last night", "tomorrow", "earlier today", "later today"}  # fmt: skip
SPEECH_DAYS_BACK = dt.timedelta(days=7)


def _resolve_doc(doc, published: dt.date) -> dict[tuple[int, int], ResolvedDate | None]:
    """Every DATE and TIME entity of `doc`, in text order, each anchored expression on the last
    day an entity before it resolved to (the publication day before the first)."""
    out: dict[tuple[int, int], ResolvedDate | None] = {}
    anchor = None
    spans = [(q.start, q.end) for q in doc_quotes(doc)]
    for ent in doc_cache.ents(doc):
        if ent.label_ not in DATE_LABELS:
            continue
        if (
            _clean(ent.text) in SPEECH_DAY
            and anchor is not None
            and published - SPEECH_DAYS_BACK <= anchor < published
            and any(a <= ent.start_char < b for a, b in spans)
        ):
            # a quote's "today" is the day it was said: the day the text named before it
            hit = resolve(ent.text, anchor, rules_only=True)
        else:
            hit = _resolve_alone(ent, published, anchor)
        out[ent.start_char, ent.end_char] = hit
        if hit is not None and hit.precision == "day":
            anchor = hit.date
    return out


def _resolve_alone(ent, published: dt.date, anchor: dt.date | None) -> ResolvedDate | None:
    try:
        hit = _anchored(ent.text, anchor or published)
    except (ValueError, OverflowError):
        hit = None
    if hit is not None:
        return hit
    return resolve(ent.text, published, future=refers_forward(ent), rules_only=ent.label_ == "TIME")


_PART_OF_DAY = r"(?:day|morning|afternoon|evening|night)"
_DAY_SHIFT = {"next": 1, "following": 1, "previous": -1, "preceding": -1, "same": 0, "that": 0,
              "that same": 0}  # fmt: skip
_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2})?\s*[ap]\.?m\b\.?|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b")


def _anchored(raw: str, anchor: dt.date) -> ResolvedDate | None:
    """An expression whose day is another event's (the gold README: "an expression anchored on
    another dated event is resolved through it"): "the next day", "the previous evening", "the
    same day", "that night", "two days later", "a day earlier", "hours later", "that week",
    "the evening", a clock time ("at 2:20 a.m."). `anchor` is that event's day."""
    t = _clean(raw)
    m = re.fullmatch(r"(?P<shift>next|following|previous|preceding|same|that(?:\s+same)?)\s+"
                     + _PART_OF_DAY, t)  # fmt: skip
    if m:
        return ResolvedDate(raw, anchor + dt.timedelta(days=_DAY_SHIFT[m.group("shift")]), "day",
                            "anchored")  # fmt: skip
    if t in ("day before", "night before", "eve"):
        return ResolvedDate(raw, anchor - dt.timedelta(days=1), "day", "anchored")
    m = re.fullmatch(_HEDGE + r"(?P<n>\d+|[a-z]+)\s+(?P<unit>day|week)s?\s+"
                     r"(?P<dir>later|after|afterwards|earlier|before)", t)  # fmt: skip
    n = _count(m.group("n")) if m else None
    if m and n is not None:
        days = n * (7 if m.group("unit") == "week" else 1)
        date = anchor + dt.timedelta(days=days if m.group("dir").startswith(("l", "af")) else -days)
        if m.group("unit") == "week":
            return ResolvedDate(raw, _monday(date), "week", "anchored")
        return ResolvedDate(raw, date, "day", "anchored")
    if re.fullmatch(_HEDGE + r"(?:(?:a\s+few|several|\d+|[a-z]+)\s+)?(?:hours?|minutes?)\s+"
                    r"(?:later|after|afterwards|earlier|before)", t):  # fmt: skip
        return ResolvedDate(raw, anchor, "day", "anchored")
    if t == "that week":
        return ResolvedDate(raw, _monday(anchor), "week", "anchored")
    if re.fullmatch(r"(?:morning|afternoon|evening|night)(?:\s+hours)?", t) or (
        _CLOCK.search(t)
        and not re.search(r"[a-z]{3,}day\b|\d{4}|" + _MONTH_RE, t)
        and "today" not in t
        and "tonight" not in t
    ):
        return ResolvedDate(raw, anchor, "day", "anchored")
    return None


def resolve_sentence_date(doc_sent, published: dt.date) -> ResolvedDate | None:
    """The first DATE or TIME entity of a spaCy sentence span that resolves, else None."""
    for ent in doc_cache.span_ents(doc_sent):
        if ent.label_ in DATE_LABELS:
            hit = resolve_entity(ent, published)
            if hit:
                return hit
    return None
