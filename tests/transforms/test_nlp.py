"""The NLP stage on the real model: offsets, incrementality, crash repair."""

from __future__ import annotations

import polars as pl
import pytest

from tests.conftest import SEEDS
from transforms import lake
from transforms.articles import ingest_folder
from transforms.nlp.pipeline import extractor_version
from transforms.nlp.run import done_article_ids, run_nlp
from transforms.nlp.tables import DOC_TABLES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def articles() -> pl.DataFrame:
    result = ingest_folder(SEEDS)
    return result.articles.filter(
        pl.col("source_path").is_in(
            ["000_55766d7a04a2f1f7.txt", "voa_6181504.txt", "voa_8007271.txt"]
        )
    )


def test_offsets_index_the_stored_text_and_sentences_come_from_the_parser(tmp_path, articles):
    run_nlp(tmp_path, articles, part_size=2)
    texts = dict(articles.select("article_id", "text").iter_rows())
    mentions = lake.read_table(tmp_path, "entity_mentions")
    sentences = lake.read_table(tmp_path, "sentences")
    for row in mentions.iter_rows(named=True):
        assert texts[row["article_id"]][row["start_char"] : row["end_char"]] == row["mention_text"]
    for row in sentences.iter_rows(named=True):
        assert texts[row["article_id"]][row["start_char"] : row["end_char"]] == row["sentence_text"]
    seed_id = articles.filter(pl.col("source_path").str.starts_with("000"))["article_id"][0]
    seed_sentences = sentences.filter(pl.col("article_id") == seed_id)
    assert seed_sentences.height >= 20  # the parser's sentences (the senter finds only 12)
    seed_people = set(
        mentions.filter((pl.col("article_id") == seed_id) & (pl.col("entity_label") == "PERSON"))[
            "mention_text"
        ]
    )
    assert {"Vladimir Putin", "Annalena Baerbock"} <= seed_people
    assert mentions["extractor_version"].unique().to_list() == [extractor_version()]


def test_rerun_parses_nothing_and_new_articles_only(tmp_path, articles):
    first = run_nlp(tmp_path, articles.head(2))
    assert first.n_parsed == 2
    again = run_nlp(tmp_path, articles.head(2))
    assert again.n_parsed == 0 and again.n_skipped == 2
    more = run_nlp(tmp_path, articles)
    assert more.n_parsed == 1 and more.n_skipped == 2
    assert done_article_ids(tmp_path, extractor_version()) == set(articles["article_id"])


def test_crash_mid_part_is_repaired_without_duplicates(tmp_path, articles):
    run_nlp(tmp_path, articles)
    complete = lake.read_table(tmp_path, "entity_mentions").height
    # Simulate a crash after the mentions part was written but before its sentences part.
    sentences_parts = list((tmp_path / "sentences").glob("part-*.parquet"))
    for part in sentences_parts:
        part.unlink()
    stats = run_nlp(tmp_path, articles)
    # one orphan per part for every table written before the commit table
    assert stats.n_orphans_removed == len(sentences_parts) * (len(DOC_TABLES) - 1)
    assert stats.n_parsed == articles.height
    mentions = lake.read_table(tmp_path, "entity_mentions")
    assert mentions.height == complete
    assert mentions["mention_id"].n_unique() == complete


def test_an_edited_rule_file_reparses_and_drops_the_old_parts(tmp_path, articles, source_copy):
    import transforms.nlp.pipeline as pipeline

    lake_dir = tmp_path / "lake"
    run_nlp(lake_dir, articles)
    old_version = extractor_version()
    with (source_copy / "extract" / "rules" / "aid_verbs.csv").open("a") as fh:
        fh.write("grant,give,tense\n")
    pipeline.rules_fingerprint.cache_clear()  # as a new process would
    stats = run_nlp(lake_dir, articles)
    assert stats.n_parsed == articles.height and stats.n_stale_parts_removed >= 1
    versions = set(lake.read_table(lake_dir, "entity_mentions")["extractor_version"])
    assert versions == {extractor_version()} and old_version not in versions


def test_the_version_read_from_the_package_is_the_loaded_pipelines():
    # run_nlp stamps rows with extractor_version() without loading the model in the main process
    from transforms.nlp.pipeline import load_nlp

    assert extractor_version() == extractor_version(load_nlp())


def test_a_party_and_state_affiliation_can_end_a_sentence():
    """transforms/nlp/sentences.py: the parser alone joins "..., R-Ky. Democrats said ..." into
    one sentence; "R-Ky., said" and "(D-Calif.)" stay inside theirs; the parser's own splits after
    "U.S." and "Inc." before a capital are kept."""
    from transforms.nlp.pipeline import load_bare_nlp, load_nlp

    text = (
        "“We will fight,” said Rep. Andy Barr, R-Ky. Democrats said they would oppose it. "
        "Sen. Mitch McConnell, R-Ky., said the bill would pass. Sen. Dianne Feinstein "
        "(D-Calif.) agreed. China imposed tariffs on the U.S. The ministry said the move was fair."
    )
    got = [s.text for s in load_nlp()(text).sents]
    assert got == [
        "“We will fight,” said Rep. Andy Barr, R-Ky.",
        "Democrats said they would oppose it.",
        "Sen. Mitch McConnell, R-Ky., said the bill would pass.",
        "Sen. Dianne Feinstein (D-Calif.) agreed.",
        "China imposed tariffs on the U.S.",
        "The ministry said the move was fair.",
    ], got
    bare = [s.text for s in load_bare_nlp()(text).sents]
    assert "Democrats said they would oppose it." not in bare  # what the rule is for
