"""The amount parser on amounts as news text writes them (seed article and VOA stories)."""

from __future__ import annotations

import pytest

from transforms.extract.money import find_amounts


def one(text: str):
    found = find_amounts(text)
    assert len(found) == 1, found
    return found[0]


def test_seed_sentence_keeps_the_texts_own_dollar_conversion():
    text = (
        "Baerbock also announced that Germany would give Ukraine 200 million euros "
        "($218 million) in emergency aid for its third winter at war."
    )
    a = one(text)
    assert (a.amount, a.currency, a.usd_stated) == (200_000_000, "EUR", 218_000_000)
    assert text[a.start : a.end] == "200 million euros"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("The European Union’s executive arm has proposed an $873 billion plan", 873e9, "USD"),
        ("It includes relaxing fiscal rules and some $164 billion in loans", 164e9, "USD"),
        ("Malaysia had racked up about $34 billion in loans", 34e9, "USD"),
        ("The package is worth $1.5 billion", 1.5e9, "USD"),
        ("Britain pledged €50m for reconstruction", 50e6, "EUR"),
        ("a grant of 5.1 million dollars of aid", 5.1e6, "USD"),
        ("London added £2.3bn in military support", 2.3e9, "GBP"),
        ("the fund holds EUR 50 million", 50e6, "EUR"),
        # a hyphen before the magnitude: "$600-billion commitment", "$2-million grant"
        ("a $600-billion commitment to infrastructure", 600e9, "USD"),
        ("a $2-million grant", 2e6, "USD"),
    ],
)
def test_amounts_are_expanded_with_their_currency(text, amount, currency):
    a = one(text)
    assert a.amount == pytest.approx(amount)
    assert a.currency == currency
    assert a.usd_stated is None


def test_conversion_written_in_words_and_counts_that_are_not_money():
    # "shillings" is Kenya's, Tanzania's, Uganda's or Somalia's: the sentence names Tanzania
    a = one("Finland will give Tanzania a grant of 580 million shillings (64.45 million dollars).")
    assert (a.amount, a.currency, a.usd_stated) == (580e6, "TZS", 64.45e6)
    assert find_amounts("Pyongyang has shipped at least 10,000 containers to Russia") == []
    assert find_amounts("as many as 5 million artillery shells") == []


# --- the one amount parser: CLDR vocabulary, words, ranges (issue 17) -------------------------

from transforms.extract.money import parse_number, vocabulary  # noqa: E402


@pytest.mark.parametrize(
    ("text", "span", "amount", "currency"),
    [
        # train-split stories of ../shared/data/gold/train (public domain / CC BY)
        (
            "This is on top of the more than half a billion dollars the United States has "
            "provided to the Palestinian people",
            "half a billion dollars",
            5e8,
            "USD",
        ),
        (
            "MEPPA authorizes up to $250 million dollars over five years",
            "$250 million dollars",
            250e6,
            "USD",
        ),
        (
            "The estimated cost is six billion euros, but the saturation",
            "six billion euros",
            6e9,
            "EUR",
        ),
        (
            "the state issued an indemnity bond to cover for HDT's 38.8 million euro loan",
            "38.8 million euro",
            38.8e6,
            "EUR",
        ),
        (
            "raising the federal minimum wage to USD15 an hour in his announcement",
            "USD15",
            15.0,
            "USD",
        ),
        (
            "when they offered a one million US dollar reward for information",
            "one million US dollar",
            1e6,
            "USD",
        ),
    ],
)
def test_real_sentences_with_words_codes_and_redundant_currencies(text, span, amount, currency):
    a = one(text)
    assert (a.text, a.amount, a.currency, a.amount_high) == (span, amount, currency, None)
    assert text[a.start : a.end] == span


def test_issue_examples_read_their_currency():
    """The forms issue 17 lists: before, the first two read as USD and the next three had no
    currency; "three and a half million" read 3.0."""
    cases = {
        "Canada will send 500 million Canadian dollars to Ukraine.": (500e6, "CAD"),
        "Australia pledged A$100 million in military aid.": (100e6, "AUD"),
        "Ottawa pledged CAD 500 million in aid.": (500e6, "CAD"),
        "Norway pledged NOK 2 billion in aid.": (2e9, "NOK"),
        "Norway will give 2.5 billion kroner to Ukraine.": (2.5e9, "NOK"),
        "Warsaw approved 3 billion zloty for Kyiv.": (3e9, "PLN"),
        "Canada pledged C$1.2bn.": (1.2e9, "CAD"),
        "the fund holds three and a half million dollars": (3.5e6, "USD"),
    }
    for text, expected in cases.items():
        a = one(text)
        assert (a.amount, a.currency) == expected, text
    assert parse_number("three and a half million") == 3.5e6


def test_every_iso_code_before_or_after_the_number():
    v = vocabulary()
    assert len(v.current_codes) > 140 and {"CAD", "NOK", "PLN", "UAH", "XOF"} <= v.current_codes
    for code in sorted(v.current_codes):
        before, after = find_amounts(f"{code} 500 million"), find_amounts(f"500 million {code}")
        assert [(a.amount, a.currency) for a in before] == [(500e6, code)], code
        assert [(a.amount, a.currency) for a in after] == [(500e6, code)], code


def test_cldr_symbols_and_names_of_other_currencies():
    text = "Kyiv got ₴5 billion, Moscow ₽300 million, Tel Aviv ₪2bn and Brasilia R$40 million."
    assert [(a.text, a.currency) for a in find_amounts(text)] == [
        ("₴5 billion", "UAH"),
        ("₽300 million", "RUB"),
        ("₪2bn", "ILS"),
        ("R$40 million", "BRL"),
    ]
    a = one("the community quotas generated the sum of 42,863,423 pulas")  # CLDR: Botswanan pulas
    assert (a.amount, a.currency) == (42_863_423, "BWP")
    a = one("Sweden will give 500 million Swedish kronor")
    assert (a.amount, a.currency) == (500e6, "SEK")


def test_a_shared_currency_word_takes_the_country_named_or_none():
    # "kroner" is Norway's or Denmark's: no country named, no currency (the amount stays)
    a = one("The government will give 2.5 billion kroner.")
    assert (a.amount, a.currency) == (2.5e9, None)
    assert one("Denmark will give 2.5 billion kroner.").currency == "DKK"
    # the sentence names both: none; the article (context) names one: that one
    assert one("Norway and Denmark gave 1 billion kroner each.").currency is None
    article = "Copenhagen, Denmark. The government will give 2.5 billion kroner."
    assert (
        find_amounts("The government will give 2.5 billion kroner.", article)[0].currency == "DKK"
    )
    # "dollars" and "pounds" are US dollars and sterling whatever the text names
    assert one("Canada received 5 million dollars.").currency == "USD"
    assert one("Britain gave Egypt 5 million pounds.").currency == "GBP"
    # a default when no candidate is named: "rupees" -> INR, unless Pakistan is the one named
    assert one("The bank lent 5 billion rupees.").currency == "INR"
    assert one("Pakistan will receive 5 billion rupees.").currency == "PKR"


def test_ranges_keep_both_bounds_and_changes_are_not_ranges():
    # train-split wikinews story (Aleppo): amount is the low bound, amount_high the high one
    a = one("has stated reconstruction will cost between US$300 and 400 billion.")
    assert (a.text, a.amount, a.amount_high, a.currency) == (
        "US$300 and 400 billion",
        300e9,
        400e9,
        "USD",
    )
    for text in (
        "worth $6 - $8 billion",
        "worth $6 billion to $8 billion",
        "between $6 and $8 billion",
    ):
        a = one(text)
        assert (a.amount, a.amount_high, a.currency) == (6e9, 8e9, "USD"), text
    a = one("from 6 to 8 billion euros a year")  # "from" before "6 to 8 billion euros"
    assert (a.amount, a.amount_high) == (8e9, None)
    a = one("estimated at 6 to 8 billion euros")
    assert (a.amount, a.amount_high, a.currency) == (6e9, 8e9, "EUR")
    assert one("$500,000 to $1 million in grants").amount_high == 1e6
    # seed story voa_6205512: a price that moved is two amounts, not a range
    found = find_amounts("the retail cost of 1.5 kilograms of chicken has jumped from $5 to $12")
    assert [(a.amount, a.amount_high) for a in found] == [(5.0, None), (12.0, None)]
    # two amounts, and an amount followed by a count
    assert [a.amount for a in find_amounts("$5 million and $3 million")] == [5e6, 3e6]
    found = find_amounts("It gave $5 million to 2 million people")
    assert [(a.amount, a.amount_high) for a in found] == [(5e6, None)]


def test_words_that_are_not_money():
    assert find_amounts("the count passed the 1 million mark last week") == []
    assert find_amounts("Accompanying the aircraft were 300 ANG Airmen") == []
    assert find_amounts("The A400M and COVID19 are not amounts") == []


def test_offsets_index_the_text_on_every_seed_article():
    from pathlib import Path

    seeds = sorted((Path(__file__).parents[2] / "seeds").glob("*.txt"))
    found = 0
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        for a in find_amounts(text, context=text):
            assert text[a.start : a.end] == a.text and a.amount > 0
            found += 1
    assert found > 10


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("two hundred and fifty million dollars", 250e6),
        ("a quarter of a billion dollars", 250e6),
        ("one and a half billion euros", 1.5e9),
        ("twenty-five million dollars", 25e6),
        ("a hundred million dollars", 100e6),
        ("two and three quarters million dollars", 2.75e6),
        ("Seven billion yen", 7e9),
    ],
)
def test_numbers_in_words(text, value):
    a = one(text)
    assert (a.text, a.amount) == (text, value)
