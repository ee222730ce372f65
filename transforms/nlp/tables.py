"""Doc-level extractors: one spaCy Doc of one article -> rows of the sentence and mention tables.

Each extractor is a function `(doc, article) -> list[dict]` registered in DOC_TABLES with the
Polars schema of its table; `article` (ArticleContext) carries the article id, its publication
date (to resolve "last Friday") and the extractor version to stamp on every row.
Character offsets are offsets into the stored article text (the Doc is built from exactly that
text), so `text[start_char:end_char]` is the span.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from spacy.tokens import Doc, Span

from transforms.extract import doc_cache
from transforms.extract.base import ArticleContext, stable_id
from transforms.extract.claims import (
    CLAIM_NUMBER_SCHEMA,
    CLAIM_SCHEMA,
    claim_number_rows,
    claim_rows,
)
from transforms.extract.events import EVENT_MENTION_SCHEMA, event_rows
from transforms.extract.pledge_totals import PLEDGE_MENTION_TABLE_SCHEMA, pledge_mention_rows

SENTENCE_SCHEMA = {
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "sentence_text": pl.String,
    "extractor_version": pl.String,
}
MENTION_SCHEMA = {
    "mention_id": pl.String,
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "mention_text": pl.String,
    "entity_label": pl.String,
    "extractor_version": pl.String,
}


def sentence_rows(doc: Doc, article: ArticleContext) -> list[dict]:
    with doc_cache.cached(doc):
        return [
            {
                "article_id": article.article_id,
                "sentence_index": i,
                "start_char": sent.start_char,
                "end_char": sent.end_char,
                "sentence_text": doc_cache.span_text(sent),
                "extractor_version": article.version,
            }
            for i, sent in enumerate(doc_cache.sents(doc))
        ]


def mention_rows(doc: Doc, article: ArticleContext) -> list[dict]:
    with doc_cache.cached(doc):
        return [_mention_row(doc, ent, article) for ent in doc_cache.ents(doc)]


def _mention_row(doc: Doc, ent: Span, article: ArticleContext) -> dict:
    return {
        "mention_id": stable_id(article.article_id, ent.start_char, ent.end_char, ent.label_),
        "article_id": article.article_id,
        "sentence_index": doc_cache.sentence_index(doc, ent.start),
        "start_char": ent.start_char,
        "end_char": ent.end_char,
        "mention_text": doc_cache.span_text(ent),
        "entity_label": ent.label_,
        "extractor_version": article.version,
    }


# Table name -> (schema, extractor). `sentences` is written last for each batch: its presence
# marks the batch's articles as done (see transforms/nlp/run.py).
DOC_TABLES: dict[str, tuple[dict, Callable[[Doc, ArticleContext], list[dict]]]] = {
    "entity_mentions": (MENTION_SCHEMA, mention_rows),
    "claims": (CLAIM_SCHEMA, claim_rows),
    "claim_numbers": (CLAIM_NUMBER_SCHEMA, claim_number_rows),
    "aid_pledge_mentions": (PLEDGE_MENTION_TABLE_SCHEMA, pledge_mention_rows),
    "event_mentions": (EVENT_MENTION_SCHEMA, event_rows),
    "sentences": (SENTENCE_SCHEMA, sentence_rows),
}
