"""Per-Doc values that spaCy rebuilds on every access, computed once while a Doc is extracted.

`Doc.text` joins every token again (a Python Token object per token), `Doc.ents`, `Doc.sents`
and `Doc.noun_chunks` build new Span objects on every call, and iterating a Doc or a Span makes
a new Token object per token each time; the extractors read them per sentence, per claim or
per quote, which made them most of the extraction time. `span_tokens`, `span_text` and `sent_of`
answer from those cached values what `list(span)`, `span.text` and `token.sent` would. Inside
`with cached(doc):` the functions below compute each value once for that Doc; outside it (or
for another Doc) they just read spaCy's property, so a caller that edits a Doc (`doc.ents = ...`)
between two extractions never sees an old value. The scope is re-entrant (an extractor opens it
again for the Doc already cached) and per thread.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from spacy.tokens import Doc, Span, Token

_local = threading.local()


class _Entry:
    __slots__ = ("doc", "text", "ents", "sents", "sent_starts", "noun_chunks", "tokens", "extra")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text: str | None = None
        self.ents: tuple[Span, ...] | None = None
        self.sents: list[Span] | None = None
        self.sent_starts: list[int] | None = None
        self.noun_chunks: list[Span] | None = None
        self.tokens: list[Token] | None = None
        self.extra: dict[str, Any] = {}


@contextmanager
def cached(doc: Doc) -> Iterator[None]:
    """Cache text, ents, sentences and noun chunks of `doc` until the block ends."""
    previous = getattr(_local, "entry", None)
    if previous is not None and previous.doc is doc:
        yield
        return
    _local.entry = _Entry(doc)
    try:
        yield
    finally:
        _local.entry = previous


def _entry(doc: Doc) -> _Entry | None:
    entry = getattr(_local, "entry", None)
    return entry if entry is not None and entry.doc is doc else None


def _memo(doc: Doc, field: str, compute: Callable[[Doc], Any]) -> Any:
    """`compute(doc)`, kept in the open `cached(doc)` scope's entry under `field`."""
    entry = _entry(doc)
    if entry is None:
        return compute(doc)
    value = getattr(entry, field)
    if value is None:
        value = compute(doc)
        setattr(entry, field, value)
    return value


def text(doc: Doc) -> str:
    return _memo(doc, "text", lambda d: d.text)


def ents(doc: Doc) -> tuple[Span, ...]:
    return _memo(doc, "ents", lambda d: d.ents)


def sents(doc: Doc) -> list[Span]:
    return _memo(doc, "sents", lambda d: list(d.sents))


def noun_chunks(doc: Doc) -> list[Span]:
    return _memo(doc, "noun_chunks", lambda d: list(d.noun_chunks))


def per_doc(doc: Doc, key: str, compute: Callable[[Doc], Any]) -> Any:
    """`compute(doc)` once per open `cached(doc)` scope: an extractor's own per-Doc value.

    For values that hold the Doc's tokens or spans, which must not go into doc.user_data (a
    Doc -> user_data -> Token -> Doc cycle keeps the whole Doc alive after its last use).
    """
    entry = _entry(doc)
    if entry is None:
        return compute(doc)
    if key not in entry.extra:
        entry.extra[key] = compute(doc)
    return entry.extra[key]


def tokens(doc: Doc) -> list[Token]:
    return _memo(doc, "tokens", list)


def span_tokens(span: Span) -> list[Token]:
    """`list(span)`: the tokens of a sentence, entity or any other span of the Doc."""
    return tokens(span.doc)[span.start : span.end]


def span_text(span: Span) -> str:
    """`span.text` (the Doc's text between the span's first and last character)."""
    return text(span.doc)[span.start_char : span.end_char]


def sentence_index(doc: Doc, i: int) -> int:
    """The index in doc.sents of the sentence that holds token i."""
    starts = _memo(doc, "sent_starts", lambda d: [s.start for s in sents(d)])
    return bisect_right(starts, i) - 1


def sent_of(tok: Token) -> Span:
    """`tok.sent`, read from the cached sentences."""
    if _entry(tok.doc) is None:
        return tok.sent
    return sents(tok.doc)[sentence_index(tok.doc, tok.i)]


def span_ents(span: Span) -> list[Span]:
    """`span.ents` (spaCy's own loop, stopping at the first entity that ends past the span)."""
    out = []
    for ent in ents(span.doc):
        if ent.start >= span.start:
            if ent.end <= span.end:
                out.append(ent)
            else:
                break
    return out


def sent_tokens(tok: Token) -> list[Token]:
    """`list(tok.sent)`: the tokens of the sentence that holds `tok`."""
    return span_tokens(sent_of(tok))
