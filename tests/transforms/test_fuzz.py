"""Property-based tests (hypothesis): the header parser and every extractor on arbitrary text.

- `decode_bytes` + `parse_article` on arbitrary bytes / unicode: the only exception that may
  leave them is RejectedFile (a file set aside); an accepted text is non-empty and stripped.
- Every extractor registered in DOC_TABLES (iterated, so extractors added later are covered)
  on arbitrary unicode text that went through the header parser, as the pipeline feeds them:
  no exception escapes, every row fits the table's schema, and every (start_char, end_char)
  pair indexes the stored text (0 <= start <= end <= len(text); a `<prefix>text` column beside a
  `<prefix>start_char` pair, or mention_text / sentence_text, equals text[start:end]).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED_ARTICLE
from transforms.articles import RejectedFile, decode_bytes, parse_article
from transforms.nlp.tables import DOC_TABLES, ArticleContext

TODAY = dt.date(2026, 11, 25)
HEADER_EXAMPLES = 1000
EXTRACTOR_EXAMPLES = 100

# Real words of the seed article (so NER fires) mixed with hostile characters.
WORDS = SEED_ARTICLE.read_text(encoding="utf-8").split()[:400]
ODD = [
    "\x00", "\x07", "\x1b[31m", "\r", "\r\n", "\n\n", "\t", "\u2028", "\u200b", "\u202e", "\ufeff",
    "\ud7ff", "\U0001f600", "e\u0301", "ﬁ", "İ", "ß", "\u0130", "{{", "}}", "{%", "'", '"', "--",
    ";", "$(", "`", "date", " date 2024-11-04 ", "Date:", "title:", "2024-02-30", "...", "U.S.",
]  # fmt: skip
tokens = st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD), st.text(max_size=8))
mixed_text = st.one_of(
    st.text(max_size=400),
    st.lists(tokens, max_size=120).map(" ".join),
    st.lists(tokens, max_size=120).map("".join),
)
headers = st.sampled_from(["", " date 2024-11-04 ", "date 2024-11-04\n\n", "Date: 2024-11-04\r\n"])


@settings(max_examples=HEADER_EXAMPLES, deadline=None)
@given(st.binary(max_size=300))
def test_decode_and_parse_arbitrary_bytes_only_reject(data):
    try:
        parsed = parse_article(decode_bytes(data), today=TODAY)
    except RejectedFile as rej:
        assert rej.code and len(rej.reason) > 20
        return
    assert parsed.text and parsed.text == parsed.text.strip()


@settings(max_examples=HEADER_EXAMPLES, deadline=None)
@given(headers, mixed_text)
def test_parse_arbitrary_unicode_only_rejects(header, body):
    try:
        parsed = parse_article(header + body, today=TODAY)
    except RejectedFile as rej:
        assert rej.code and len(rej.reason) > 20
        return
    assert parsed.text and parsed.text == parsed.text.strip()
    assert "\r" not in parsed.text
    assert dt.date(1800, 1, 1) <= parsed.published_date <= TODAY + dt.timedelta(days=1)


def _offset_pairs(columns: list[str]) -> list[tuple[str, str, str | None]]:
    """(start column, end column, text column or None) for every *start_char column."""
    pairs = []
    for col in columns:
        if not col.endswith("start_char"):
            continue
        prefix = col[: -len("start_char")]
        end = prefix + "end_char"
        if end not in columns:
            continue
        text_col = prefix + "text" if prefix and prefix + "text" in columns else None
        if not prefix:
            known = [c for c in ("mention_text", "sentence_text") if c in columns]
            text_col = known[0] if known else None
        pairs.append((col, end, text_col))
    return pairs


@pytest.fixture(scope="module")
def nlp():
    from transforms.nlp.pipeline import load_nlp

    return load_nlp()


@pytest.mark.slow
@settings(
    max_examples=EXTRACTOR_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(headers, mixed_text, st.dates(dt.date(1990, 1, 1), dt.date(2026, 1, 1)))
def test_every_extractor_on_arbitrary_text(nlp, header, body, published):
    try:
        text = parse_article(header + body, today=TODAY).text
    except RejectedFile:
        text = body  # extractors must be total on any text, parsed or not
    from transforms.nlp.pipeline import extractor_version

    doc = nlp(text)
    context = ArticleContext("fuzz", published, extractor_version(nlp))
    for table, (schema, extract) in DOC_TABLES.items():
        rows = extract(doc, context)  # must not raise
        frame = pl.DataFrame(rows, schema=schema)  # rows fit the declared schema
        for start, end, text_col in _offset_pairs(list(schema)):
            for row in frame.iter_rows(named=True):
                if row[start] is None or row[end] is None:
                    continue
                assert 0 <= row[start] <= row[end] <= len(text), (table, row)
                if text_col and row[text_col] is not None:
                    assert row[text_col] == text[row[start] : row[end]], (table, row)
