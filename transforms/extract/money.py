"""Money amounts as news text writes them: the one amount parser of the project.

"200 million euros ($218 million)", "$1.5bn", "$600-billion", "€50m", "CAD 500 million", "500
million Canadian dollars", "A$100 million", "2.5 billion kroner", "three and a half million",
"between $6 and $8 billion".

`find_amounts(text, context=None)` returns every amount with its character offsets, the amount
fully expanded (200 million -> 200000000), the ISO 4217 currency, the high bound of a range
(`amount_high`; `amount` is the low bound), and the text's own USD equivalent when the amount is
followed by one in parentheses. `parse_number(text)` reads the first number expression of a
text without a currency ("three and a half million" -> 3500000); claims' numbers
(transforms/extract/numbers.py) use both, so money has one home.

The currency vocabulary is CLDR's, through babel: every ISO 4217 code (before or after the
number, upper case), the English names singular and plural ("Canadian dollar(s)", "Polish
zlotys", "Botswanan pulas") and their head words alone ("zloty", "hryvnias"), the English
symbols ("$", "€", "A$", "CA$", "NZ$", "HK$", "₹") and the symbols of each currency's own
locales that hold a currency sign ("₴", "₽", "₪", "₦", "R$"). rules/money.yaml adds only what
CLDR lacks and news uses ("bn", "C$", "zł", "U.S. dollars", "roubles") and says which currency
a shared bare word means ("dollars" -> USD). A shared word without such a default ("kroner":
NOK or DKK) takes the currency whose country or adjective the sentence names ("Norway",
"Norwegian"), else the one the `context` (the article) names, else none: an amount without a
currency is kept, with `currency` None.

Written by hand over CLDR data because the libraries tried read parenthesized dollars as
negative or drop "million" (STACK_NOTES).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel import Locale
from babel import numbers as babel_numbers
from babel.core import UnknownLocaleError, get_global

RULES = Path(__file__).parent / "rules" / "money.yaml"


@dataclass(frozen=True)
class Amount:
    start: int
    end: int  # end of the amount itself (before any parenthesized conversion)
    text: str
    amount: float  # the amount, or the low bound of a range
    currency: str | None  # ISO 4217; None when the text names an ambiguous currency only
    usd_stated: float | None = None
    amount_high: float | None = None  # the high bound of a range ("$6 - $8 billion")

    def shifted(self, offset: int) -> Amount:
        """The same amount with offsets into a larger text (a sentence's into its document's)."""
        return dataclasses.replace(self, start=self.start + offset, end=self.end + offset)


# ---------------------------------------------------------------------------------------------
# Vocabulary (CLDR through babel, plus rules/money.yaml)


@dataclass(frozen=True)
class Vocabulary:
    magnitudes: dict[str, float]  # lower-case word -> factor
    letter_magnitudes: dict[str, float]  # single letters, case as written ("k", "M")
    symbols: dict[str, str]  # symbol -> ISO code
    codes: frozenset[str]  # every ISO 4217 code CLDR knows, historic ones too ("DEM 5 million")
    current_codes: frozenset[str]  # the codes in use today (after a number: "500 million CAD")
    names: dict[str, str]  # lower-case name -> ISO code (unambiguous)
    shared: dict[str, tuple[str, ...]]  # lower-case bare word -> candidate codes
    fixed: dict[str, str]  # bare word -> the code news means, whatever the context
    defaults: dict[str, str]  # bare word -> the code when the context names no candidate
    cues: dict[str, tuple[str, ...]]  # code -> country names and adjectives naming it


def _unaccented(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _has_currency_sign(symbol: str) -> bool:
    return any(unicodedata.category(c) == "Sc" for c in symbol)


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    with RULES.open(encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)
    en = Locale("en")
    skip = set(rules["skip_codes"])

    # Magnitudes: CLDR's English compact formats ("0 million", "0M"), plus news abbreviations.
    magnitudes: dict[str, float] = {}
    letters: dict[str, float] = {}
    for style, table in (("long", magnitudes), ("short", letters)):
        for forms in en.compact_decimal_formats[style].values():  # plural form -> factor
            for factor, pattern in forms.items():
                word = re.sub(r"[0#.,\s\u00a0']", "", str(pattern.pattern))
                if word and int(factor) in (10**3, 10**6, 10**9, 10**12):
                    table[word.lower() if style == "long" else word] = float(factor)
    for word, factor in rules["magnitudes"].items():
        magnitudes[word.lower()] = float(factor)
    # lower case ("€50m", "$5bn" are the news forms); no "t": "5t" is tonnes, not trillions
    letters = {k.lower(): f for k, f in letters.items() if k.lower() != "t"}

    # Currencies in use today (legal tender of some territory), for names and bare words.
    territories = [t for t in en.territories if len(t) == 2 and t.isalpha() and t.isupper()]
    current: dict[str, list[str]] = {}
    for territory in territories:
        for code in babel_numbers.get_territory_currencies(territory):
            current.setdefault(code, []).append(territory)
    codes = frozenset(c for c in babel_numbers.list_currencies() if c not in skip)

    # Names: singular and plural English names of every code; head words of current ones.
    names: dict[str, set[str]] = {}
    heads: dict[str, set[str]] = {}
    cues: dict[str, set[str]] = {}
    for code in sorted(codes):
        forms = {
            babel_numbers.get_currency_name(code, locale=en),
            babel_numbers.get_currency_name(code, count=1, locale=en),
            babel_numbers.get_currency_name(code, count=2, locale=en),
        }
        for form in forms:
            if not form or form == code or "(" in form:
                continue
            for variant in {form, _unaccented(form)}:
                names.setdefault(variant.lower(), set()).add(code)
            words = form.split()
            if code in current and len(words) > 1:
                for variant in {words[-1], _unaccented(words[-1])}:
                    heads.setdefault(variant.lower(), set()).add(code)
                cues.setdefault(code, set()).add(" ".join(words[:-1]))
            elif code in current:
                heads.setdefault(form.lower(), set()).add(code)
    for code, terrs in current.items():
        for territory in terrs:
            cues.setdefault(code, set()).add(en.territories[territory])
    for name, code in rules["names"].items():
        names[name.lower()] = {code}
    unique = {n: next(iter(c)) for n, c in names.items() if len(c) == 1}
    shared: dict[str, tuple[str, ...]] = {}
    for head, candidates in heads.items():
        if head in names or head in rules["not_bare"]:
            continue  # a full name too ("euro"), or a word ("mark")
        if len(candidates) == 1:
            unique[head] = next(iter(candidates))
        else:
            shared[head] = tuple(sorted(candidates))
    for name, candidates in names.items():
        if len(candidates) > 1:
            shared[name] = tuple(sorted(candidates))
    fixed = dict(rules["bare_fixed"])
    defaults = dict(rules["bare_defaults"])
    for word, code in {**defaults, **fixed}.items():
        unique.pop(word, None)
        shared[word] = tuple(sorted({*shared.get(word, ()), code}))

    # Symbols: English ones first, then those of the currencies' own locales that are unique.
    symbols: dict[str, str] = {}
    for code in sorted(codes):
        symbol = en.currency_symbols.get(code)
        if symbol and symbol != code and _has_currency_sign(symbol) and code in current:
            symbols.setdefault(symbol, code)
    local: dict[str, set[str]] = {}
    territory_languages = get_global("territory_languages")
    for code, terrs in current.items():
        for territory in terrs:
            languages = sorted(
                territory_languages.get(territory, {}).items(),
                key=lambda kv: -float(kv[1].get("population_percent", 0)),
            )
            for language, _ in languages[:2]:
                try:
                    locale = Locale.parse(f"{language}_{territory}")
                except (ValueError, LookupError, UnknownLocaleError):
                    continue
                symbol = locale.currency_symbols.get(code)
                if symbol and symbol != code and _has_currency_sign(symbol):
                    local.setdefault(symbol.strip(), set()).add(code)
    for symbol, candidates in local.items():
        if len(candidates) == 1 and symbol not in symbols and symbol.isprintable():
            symbols[symbol] = next(iter(candidates))
    symbols.update(rules["symbols"])

    return Vocabulary(
        magnitudes=magnitudes,
        letter_magnitudes=letters,
        symbols=symbols,
        codes=codes,
        current_codes=frozenset(c for c in current if c in codes),
        names=unique,
        shared=shared,
        fixed=fixed,
        defaults=defaults,
        cues={c: tuple(sorted(v, key=len, reverse=True)) for c, v in cues.items()},
    )


# ---------------------------------------------------------------------------------------------
# Patterns

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_FRACTIONS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# a number may touch an upper-case code before it ("USD15") but not a word ("COVID19", "x2")
_DIGITS = r"(?-i:(?<![a-z\d.,_]))(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![\d,]\d)"
_U = _alt(w for w in _UNITS if _UNITS[w] < 10)
_W99 = rf"(?:(?:{_alt(_TENS)})(?:[-\s](?:{_U}))?|{_alt(_UNITS)})"
_W999 = rf"(?:(?:{_W99}|a|one)\s+hundred(?:\s+(?:and\s+)?{_W99})?|{_W99})"
_FRAC = r"(?:\s+and\s+(?:a|one)[\s-](?:half|quarter|third)|\s+and\s+three[\s-]quarters)"
_WORDS = (
    rf"(?<![\w-])(?:half\s+an?|a\s+half|(?:a|one)\s+quarter(?:\s+of\s+an?)?|{_W999}{_FRAC}?|an?)"
)


@dataclass(frozen=True)
class _Patterns:
    quantity: re.Pattern  # a number with its magnitude
    prefix: re.Pattern  # a currency right before a number (searched at the end of a window)
    suffix: re.Pattern  # a currency right after a number
    vocab: Vocabulary


@functools.lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    v = vocabulary()
    long_mag = _alt(v.magnitudes)
    letter_mag = _alt(v.letter_magnitudes)
    quantity = re.compile(
        rf"(?:(?P<num>{_DIGITS})(?:(?P<lmag>{letter_mag})(?![\w])|[\s-]?(?P<mag>{long_mag})(?!\w))?"
        rf"|(?P<words>{_WORDS})\s+(?P<wmag>{long_mag})(?!\w))",
        re.IGNORECASE,
    )
    symbols = _alt(v.symbols)
    codes = _alt(v.codes)
    prefix = re.compile(rf"(?:(?P<sym>{symbols})|(?<![A-Za-z])(?P<code>{codes}))\s?$")
    names = _alt([*v.names, *v.shared])
    # after a number, only codes in use today: "300 ANG Airmen" is the Air National Guard
    current = _alt(v.current_codes)
    suffix = re.compile(
        rf"\s?(?:(?P<code>(?<![A-Za-z]){current})(?![A-Za-z])"
        rf"|\s(?P<name>(?i:{names}))(?![\w]))"
    )
    return _Patterns(quantity, prefix, suffix, v)


# ---------------------------------------------------------------------------------------------
# Reading


def _words_value(words: str) -> float:
    """'three and a half' -> 3.5, 'two hundred and fifty' -> 250, 'half a' -> 0.5, 'a' -> 1."""
    tokens = re.findall(r"[a-z]+", words.lower())
    if tokens[0] == "half":
        return 0.5  # "half a (billion)"
    if tokens[-1] in ("quarter", "quarters", "half", "third") or tokens[-2:] == ["of", "a"]:
        tail = tokens[: tokens.index("of")] if "of" in tokens else tokens
        if tail[0] in ("a", "one") and tail[-1] in _FRACTIONS and "and" not in tail:
            return _FRACTIONS[tail[-1]]  # "a quarter (of a billion)", "a half"
        cut = len(tokens) - 1 - tokens[::-1].index("and")  # "three and a half"
        whole, frac = tokens[:cut], tokens[cut + 1 :]
        part = _FRACTIONS[frac[-1].rstrip("s")] * (3 if frac[0] == "three" else 1)
        return _whole_value(whole) + part
    return _whole_value(tokens)


def _whole_value(tokens: list[str]) -> float:
    """'two hundred and fifty' -> 250, 'twenty five' -> 25, 'a' -> 1."""
    value = 0.0
    for tok in tokens:
        if tok in _UNITS:
            value += _UNITS[tok]
        elif tok in _TENS:
            value += _TENS[tok]
        elif tok == "hundred":
            value = (value or 1) * 100
        elif tok in ("a", "an"):
            value += 1
    return value


def _quantity_value(m: re.Match, vocab: Vocabulary) -> tuple[float, bool]:
    """(value, has a magnitude) of a `quantity` match."""
    if m.group("num") is not None:
        value = float(m.group("num").replace(",", ""))
    else:
        value = _words_value(m.group("words"))
    mag = m.group("mag") or m.group("wmag")
    if mag:
        return value * vocab.magnitudes[mag.lower()], True
    if m.group("lmag"):
        return value * vocab.letter_magnitudes[m.group("lmag").lower()], True
    return value, False


def parse_number(text: str) -> float | None:
    """The value of the first number expression in `text` (digits or words, with its magnitude):
    '1.2 million' -> 1200000, 'three and a half million' -> 3500000, '10,000 to 12,000' -> 10000.
    Number words need a magnitude here ('two' alone is for the caller's count words)."""
    p = _patterns()
    for m in p.quantity.finditer(text):
        if m.group("words") is not None and not m.group("wmag"):
            continue
        return _quantity_value(m, p.vocab)[0]
    return None


_CONNECTOR = re.compile(r"\s*(?:-|–|—|to|and)\s*", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_FROM = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_PAREN_OPEN = re.compile(
    r"\s*\(\s*(?:(?:about|around|roughly|some|nearly|almost|approximately|over|more\s+than|"
    r"or|equivalent\s+to|worth)\s+)?",
    re.IGNORECASE,
)


@dataclass
class _Raw:
    start: int
    end: int
    value: float
    has_mag: bool
    number: float  # the number before its magnitude (for ranges)
    factor: float
    currency: str | None
    cur_start: int | None  # where the currency is written (before or after the number)


def _resolve(word: str, text: str, context: str | None, vocab: Vocabulary) -> str | None:
    """The currency of a bare word several currencies share ("kroner"): the fixed one, else the
    one whose country the sentence (else the article) alone names, else the default, else None."""
    key = word.lower()
    if key in vocab.fixed:
        return vocab.fixed[key]
    candidates = vocab.shared.get(key, ())
    for where in (text, context):
        if not where:
            continue
        named = [
            code
            for code in candidates
            if any(re.search(rf"\b{re.escape(cue)}\b", where) for cue in vocab.cues.get(code, ()))
        ]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            break
    return vocab.defaults.get(key)


def _currency_of_name(name: str, text: str, context: str | None, vocab: Vocabulary):
    key = name.lower()
    if key in vocab.names:
        return vocab.names[key]
    return _resolve(name, text, context, vocab)


def _scan(text: str, context: str | None) -> list[_Raw]:
    """Every number with a currency written right before or after it, left to right."""
    p = _patterns()
    vocab = p.vocab
    out: list[_Raw] = []
    for m in p.quantity.finditer(text):
        if m.group("words") is not None and not m.group("wmag"):
            continue  # number words only with a magnitude ("six billion euros")
        value, has_mag = _quantity_value(m, vocab)
        number = (
            float(m.group("num").replace(",", ""))
            if m.group("num") is not None
            else _words_value(m.group("words"))
        )
        start, end = m.start(), m.end()
        currency = None
        cur_start = None
        pre = p.prefix.search(text, max(0, start - 8), start) if start else None
        if pre is not None and pre.end() == start:
            currency = vocab.symbols[pre.group("sym")] if pre.group("sym") else pre.group("code")
            start = cur_start = pre.start()
        suf = p.suffix.match(text, end)
        if suf is not None:
            if suf.group("code"):
                suf_currency, suf_start = suf.group("code"), suf.start("code")
            else:
                suf_currency = _currency_of_name(suf.group("name"), text, context, vocab)
                suf_start = suf.start("name")
            if cur_start is None:
                currency, cur_start, end = suf_currency, suf_start, suf.end()
            elif suf_currency == currency:
                end = suf.end()  # "$250 million dollars"
        factor = value / number if number else 1.0
        out.append(_Raw(start, end, value, has_mag, number, factor, currency, cur_start))
    return out


def _money(raw: _Raw) -> bool:
    return raw.cur_start is not None


def find_amounts(text: str, context: str | None = None) -> list[Amount]:
    """Every money amount in `text`, left to right, without overlaps.

    `context` (the whole article, when `text` is one of its sentences) only helps a shared
    currency word find its country ("kroner" in an article about Norway)."""
    raws = _scan(text, context)
    merged: list[tuple[_Raw, float | None]] = []
    i = 0
    while i < len(raws):
        a = raws[i]
        b = raws[i + 1] if i + 1 < len(raws) else None
        high = None
        if b is not None:
            joined = _range(text, a, b)
            if joined is not None:
                a, high = joined
                i += 1
        if _money(a):
            merged.append((a, high))
        i += 1
    out: list[Amount] = []
    consumed_until = -1
    for raw, high in merged:
        if raw.start < consumed_until:
            continue  # the parenthesized conversion of the previous amount
        usd = None
        if raw.currency != "USD":
            usd, paren_end = _paren_usd(text, raw.end, context)
            if usd is not None:
                consumed_until = paren_end
        out.append(
            Amount(
                raw.start, raw.end, text[raw.start : raw.end], raw.value, raw.currency, usd, high
            )
        )
    return out


def _range(text: str, a: _Raw, b: _Raw) -> tuple[_Raw, float] | None:
    """'$6 - $8 billion', 'between $6 and $8 billion', '6 to 8 billion euros': one amount."""
    conn = _CONNECTOR.match(text, a.end)
    if conn is None:
        return None
    gap_end = conn.end()
    if b.start != gap_end:
        return None
    word = conn.group(0).strip().lower()
    before = text[max(0, a.start - 12) : a.start]
    if word == "and" and not _BETWEEN.search(before):
        return None  # "$5 million and $3 million": two amounts
    if word != "and" and _FROM.search(before):
        return None  # "jumped from $5 to $12": a change, not a range
    b_currency_before = b.cur_start is not None and b.cur_start == b.start
    b_currency_after = b.cur_start is not None and b.cur_start > b.start
    a_inherits = not a.has_mag and b.has_mag and a.number <= b.number
    if not (b_currency_before or b_currency_after or a_inherits):
        return None
    if a.has_mag and not b.has_mag and not b_currency_before:
        return None
    if a.currency and b.currency and a.currency != b.currency:
        return None
    if a.cur_start is not None and a.cur_start > a.start:
        return None  # "5 million euros to 2 million people": the first amount is complete
    low = a.number * b.factor if a_inherits else a.value
    high = b.value
    if low >= high:
        return None
    currency = a.currency or b.currency
    cur_start = a.cur_start if a.cur_start is not None else b.cur_start
    joined = _Raw(a.start, b.end, low, True, a.number, b.factor, currency, cur_start)
    return joined, high


def _paren_usd(text: str, end: int, context: str | None) -> tuple[float | None, int]:
    """The USD equivalent the text gives in parentheses right after an amount, and its end."""
    opened = _PAREN_OPEN.match(text, end)
    if opened is None:
        return None, end
    close = text.find(")", opened.end())
    if close < 0:
        return None, end
    inner = text[opened.end() : close]
    for raw in _scan(inner, context):
        if raw.start == 0 and raw.currency == "USD":
            return raw.value, close + 1
        break
    return None, end
