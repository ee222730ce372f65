"""doc_cache answers what spaCy's own properties answer, and keeps no Doc alive after its scope."""

from __future__ import annotations

import gc

import pytest
from spacy.tokens import Doc

from tests.conftest import SEEDS
from transforms.articles import ingest_folder
from transforms.extract import doc_cache
from transforms.nlp.pipeline import load_nlp

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def doc() -> Doc:
    text = ingest_folder(SEEDS).articles.sort("article_id")["text"][0]
    return load_nlp()(text)


def test_cached_values_equal_spacys_own(doc):
    with doc_cache.cached(doc):
        assert [t.i for t in doc_cache.tokens(doc)] == [t.i for t in doc]
        for i, sent in enumerate(doc.sents):
            assert [t.i for t in doc_cache.span_tokens(sent)] == [t.i for t in sent]
            assert doc_cache.span_text(sent) == sent.text
            for tok in sent:
                assert doc_cache.sentence_index(doc, tok.i) == i
                assert doc_cache.sent_of(tok) == tok.sent
        for ent in doc.ents:
            assert doc_cache.span_text(ent) == ent.text
    tok = doc[5]
    assert doc_cache.sent_of(tok) == tok.sent  # outside a scope: spaCy's property


def test_extraction_leaves_no_reference_cycle_on_the_doc():
    from transforms.extract.base import ArticleContext
    from transforms.nlp.pipeline import extractor_version
    from transforms.nlp.run import extract_docs

    articles = ingest_folder(SEEDS).articles.sort("article_id").head(3)
    contexts = [
        ArticleContext(a, p, extractor_version())
        for a, p in zip(articles["article_id"], articles["published_date"], strict=True)
    ]
    gc.collect()
    before = {id(o) for o in gc.get_objects() if type(o) is Doc}  # the fixture's Doc
    gc.disable()  # a Doc freed only by the cycle collector would stay alive here
    try:
        extract_docs(zip(load_nlp().pipe(articles["text"].to_list()), contexts, strict=True))
        assert not [o for o in gc.get_objects() if type(o) is Doc and id(o) not in before]
    finally:
        gc.enable()
