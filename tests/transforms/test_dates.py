"""Relative dates resolved against the publication date, including dateparser's known traps."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.extract.dates import resolve, resolve_sentence_date

SEED_DAY = dt.date(2024, 11, 4)  # a Monday


@pytest.mark.parametrize(
    ("text", "date", "precision", "method"),
    [
        # a bare weekday equal to the publication day is that day (dateparser with
        # PREFER_DATES_FROM='past' says 2024-10-28)
        ("Monday", "2024-11-04", "day", "weekday_same_day"),
        ("on Monday", "2024-11-04", "day", "weekday_same_day"),
        ("last Monday", "2024-10-28", "day", "weekday_last"),
        ("last Tuesday", "2024-10-29", "day", "weekday_last"),
        ("Last Friday", "2024-11-01", "day", "weekday_last"),
        ("Friday's", "2024-11-01", "day", "weekday_past"),
        # "in August" is the month, not the base's day of August
        ("in August", "2024-08-01", "month", "month_in_past_year"),
        ("last week", "2024-10-28", "week", "relative_week"),
        ("last year", "2023-01-01", "year", "relative_year"),
        # a part of a year starts at its third: January, May, September
        ("As of mid-2018", "2018-05-01", "year", "explicit_year"),
        ("November 4, 2024", "2024-11-04", "day", "explicit_date"),
        # early / mid / late <month>: days 1-10 / 11-20 / 21-end (gold/train README)
        ("in late October", "2024-10-21", "month", "month_in_past_year"),
        ("mid-September", "2024-09-11", "month", "month_in_past_year"),
        ("early this June", "2024-06-01", "month", "month_in_past_year"),
        ("late last year", "2023-09-01", "year", "relative_year"),
        # "past" is a window back from the publication day, "last" the calendar unit before
        ("the past month", "2024-10-04", "month", "window"),
        ("last month", "2024-10-01", "month", "relative_month"),
        ("in the past three years", "2021-11-04", "year", "window"),
        ("the last two weeks", "2024-10-21", "week", "window"),
        ("March of last year", "2023-03-01", "month", "month_of_year"),
        # counts as words, with a hedge
        ("Seventeen years ago", "2007-01-01", "year", "relative_ago"),
        ("more than 150 years ago", "1874-01-01", "year", "relative_ago"),
        # parts of a day name the day
        ("Very early Saturday morning", "2024-11-02", "day", "weekday_past"),
        ("last night", "2024-11-03", "day", "relative_day"),
        ("yesterday afternoon", "2024-11-03", "day", "relative_day"),
        ("this past Friday", "2024-11-01", "day", "weekday_last"),
        # the longest part our rules read, a bare year aside
        ("three days last week", "2024-10-28", "week", "part:relative_week"),
        ("Tuesday, Oct. 29", "2024-10-29", "day", "part:month_day_in_past_year"),
        ("Thursday, 1885", "2024-10-31", "day", "part:weekday_past"),
        # a weekend is its Saturday, precision week (the gold's convention)
        ("over the weekend", "2024-11-02", "week", "weekend"),
        ("next weekend", "2024-11-09", "week", "weekend"),
        # a week ago is the week, from its Monday
        ("a week ago", "2024-10-28", "week", "relative_ago"),
        ("at the end of last year", "2023-12-01", "month", "part:year_edge"),
        # a window ahead starts on the publication day
        ("over the next four years", "2024-11-04", "year", "window_ahead"),
        ("in the 1860s", "1860-01-01", "year", "decade"),
    ],
)
def test_expressions(text, date, precision, method):
    hit = resolve(text, SEED_DAY)
    assert hit is not None
    assert (hit.date.isoformat(), hit.precision, hit.method) == (date, precision, method)
    assert hit.raw == text


def test_year_boundaries():
    jan = dt.date(2025, 1, 2)  # a Thursday
    assert resolve("on Dec. 12", jan).date == dt.date(2024, 12, 12)
    assert resolve("in December", jan).date == dt.date(2024, 12, 1)
    assert resolve("last week", jan).date == dt.date(2024, 12, 23)
    assert resolve("Monday", jan).date == dt.date(2024, 12, 30)
    assert resolve("last year", jan).date == dt.date(2024, 1, 1)
    # a date up to a month ahead is a scheduled event in the same year, not last year's
    assert resolve("Nov. 8", SEED_DAY).date == dt.date(2024, 11, 8)
    assert resolve("Nov. 30", SEED_DAY).date == dt.date(2024, 11, 30)
    assert resolve("Dec. 12", SEED_DAY).date == dt.date(2023, 12, 12)
    # on a weekend, "this weekend" is the one under way and "last weekend" the one before
    sunday = dt.date(2019, 8, 25)
    assert resolve("this weekend", sunday).date == dt.date(2019, 8, 24)
    assert resolve("last weekend", sunday).date == dt.date(2019, 8, 17)
    assert resolve("this weekend", SEED_DAY, future=True).date == dt.date(2024, 11, 9)


def test_a_time_span_is_read_by_our_rules_only():
    assert resolve("5:00 p.m.", SEED_DAY, rules_only=True) is None
    # nor does dateparser get a bare clock time ("today at five"): in its Doc a clock time is
    # the day of the event before it (resolve_entity)
    assert resolve("5:00 p.m.", SEED_DAY) is None
    assert resolve("Wednesday night", SEED_DAY, rules_only=True).date == dt.date(2024, 10, 30)


def test_vague_phrases_resolve_to_nothing():
    for text in (
        "the coming days",
        "its third winter",
        "six weeks",
        "recent years",
        "August 0000",
        "Feb. 30",
        "45",  # an age spaCy tagged DATE ("Amirov, 45,"): dateparser made it 1945
        "14 days",  # a count of days: dateparser made it a day
    ):
        assert resolve(text, SEED_DAY) is None


@pytest.mark.slow
def test_fed_spacy_date_spans_not_raw_text():
    from transforms.nlp.pipeline import load_nlp

    doc = load_nlp()(
        "We see an increase in North Koreans, Zelenskyy said. "
        "Choe arrived in Vladivostok last Tuesday on her second trip."
    )
    first, second = list(doc.sents)
    # "We" is not a Wednesday: the first sentence has no DATE entity
    assert resolve_sentence_date(first, SEED_DAY) is None
    hit = resolve_sentence_date(second, SEED_DAY)
    assert (hit.raw, hit.date) == ("last Tuesday", dt.date(2024, 10, 29))


@pytest.mark.slow
def test_tense_of_the_clause_picks_past_or_future():
    from transforms.extract.dates import resolve_entity
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()

    def date_of(text, published):
        ent = next(e for e in nlp(text).ents if e.label_ == "DATE")
        return resolve_entity(ent, published).date

    monday, sunday = dt.date(2021, 3, 29), dt.date(2019, 9, 1)
    assert date_of("The International Criminal Court rules Wednesday on the appeal.", monday) == (
        dt.date(2021, 3, 31)
    )
    assert date_of("The court ruled Wednesday on the appeal.", monday) == dt.date(2021, 3, 24)
    nov = dt.date(2019, 11, 25)
    assert date_of("Putin is due to meet Erdogan in Turkey in January.", nov) == dt.date(2020, 1, 1)
    assert date_of("Putin met Erdogan in Turkey in January.", nov) == dt.date(2019, 1, 1)
    assert date_of("They have until Feb. 4 to appeal.", dt.date(2020, 1, 23)) == dt.date(2020, 2, 4)
    # "until" looks forward unless a past verb governs it
    assert date_of("The ship remained in port until March 3.", dt.date(2025, 3, 14)) == (
        dt.date(2025, 3, 3)
    )
    # a scheduling verb in the past tense does not look forward; a forecast or "are to" does
    assert date_of("Tuesday's attack was planned abroad.", dt.date(2025, 3, 13)) == (
        dt.date(2025, 3, 11)
    )
    assert date_of("The storm was forecast to reach the coast early Tuesday.", sunday) == (
        dt.date(2019, 9, 3)
    )
    assert date_of("The two leaders are to meet on Wednesday.", dt.date(2015, 9, 22)) == (
        dt.date(2015, 9, 23)
    )


@pytest.mark.slow
def test_an_expression_anchored_on_another_dated_event_is_read_from_its_day():
    from transforms.extract.dates import resolve_entity
    from transforms.nlp.pipeline import load_nlp

    doc = load_nlp()(
        "The court ruled on March 3. The next day, the minister resigned. Two days later, "
        "protesters gathered outside parliament. At 5 p.m. police arrived. The government "
        "collapsed that week."
    )
    friday = dt.date(2025, 3, 14)
    got = [
        (e.text, resolve_entity(e, friday).date.isoformat(), resolve_entity(e, friday).precision)
        for e in doc.ents
        if e.label_ in ("DATE", "TIME")
    ]
    assert got == [
        ("March 3", "2025-03-03", "day"),
        ("The next day", "2025-03-04", "day"),
        ("Two days later", "2025-03-06", "day"),
        ("5 p.m.", "2025-03-06", "day"),
        ("that week", "2025-03-03", "week"),
    ]
    # without an earlier date, the anchor is the publication day
    alone = next(e for e in load_nlp()("The minister resigned the previous day.").ents)
    assert resolve_entity(alone, friday).date == dt.date(2025, 3, 13)


@pytest.mark.slow
def test_a_quotes_today_is_the_day_it_was_said():
    from transforms.extract.dates import resolve_entity
    from transforms.nlp.pipeline import load_nlp

    doc = load_nlp()(
        'On Monday, the senator said: "Today, I am asking every voter to turn out." '
        "Today the campaign opened two new offices."
    )
    wednesday = dt.date(2020, 4, 15)
    got = [(e.text, resolve_entity(e, wednesday).date) for e in doc.ents if e.label_ == "DATE"]
    assert got == [
        ("Monday", dt.date(2020, 4, 13)),
        ("Today", dt.date(2020, 4, 13)),  # in the quote: the day she spoke
        ("Today", wednesday),  # the story's own today
    ]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # a calendar period ends where its precision says
        ("last week", "2024-10-28", "2024-11-03"),
        ("in August", "2024-08-01", "2024-08-31"),
        ("last year", "2023-01-01", "2023-12-31"),
        ("Monday", "2024-11-04", "2024-11-04"),
        # gold/train README: "early/mid/late <month>" = days 1-10 / 11-20 / 21-end
        ("early October", "2024-10-01", "2024-10-10"),
        ("mid-October", "2024-10-11", "2024-10-20"),
        ("late October", "2024-10-21", "2024-10-31"),
        # a year in thirds, as its start
        ("mid-2018", "2018-05-01", "2018-08-31"),
        # a window back ends on the publication day, one ahead the day before its last unit
        ("the past month", "2024-10-04", "2024-11-04"),
        ("the past three years", "2021-11-04", "2024-11-04"),
        ("over the next four years", "2024-11-04", "2028-11-03"),
        # what has happened so far of a period ends on the publication day; what is still to
        # come of it starts the day after
        ("earlier this month", "2024-11-01", "2024-11-04"),
        ("earlier this year", "2024-01-01", "2024-11-04"),
        ("later this week", "2024-11-05", "2024-11-10"),
        ("later this month", "2024-11-05", "2024-11-30"),
        # a weekend is Saturday and Sunday; a decade ten years
        ("the weekend", "2024-11-02", "2024-11-03"),
        ("the 1990s", "1990-01-01", "1999-12-31"),
    ],
)
def test_the_period_an_expression_denotes_starts_and_ends(text, start, end):
    hit = resolve(text, SEED_DAY)
    assert hit is not None
    assert (hit.date.isoformat(), hit.last_day.isoformat()) == (start, end)
