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
    # a date a few days ahead is a scheduled event in the same year, not last year's
    assert resolve("Nov. 8", SEED_DAY).date == dt.date(2024, 11, 8)
    assert resolve("Dec. 12", SEED_DAY).date == dt.date(2023, 12, 12)


def test_a_time_span_is_read_by_our_rules_only():
    assert resolve("5:00 p.m.", SEED_DAY, rules_only=True) is None
    assert resolve("5:00 p.m.", SEED_DAY) is not None  # dateparser: today at five
    assert resolve("Wednesday night", SEED_DAY, rules_only=True).date == dt.date(2024, 10, 30)


def test_vague_phrases_resolve_to_nothing():
    for text in (
        "the coming days",
        "its third winter",
        "six weeks",
        "recent years",
        "August 0000",
        "Feb. 30",
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

    monday = dt.date(2021, 3, 29)
    assert date_of("The International Criminal Court rules Wednesday on the appeal.", monday) == (
        dt.date(2021, 3, 31)
    )
    assert date_of("The court ruled Wednesday on the appeal.", monday) == dt.date(2021, 3, 24)
    nov = dt.date(2019, 11, 25)
    assert date_of("Putin is due to meet Erdogan in Turkey in January.", nov) == dt.date(2020, 1, 1)
    assert date_of("Putin met Erdogan in Turkey in January.", nov) == dt.date(2019, 1, 1)
    assert date_of("They have until Feb. 4 to appeal.", dt.date(2020, 1, 23)) == dt.date(2020, 2, 4)
