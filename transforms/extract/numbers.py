"""Numbers inside claims: amounts with their unit and what they count.

"as many as 10,000 North Korean soldiers" -> (10000.0, "troops", "North Korean troops");
"200 million euros ($218 million)" -> (200000000.0, "EUR") and (218000000.0, "USD").
Money amounts are read by the project's one amount parser (transforms/extract/money.py, CLDR
currency vocabulary); the count units are data (rules/claim_numbers.yaml).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.tokens import Span, Token

from transforms.extract import doc_cache, money

RULES = Path(__file__).parent / "rules" / "claim_numbers.yaml"

WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "dozens": 24,
    "hundreds": 200,
    "thousands": 2000,
}


@functools.lru_cache(maxsize=1)
def number_rules() -> dict:
    with RULES.open(encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)
    rules["noun_unit"] = {
        noun: unit for unit, nouns in rules["count_units"].items() for noun in nouns
    }
    return rules


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str | None


_NUM = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\d*\.\d+")


def parse_amount(text: str) -> Amount | None:
    """The value (and currency, if any) of one number expression; None if there is no number.

    Money is read by the project's one amount parser (transforms/extract/money.py: "$218
    million", "200 million euros", "26 billion baht", "three and a half million"); what is not
    money is a count: digits with thousands separators and decimals, a magnitude ("1.2
    million"), or count words ("two", "a dozen", "hundreds"). A range ("10,000 to 12,000")
    gives its first value.
    """
    found = money.find_amounts(text)
    if found:
        return Amount(found[0].amount, found[0].currency)
    value = money.parse_number(text)
    if value is not None:
        return Amount(value, None)
    for word in re.findall(r"[a-z]+(?:-[a-z]+)?", text.lower()):
        if word in WORD_NUMBERS and word not in ("a", "an"):
            return Amount(float(WORD_NUMBERS[word]), None)
    return None


@dataclass(frozen=True)
class ClaimNumber:
    text: str
    start: int
    end: int
    value: float
    unit: str
    subject: str


def _counted_noun(span: Span) -> Token | None:
    """The noun a cardinal counts: '10,000' -> 'soldiers' in '10,000 North Korean soldiers'."""
    for tok in span:
        if tok.dep_ in ("nummod", "quantmod", "compound") and tok.head.i >= span.end:
            head = tok.head
            while head.dep_ in ("nummod", "quantmod", "compound") and head.head.i > head.i:
                head = head.head
            if head.pos_ in ("NOUN", "PROPN", "ADJ", "VERB"):
                return head
    root = span.root
    if root.dep_ == "nummod":
        return root.head
    return None


def _qualifier(noun: Token, span: Span) -> str:
    """The nationality or qualifier words before the noun, without the number itself."""
    doc = noun.doc
    words = [
        t.text
        for t in doc[max(span.end, noun.left_edge.i) : noun.i]
        if t.pos_ in ("PROPN", "ADJ", "NOUN") and t.dep_ in ("amod", "compound", "nmod")
    ]
    return " ".join(words)


def numbers_in(doc, start: int, end: int) -> list[ClaimNumber]:
    """Numbers with a known unit inside the character range [start, end) of the doc."""
    rules = number_rules()
    out: list[ClaimNumber] = []
    for span in money_spans(doc, start, end):
        amount = parse_amount(span.text)
        if amount is not None and amount.currency:
            out.append(
                ClaimNumber(
                    span.text,
                    span.start_char,
                    span.end_char,
                    amount.value,
                    amount.currency,
                    _money_subject(span),
                )
            )
    covered = [(n.start, n.end) for n in out]
    for ent in doc_cache.ents(doc):
        if ent.start_char < start or ent.end_char > end:
            continue
        if ent.label_ not in ("CARDINAL", "MONEY", "QUANTITY"):
            continue
        if any(a < ent.end_char and ent.start_char < b for a, b in covered):
            continue
        amount = parse_amount(ent.text)
        if amount is None:
            continue
        if ent.label_ == "MONEY" or amount.currency:
            if not amount.currency:
                continue
            subject = _money_subject(ent)
            out.append(
                ClaimNumber(
                    ent.text, ent.start_char, ent.end_char, amount.value, amount.currency, subject
                )
            )
            continue
        noun = _counted_noun(ent)
        if noun is None:
            continue
        unit = rules["noun_unit"].get(noun.lemma_.lower()) or rules["noun_unit"].get(noun.lower_)
        if unit is None:
            continue
        qualifier = _qualifier(noun, ent)
        subject = f"{qualifier} {unit}".strip()
        out.append(ClaimNumber(ent.text, ent.start_char, ent.end_char, amount.value, unit, subject))
    return out


def money_spans(doc, start: int, end: int) -> list[Span]:
    """Amounts with a currency (money.find_amounts) that the NER missed ("200 million euros")."""
    out = []
    text = doc_cache.text(doc)
    for a in money.find_amounts(text[start:end]):
        a = a.shifted(start)
        if a.currency is None:
            continue
        span = doc.char_span(a.start, a.end, alignment_mode="expand")
        if span is not None and not any(
            e.label_ == "MONEY" and e.start_char <= a.start < e.end_char
            for e in doc_cache.ents(doc)
        ):
            out.append(span)
    return out


def _money_subject(ent: Span) -> str:
    """What the money is for: 'in emergency aid' -> 'emergency aid'; else 'money'."""
    root = ent.root
    for tok in root.rights:
        if tok.dep_ == "prep" and tok.lower_ in ("in", "of", "for"):
            for obj in tok.children:
                if obj.dep_ == "pobj":
                    words = [t.text for t in obj.lefts if t.dep_ in ("amod", "compound")]
                    return " ".join([*words, obj.text]).lower()
    return "money"
