"""The 100,000-article harness without NLP (`make bench-warehouse`, benchmarks/warehouse_scale.py):
a replica N times larger whose every article is new yet already parsed."""

import polars as pl
import pytest

pytestmark = pytest.mark.slow


def test_a_replica_holds_each_article_n_times_under_new_ids_all_parsed(seeds_warehouse, tmp_path):
    from benchmarks.warehouse_scale import replicate
    from tests.conftest import SEEDS
    from transforms import actors, lake
    from transforms.articles import ingest_folder
    from transforms.nlp.pipeline import extractor_version
    from transforms.nlp.run import done_article_ids

    warehouse, _ = seeds_warehouse
    n = replicate(warehouse, SEEDS, tmp_path, times=2)
    source = ingest_folder(SEEDS).articles
    copies = ingest_folder(tmp_path / "input").articles
    # every file twice, each copy a new article (a file that duplicates another stays one)
    assert n == 2 * len(list(SEEDS.glob("*.txt")))
    assert copies.height == 2 * source.height
    assert not set(copies["article_id"]) & set(source["article_id"])
    # the copy reads as the original: same text once the zero-width spaces are taken off
    assert sorted(t.rstrip("\u200b") for t in copies["text"]) == sorted(
        2 * source["text"].to_list()
    )
    # `newsledger run` on the replica parses nothing: every new article is committed
    replica = tmp_path / "warehouse" / "lake"
    assert done_article_ids(replica, extractor_version()) == set(copies["article_id"])
    mentions = lake.read_table(replica, "entity_mentions")
    original = lake.read_table(warehouse / "lake", "entity_mentions")
    assert mentions.height == 2 * original.height
    assert mentions["mention_id"].is_unique().all()
    # the actor cache links the copies' own mentions, under this code's resolver version
    cache = lake.read_table(replica, actors.CACHE_TABLE)
    linked = cache.select(pl.col("links").list.eval(pl.element().struct.field("mention_id")))
    assert set(linked.explode("links")["links"].drop_nulls()) <= set(mentions["mention_id"])
    assert set(cache["resolver_version"]) == {actors.resolver_version()}
