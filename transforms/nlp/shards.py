"""Shards of the NLP work: every article belongs to one of N_SHARDS by a hash of its article_id.

A shard is the unit of parallel NLP work (one Dagster partition each, orchestration/defs/nlp).
Hash shards rather than publication months: a daily news feed puts the whole day in one month,
which would leave one partition doing all the work; a hash spreads any input evenly, and an
article never changes shard, so each shard stays incremental on its own. The shard count can
change without re-parsing anything: which articles are done is read from the lake, not from
the shard.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from transforms import lake
from transforms.nlp.run import uncommitted_parts

N_SHARDS = 8


def shard_keys(n: int = N_SHARDS) -> list[str]:
    return [f"shard-{i:02d}" for i in range(n)]


def shard_of(article_id: str, n: int = N_SHARDS) -> str:
    """The shard of one article (crc32 of its id: stable across processes and Python versions)."""
    return f"shard-{zlib.crc32(article_id.encode('utf-8')) % n:02d}"


def in_shards(articles: pl.DataFrame, keys: Iterable[str], n: int = N_SHARDS) -> pl.DataFrame:
    """The rows of `articles` whose article_id falls in one of the shards `keys`."""
    wanted = set(keys)
    mask = [shard_of(a, n) in wanted for a in articles["article_id"].to_list()]
    return articles.filter(pl.Series(mask, dtype=pl.Boolean))


def remove_orphan_parts_in(lake_dir: Path, keys: Iterable[str], n: int = N_SHARDS) -> int:
    """Delete the uncommitted parts (a crash mid-part) whose articles all fall in shards `keys`.

    Scoped so that NLP steps of other shards, running at the same time on the same lake, never
    lose a part they are writing (run.remove_orphan_parts deletes every uncommitted part).
    """
    wanted = set(keys)
    removed = 0
    for part in list(uncommitted_parts(lake_dir)):
        ids = lake.read_file(part, columns=["article_id"])["article_id"].unique().to_list()
        if all(shard_of(a, n) in wanted for a in ids):
            lake.remove(part)
            removed += 1
    return removed
