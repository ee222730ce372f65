"""Money amounts as news text writes them: "200 million euros ($218 million)", "$1.5bn", "€50m".

`find_amounts(text)` returns every amount with its character offsets, the amount fully expanded
(200 million -> 200000000), the ISO 4217 currency, and the text's own USD equivalent when the
amount is followed by one in parentheses. Written by hand because the libraries tried read the
parenthesized dollars as negative or drop "million" (STACK_NOTES).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
SYMBOLS = {
    "us$": "USD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₩": "KRW",
    "₽": "RUB",
    "₴": "UAH",
    "₹": "INR",
}
WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "gbp": "GBP",
    "yen": "JPY",
    "jpy": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "cny": "CNY",
    "ruble": "RUB",
    "rubles": "RUB",
    "rouble": "RUB",
    "roubles": "RUB",
    "hryvnia": "UAH",
    "hryvnias": "UAH",
    "won": "KRW",
    "rupee": "INR",
    "rupees": "INR",
    "shilling": "KES",
    "shillings": "KES",
    "swiss francs": "CHF",
    "francs": "CHF",
    "chf": "CHF",
    "kwacha": "MWK",
    "ringgit": "MYR",
}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = r"thousand|million|billion|trillion|mln|mn|bn|tn|k|m|b"
_SYM = r"US\$|\$|€|£|¥|₩|₽|₴|₹"
_WORD = "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True))
# "$1.5 billion", "€50m", "US$ 3 million"
_SYMBOL_FIRST = re.compile(
    rf"(?P<sym>{_SYM})\s?(?P<num>{_NUM})(?:\s?(?P<mult>{_MULT})\b)?", re.IGNORECASE
)
# "200 million euros", "5.1 million dollars", "580 million shillings", "EUR 50 million"
_WORD_LAST = re.compile(
    rf"(?<![\w$€£])(?P<num>{_NUM})(?:\s?(?P<mult>{_MULT}))?\s(?:(?:US|U\.S\.)\s)?(?P<word>{_WORD})\b",
    re.IGNORECASE,
)
_CODE_FIRST = re.compile(
    rf"\b(?P<word>USD|EUR|GBP|JPY|CNY|CHF)\s?(?P<num>{_NUM})(?:\s?(?P<mult>{_MULT})\b)?"
)
# A USD equivalent in parentheses right after an amount: "200 million euros ($218 million)"
_PAREN_USD = re.compile(
    rf"\s*\(\s*(?:about\s|around\s|roughly\s|some\s)?(?:US\$|\$)\s?(?P<num>{_NUM})(?:\s?(?P<mult>{_MULT})\b)?[^)]*\)",
    re.IGNORECASE,
)
_PAREN_USD_WORD = re.compile(
    rf"\s*\(\s*(?:about\s|around\s|roughly\s|some\s)?(?P<num>{_NUM})(?:\s?(?P<mult>{_MULT}))?\s(?:US\s|U\.S\.\s)?dollars\s*\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    start: int
    end: int  # end of the amount itself (before any parenthesized conversion)
    text: str
    amount: float
    currency: str
    usd_stated: float | None = None


def _value(num: str, mult: str | None) -> float:
    value = float(num.replace(",", ""))
    if mult:
        value *= MULTIPLIERS[mult.lower()]
    return value


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in `text`, left to right, without overlaps."""
    found: list[tuple[int, int, float, str]] = []
    for m in _SYMBOL_FIRST.finditer(text):
        mult = m.group("mult")
        # "$5 m" is fine, but "$20 b" inside words is not reached thanks to \b; a bare single
        # letter multiplier must touch the number ("€50m"), else it is a following word.
        if mult and len(mult) == 1 and text[m.start("mult") - 1] == " ":
            mult = None
            end = m.end("num")
        else:
            end = m.end()
        found.append(
            (m.start(), end, _value(m.group("num"), mult), SYMBOLS[m.group("sym").lower()])
        )
    for pattern in (_WORD_LAST, _CODE_FIRST):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _, _ in found):
                continue
            mult = m.group("mult")
            if mult and len(mult) == 1 and text[m.start("mult") - 1] == " ":
                continue  # "200 m euros" is not a form news uses; avoid misreading words
            found.append(
                (m.start(), m.end(), _value(m.group("num"), mult), WORDS[m.group("word").lower()])
            )
    found.sort()
    out: list[Amount] = []
    consumed_until = -1
    for start, end, value, currency in found:
        if start < consumed_until:
            continue  # the parenthesized conversion of the previous amount
        usd = None
        paren = None
        if currency != "USD":
            paren = _PAREN_USD.match(text, end) or _PAREN_USD_WORD.match(text, end)
        if paren:
            usd = _value(paren.group("num"), paren.group("mult"))
            consumed_until = paren.end()
        out.append(Amount(start, end, text[start:end], value, currency, usd))
    return out
