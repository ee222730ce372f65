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
