"""Quotation marks: the one home of the conventions the extractors recognise, and their pairing.

Conventions (offsets stay character offsets into the text: `` and '' are two characters):

- curly double “...”, German „...“ is read as „...” only, guillemets «...»;
- straight double "...": direction from the context (opens after whitespace, the start or
  opening punctuation when a non-space follows; closes after a non-space);
- PTB ``...'' (PolNeAR, Penn Treebank-derived text) and ''...'': `` always opens; '' opens like a
  straight " (after whitespace / start / opening punctuation, before a non-space) and, with a
  double quote open, closes when it follows a non-space or cannot open (tokenized `` a , '');
- British single ‘...’: ‘ opens (after whitespace / start / opening punctuation, before a
  non-space) when a ’ that may close it follows in its paragraph (or the next paragraph reopens
  with ‘). ’ is also the apostrophe, so it closes only with a ‘ open, and never before a letter or
  digit (don’t, it’s). A ’ after a plural ("the workers’ union") is the
  ambiguity: a ’ followed by punctuation, a line break, the end, or a space and a word that is not
  lower case or is a pronoun or speech verb ("...’ he said", "...’ said Smith") closes; a ’
  followed by a space and another lower-case word closes only when no such ’ comes before the
  paragraph ends or the next ‘.

A ‘...’ opening a sentence and closed with no punctuation before a capitalised word is a
subheading run into the text (VOA's one-paragraph stories), not a quotation.

Nesting: inside a double quote single marks are the quote's own words (ignored), and inside a
single quote double marks are (the British nesting ‘... “...” ...’). Straight single quotes
'...' are not recognised: in news text the straight ' is overwhelmingly the apostrophe (and the
plural possessive workers' union, and '90s), and nested inside double quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from transforms.extract import doc_cache

OPEN_QUOTES = "“„«"  # always open a double quote
CLOSE_QUOTES = "”»"  # always close one
STRAIGHT = '"'
PTB_OPEN = "``"
TWO_APOSTROPHES = "''"
SINGLE_OPEN = "‘"
SINGLE_CLOSE = "’"
OPENING_PUNCT = "([—-:"  # before an opening contextual mark
CLOSING_PUNCT = ".,;:!?)—-"  # after a closing straight mark
CONTENT_STRIP = " \t\n,.;:"
# a ’ followed by one of these words closes a single quote ("...’ he said", "...’ said Smith")
_AFTER_CLOSE_WORDS = frozenset(
    "he she they we i it you said says say told tells added adds according asked asks "
    "wrote writes warned warns insisted insists explained explains continued".split()
)


@dataclass
class Quote:
    open_char: int  # offset of the opening mark
    close_char: int  # offset just after the closing mark (or the paragraph end)
    start: int  # content start (inside the marks, stripped)
    end: int  # content end
    close_mark: int = -1  # offset of the closing mark (close_char when none: a paragraph end)
    kind: str = "double"  # "double" or "single"

    def __post_init__(self) -> None:
        if self.close_mark < 0:
            self.close_mark = self.close_char


def _opens_after(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    return before.isspace() or before in OPENING_PUNCT or before in OPEN_QUOTES + STRAIGHT + "`"


def _single_close(text: str, i: int) -> str | None:
    """'strong' or 'weak' when the ’ at i may close an open single quote, else None."""
    n = len(text)
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < n else ""
    if after.isalnum():
        return None
    if not after or not after.isspace() or "\n" in after or before in ".,!?;:":
        return "strong"
    j = i + 1
    while j < n and text[j] in " \t":
        j += 1
    if j >= n or text[j] == "\n" or not text[j].islower():
        return "strong"
    k = j
    while k < n and text[k].isalpha():
        k += 1
    return "strong" if text[j:k] in _AFTER_CLOSE_WORDS else "weak"


def _strong_single_close_ahead(text: str, i: int) -> bool:
    """A strong ’ after i before the line (paragraph) ends or the next ‘ opens."""
    for j in range(i + 1, len(text)):
        ch = text[j]
        if ch in SINGLE_OPEN + "\n":
            return False
        if ch == SINGLE_CLOSE and _single_close(text, j) == "strong":
            return True
    return False


def _single_closes_ahead(text: str, i: int) -> bool:
    """The ‘ at i can be closed: a ’ that may close comes before the paragraph ends (or the
    paragraph ends and the next one reopens with ‘), so a stray ‘ does not swallow the text."""
    n = len(text)
    for j in range(i + 1, n):
        if text[j] == SINGLE_CLOSE and _single_close(text, j):
            return True
        if text[j] == "\n":
            k = j
            while k < n and text[k].isspace():
                k += 1
            return "\n" in text[j:k] and _reopens(text, k, "single")
    return False


def _reopens(text: str, j: int, kind: str) -> bool:
    """The paragraph starting at j opens a quote of the same kind (the multi-paragraph quote)."""
    if j >= len(text):
        return False
    if kind == "single":
        return text[j] == SINGLE_OPEN
    return (
        text[j] in OPEN_QUOTES + STRAIGHT
        or text.startswith(PTB_OPEN, j)
        or text.startswith(TWO_APOSTROPHES, j)
    )


def _lost_paragraph_break(text: str, opened: int | None, i: int) -> bool:
    """A double quote still open where another opens after a finished sentence ("... he said.
    “First part. “Second part,” he added."): the multi-paragraph convention (a paragraph left
    open, the next reopened) in a text whose paragraph breaks were lost. The open quote closes
    before the new mark instead of being dropped."""
    if opened is None or text[opened] not in OPEN_QUOTES or text[i] not in OPEN_QUOTES:
        return False  # straight marks: an unbalanced one is likelier ("... Italy, X said. "Both)
    before = text[opened + 1 : i].rstrip(" \t")
    return len(before.split()) >= 4 and before[-1:] in (".", "!", "?")


def _run_in_heading(text: str, a: int, mark: int, b: int) -> bool:
    """A ‘...’ that opens a sentence and closes with no punctuation right before a capitalised
    word is a subheading run into the text (VOA: "... each year. ‘We are very concerned’ In a
    statement ..."), not a quotation."""
    before = text[:a].rstrip(" \t")
    if before and before[-1] not in ".!?\n":
        return False
    if mark == b or text[mark - 1 : mark].strip() in tuple(".,!?;:—-"):
        return False
    rest = text[b:].lstrip(" \t")
    return rest[:1].isupper()


# Every character the pairing loop of `find_quotes` acts on (the first of `` and ''); it skips
# the text between them in one regex search instead of a Python step per character.
_MARK_CHARS = frozenset("\n`'" + OPEN_QUOTES + CLOSE_QUOTES + STRAIGHT + SINGLE_OPEN + SINGLE_CLOSE)
_NEXT_MARK = re.compile("[" + re.escape("".join(sorted(_MARK_CHARS))) + "]")


def find_quotes(text: str) -> list[Quote]:
    """Pair quotation marks (the conventions of the module docstring); a quote left open at a
    paragraph end that the next paragraph reopens is closed there (the multi-paragraph
    convention); other unclosed ones are dropped."""
    # (open offset, opening mark length, close offset, closing mark length, kind)
    spans: list[tuple[int, int, int, int, str]] = []
    opened: int | None = None
    open_len = 1
    kind = "double"
    i = 0
    n = len(text)

    def open_at(at: int, length: int, k: str) -> None:
        nonlocal opened, open_len, kind
        opened, open_len, kind = at, length, k

    def close_at(at: int, length: int) -> None:
        nonlocal opened
        spans.append((opened, open_len, at + length, length, kind))
        opened = None

    while i < n:
        ch = text[i]
        if ch not in _MARK_CHARS:  # no branch below acts on it: jump to the next mark or line end
            found = _NEXT_MARK.search(text, i)
            if found is None:
                break
            i = found.start()
            ch = text[i]
        double_ok = opened is None or kind == "double"
        if ch == "\n" and opened is not None:
            j = i
            while j < n and text[j].isspace():
                j += 1
            if "\n" in text[i:j] and _reopens(text, j, kind):
                # a mark right before the paragraph end is a stray closing one: not content
                if text.endswith(TWO_APOSTROPHES, 0, i):
                    close_at(i - 2, 2)
                elif text[i - 1] in CLOSE_QUOTES + STRAIGHT + SINGLE_CLOSE:
                    close_at(i - 1, 1)
                else:
                    close_at(i, 0)
            if "\n" in text[i : max(j, i + 1)]:
                opened = None
        elif text.startswith(PTB_OPEN, i):
            if double_ok:
                open_at(i, 2, "double")
            i += 2
            continue
        elif text.startswith(TWO_APOSTROPHES, i):
            before = text[i - 1] if i else " "
            after = text[i + 2] if i + 2 < n else " "
            opens = _opens_after(text, i) and not after.isspace()
            closes = not before.isspace()
            if opened is None:
                if opens:
                    open_at(i, 2, "double")
            elif kind == "double":
                if closes or not opens:  # also PTB-tokenized text: `` a quote , ''
                    close_at(i, 2)
                else:
                    open_at(i, 2, "double")
            i += 2
            continue
        elif ch in OPEN_QUOTES:
            if double_ok:
                if _lost_paragraph_break(text, opened, i):
                    close_at(i, 0)
                open_at(i, 1, "double")
        elif ch in CLOSE_QUOTES:
            if opened is not None and kind == "double":
                close_at(i, 1)
        elif ch == STRAIGHT and double_ok:
            # straight quotes: direction from the context, so one stray mark does not flip
            # every later pair of a one-paragraph story
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < n else " "
            opens = (before.isspace() or before in OPENING_PUNCT) and not after.isspace()
            closes = not before.isspace() and (after.isspace() or after in CLOSING_PUNCT)
            if opened is None:
                if opens:
                    open_at(i, 1, "double")
            elif closes:
                close_at(i, 1)
            elif opens:
                open_at(i, 1, "double")
        elif ch == SINGLE_OPEN and (opened is None or kind == "single"):
            after = text[i + 1] if i + 1 < n else " "
            if _opens_after(text, i) and not after.isspace() and _single_closes_ahead(text, i):
                open_at(i, 1, "single")
        elif ch == SINGLE_CLOSE and opened is not None and kind == "single":
            strength = _single_close(text, i)
            if strength == "strong" or (
                strength == "weak" and not _strong_single_close_ahead(text, i)
            ):
                close_at(i, 1)
        i += 1
    quotes = []
    for a, alen, b, blen, k in spans:
        mark = b - blen
        if k == "single" and _run_in_heading(text, a, mark, b):
            continue
        start, end = a + alen, mark
        while start < end and text[start] in CONTENT_STRIP:
            start += 1
        while end > start and text[end - 1] in CONTENT_STRIP:
            end -= 1
        if end > start:
            quotes.append(Quote(a, b, start, end, mark, k))
    return quotes


def doc_quotes(doc: Doc) -> list[Quote]:
    """The quotations of a parsed article (`find_quotes` of its text), found once per Doc."""
    return doc_cache.per_doc(doc, "claim_quotes", lambda d: find_quotes(doc_cache.text(d)))


def _mark_offsets(doc: Doc) -> tuple[frozenset, frozenset, frozenset]:
    """Offsets of the opening marks, of the closing marks, and just after the closing marks of
    the Doc's quotations."""

    def build(d: Doc) -> tuple[frozenset, frozenset, frozenset]:
        # a straight " stays no mark at the token level, as before the other conventions came
        # (counting it moved 9 train stories' claims: a separate decision)
        text = doc_cache.text(d)
        marked = [q for q in doc_quotes(d) if text[q.open_char] != STRAIGHT]
        closed = [
            q for q in marked if q.close_mark < q.close_char and text[q.close_mark] != STRAIGHT
        ]
        return (
            frozenset(q.open_char for q in marked),
            frozenset(q.close_mark for q in closed),
            frozenset(q.close_char for q in closed),
        )

    return doc_cache.per_doc(doc, "quote_marks", build)


def is_open_mark(tok: Token) -> bool:
    """An opening quotation mark: “ „ « anywhere, or the opening mark of a quotation
    `find_quotes` paired (``, '', ‘; not a straight ")."""
    return tok.text in OPEN_QUOTES or tok.idx in _mark_offsets(tok.doc)[0]


def is_close_mark(tok: Token) -> bool:
    """A closing quotation mark: ” » anywhere, or the closing mark of a paired quotation
    ('', ’; not a straight ")."""
    return tok.text in CLOSE_QUOTES or tok.idx in _mark_offsets(tok.doc)[1]


_MARK_TOKENS = frozenset((*OPEN_QUOTES, *CLOSE_QUOTES, STRAIGHT, TWO_APOSTROPHES))


def mark_flags(doc: Doc) -> list[bool]:
    """Per token of the Doc: a quotation mark for parity counting (event features): a double
    mark of any convention written as its own token, or a mark of a quotation `find_quotes`
    paired (the first ` of ``, a ‘ or a closing ’; an apostrophe ’ is not one)."""
    opens, closes, _ = _mark_offsets(doc)
    marks = opens | closes
    return [t.text in _MARK_TOKENS or t.idx in marks for t in doc_cache.tokens(doc)]


def ends_with_close_mark(doc: Doc, text: str, end: int) -> bool:
    """The text before `end` (trailing blanks skipped) ends with a closing quotation mark."""
    end = len(text[:end].rstrip(" \t"))
    return bool(end) and (text[end - 1] in CLOSE_QUOTES or end in _mark_offsets(doc)[2])
