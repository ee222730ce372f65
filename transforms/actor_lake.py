"""The actor step's lake side (`actor_tables`): the per-article caches of actors and of places,
the articles missing from them resolved in batches, and the cross-article step over every
cached row.

What an article's rows are is decided in transforms/actors.py and transforms/places.py. Their
fingerprints are in the cache keys (`actors.resolver_version`, `places.geocode_key`) and in the
extractor's (transforms/nlp/pipeline.py VERSIONED_CODE). This module only reads, caches and
combines those rows: it is in neither fingerprint, so a change here neither re-parses nor
re-resolves a warehouse (before session 21 it lived in actors.py and places.py, where any
change, even to how a cache is read, re-parsed every warehouse).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from transforms import actors, lake, places

CACHE_BATCH = 1000  # articles resolved per cache part: bounds the memory of a full run
CACHE_MAX_PARTS = 16  # more parts than this (or more dead rows than live): rewritten as one
GEOCODE_CACHE = "geocode_cache"  # private lake snapshot: the candidates of each distinct text


@dataclasses.dataclass
class CacheStats:
    """What one run of a half of the step found in its cache and resolved (`actor_tables` logs
    it): the current articles, those found cached, those resolved now."""

    n_articles: int = 0
    n_cached: int = 0
    n_resolved: int = 0


# --- actors -------------------------------------------------------------------------------------
@dataclasses.dataclass
class ActorCacheStats(CacheStats):
    n_stale_parts_removed: int = 0  # cache parts of another resolver version, deleted
    compacted: bool = False  # the live rows rewritten as one part


def _unnest(cache: pl.LazyFrame) -> actors.ArticleActors:
    """The four flat per-article tables of cache rows, read one nested column at a time."""
    frames = {}
    for name, schema in actors.ARTICLE_PARTS.items():
        frames[name] = (
            cache.select("article_id", name)
            .explode(name)
            .drop_nulls(name)
            .unnest(name)
            .select(list(schema))
            .cast(schema)
            .collect()
        )
    return actors.ArticleActors(**frames)


_INDEX_SCHEMA = {"row": pl.UInt32, **dict.fromkeys(actors.CACHE_KEY, pl.String), "file": pl.UInt32}


def _index(path: lake.LakePath, file: int, keys: pl.DataFrame | None = None) -> pl.DataFrame:
    """The key columns of a cache part's rows, with their file and row numbers."""
    keys = (
        lake.read_file(path, columns=actors.CACHE_KEY)
        if keys is None
        else keys.select(actors.CACHE_KEY)
    )
    return keys.with_row_index("row").with_columns(file=pl.lit(file, pl.UInt32))


def _read_index(
    lake_dir: Path, version: str, stats: ActorCacheStats
) -> tuple[list[lake.LakePath], pl.DataFrame]:
    """The cache parts of this resolver version and the keys of their rows (parts of another
    version are deleted). Only the key columns are read here: the nested lists are read later,
    of the live rows only (`_scan_live`)."""
    files, index = [], [pl.DataFrame(schema=_INDEX_SCHEMA)]
    for path in lake.table_files(lake_dir, actors.CACHE_TABLE):
        keys = lake.read_file(path, columns=actors.CACHE_KEY)
        if not keys.height or keys["resolver_version"][0] != version:
            lake.remove(path)
            stats.n_stale_parts_removed += 1
            continue
        index.append(_index(path, len(files), keys))
        files.append(path)
    return files, pl.concat(index)


def _scan_live(files: list[lake.LakePath], live: pl.DataFrame) -> pl.LazyFrame:
    """The cache rows that `live` lists by (file, row), lazily, part after part."""
    return pl.concat(list(_live_parts(files, live, lazy=True)), how="vertical_relaxed")


def _live_parts(
    files: list[lake.LakePath], live: pl.DataFrame, lazy: bool = False
) -> Iterator[pl.DataFrame | pl.LazyFrame]:
    """The cache rows that `live` lists by (file, row), one part after another, each read whole
    (or scanned, `lazy`). A compaction writes them one part at a time (`lake.write_atomic` of
    an iterator): at 100,000 articles (250 parts), Polars' sink of the lazy concatenation held
    the whole nested cache, +1.4 GB."""
    for (file,), rows in live.partition_by("file", as_dict=True, maintain_order=True).items():
        part = lake.scan_file(files[file])
        if rows.height != part.select(pl.len()).collect().item():
            part = part.with_row_index("row").filter(pl.col("row").is_in(rows["row"].implode()))
            part = part.drop("row")
        yield part if lazy else part.collect()


def lake_actors(
    lake_dir: Path, keys: pl.DataFrame
) -> tuple[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], ActorCacheStats]:
    """Actors of the lake's current articles, resolving only articles not seen before.

    `keys` holds (article_id, extractor_version) of every current article's mentions. An
    article's per-article resolution is cached under (article_id, extractor version, resolver
    version); the NLP never re-parses an (article, version), so its mentions are fixed. The NLP
    workers write the cache rows of the articles they parse (`actors.cache_rows`); articles still
    missing are resolved here CACHE_BATCH at a time (their mentions and texts only), then the
    cross-article step runs over all cached rows. Returns what `actors.resolve_mentions` returns.

    Memory (issue 6): the cache parts are indexed by their key columns first; the nested lists
    are read of the live rows only, one list column at a time, straight into the flat tables
    `actors.combine` needs, and a compaction writes the live rows into the new part one part at
    a time. Holding the nested cache whole cost more than the flat tables themselves (at 20,000
    articles ~180 MB, then ~250 MB more to unnest it).
    """
    version = actors.resolver_version()
    stats = ActorCacheStats(n_articles=keys.height)
    wanted = keys.select(lake.ARTICLE_KEY).with_columns(resolver_version=pl.lit(version))
    files, index = _read_index(lake_dir, version, stats)
    # A mask on the key columns: a crash during a compaction may leave a row in two parts.
    index = index.filter(pl.struct(actors.CACHE_KEY).is_first_distinct())
    live = index.join(wanted, on=actors.CACHE_KEY, how="semi", maintain_order="left")
    n_dead = index.height - live.height
    todo = wanted.join(live.select(actors.CACHE_KEY), on=actors.CACHE_KEY, how="anti").sort(
        "article_id"
    )
    stats.n_cached, stats.n_resolved = live.height, todo.height
    batches = lake.batches_of_rows(
        lake_dir,
        "entity_mentions",
        todo,
        ["mention_id", "article_id", "mention_text", "entity_label", "start_char", "end_char"],
        CACHE_BATCH,
        unique_on="mention_id",
    )
    for keys_of_batch, mentions in batches:
        batch = keys_of_batch.with_columns(resolver_version=pl.lit(version)).sort("article_id")
        ids = batch["article_id"]
        texts = dict(
            lake.scan_snapshot(lake_dir, "articles")
            .select("article_id", "text")
            .filter(pl.col("article_id").is_in(ids.implode()))
            .collect()
            .iter_rows()
        )
        key = hashlib.sha256("\n".join([version, *ids.to_list()]).encode()).hexdigest()[:16]
        path = lake.part_path(lake_dir, actors.CACHE_TABLE, key)
        lake.write_atomic(actors.nest(batch, actors.resolve_articles(mentions, texts)), path)
        live = pl.concat([live, _index(path, len(files), batch)])
        files.append(path)
    if not live.height:
        return actors.resolve_mentions(_EMPTY_MENTIONS), stats
    if len(files) > CACHE_MAX_PARTS or n_dead > live.height:
        # Rewrite the live rows as one part, then delete the others (a crash in between leaves
        # duplicates of identical rows, which the mask above collapses).
        key = hashlib.sha256(f"compact:{version}:{live.height}".encode()).hexdigest()[:16]
        target = lake.part_path(lake_dir, actors.CACHE_TABLE, key)
        lake.write_atomic(_live_parts(files, live), target)
        for path in files:  # only the parts read here: a part written meanwhile stays
            if path != target:
                lake.remove(path)
        files, live = [target], _index(target, 0)
        stats.compacted = True
    return actors.combine(_unnest(_scan_live(files, live))), stats


_EMPTY_MENTIONS = pl.DataFrame(
    schema={
        "mention_id": pl.String,
        "article_id": pl.String,
        "mention_text": pl.String,
        "entity_label": pl.String,
        "start_char": pl.Int32,
        "end_char": pl.Int32,
    }
)


# --- places -------------------------------------------------------------------------------------
PLACE_CACHE = "place_cache"  # private lake snapshot: each article's place mentions, resolved
PLACE_BATCH = 2000  # articles placed at a time
PLACE_CACHE_SCHEMA = {
    **places.ARTICLE_PLACE_COLUMNS,
    "extractor_version": pl.String,
    "cache_key": pl.String,
}


@dataclasses.dataclass
class PlaceCacheStats(CacheStats):
    n_dropped: int = 0  # cached rows of articles gone, re-parsed or of another geocoder


def _scan_place_cache(lake_dir) -> pl.LazyFrame:
    """The place cache's rows; none when it is missing, unreadable or of another schema."""
    try:
        scan = lake.scan_snapshot(lake_dir, PLACE_CACHE)
        if dict(scan.collect_schema()) == PLACE_CACHE_SCHEMA:
            return scan
    except (OSError, pl.exceptions.PolarsError):
        pass
    return pl.DataFrame(schema=PLACE_CACHE_SCHEMA).lazy()


def lake_places(
    lake_dir, keys: pl.DataFrame
) -> tuple[tuple[pl.DataFrame, pl.DataFrame], PlaceCacheStats]:
    """(places, place_mentions) of the lake's current articles, resolving only articles not
    resolved before under the same geocoder.

    `keys` holds (article_id, extractor_version) of every current article's entity mentions; the
    NLP never re-parses an (article, version), so its mentions are fixed, and an article's
    places depend only on them and on the geocoder (`places.geocode_key`: its code, rules and
    reference data). Each article's rows are kept in the private snapshot PLACE_CACHE under
    those keys (one row with no mention for an article without places); a change of the geocoder
    resolves every article again. The places table is then picked from all cached rows
    (`places.places_of`), as a one-pass `resolve_places` over every article would.
    """
    cache_key = places.geocode_key()
    wanted = keys.select(lake.ARTICLE_KEY)
    stats = PlaceCacheStats(n_articles=wanted.height)
    # The live rows are read in one pass of the cache (reading it whole, then filtering, held it
    # twice: ~1 GB at 100,000 articles).
    cached = _scan_place_cache(lake_dir)
    live = (
        cached.filter(pl.col("cache_key") == cache_key)
        .join(wanted.lazy(), on=lake.ARTICLE_KEY, how="semi", maintain_order="left")
        .collect()
    )
    stats.n_dropped = cached.select(pl.len()).collect().item() - live.height
    todo = wanted.join(live.select(lake.ARTICLE_KEY).unique(), on=lake.ARTICLE_KEY, how="anti")
    stats.n_cached, stats.n_resolved = wanted.height - todo.height, todo.height
    known = lake.read_snapshot(lake_dir, GEOCODE_CACHE) if todo.height else None
    geocoded = known
    parts = [live]
    # PLACE_BATCH articles at a time: a first run's memory stays that of one batch's rows.
    batches = lake.batches_of_rows(
        lake_dir,
        "entity_mentions",
        todo,
        [*places.PLACE_INPUT_SCHEMA],
        PLACE_BATCH,
        where=pl.col("entity_label").is_in(places.CONTEXT_LABELS),
        unique_on="mention_id",
    )
    for batch, mentions in batches:
        if not mentions.height:
            mentions = pl.DataFrame(schema=places.PLACE_INPUT_SCHEMA)
        # In article and text order, not the lake's part order (which differs between one pass
        # and the shards of a Celery or multiprocess run).
        mentions = mentions.sort("article_id", "start_char", "mention_id")
        geocoded = places.geocode_texts(
            mentions.filter(pl.col("entity_label").is_in(places.PLACE_LABELS))["mention_text"],
            geocoded,
        )
        fresh = places.article_places(mentions, geocoded)
        # An article without places: one row without a mention, so that it counts as done.
        empty = batch.select("article_id").join(
            fresh.select("article_id"), on="article_id", how="anti"
        )
        fresh = pl.concat([fresh, empty], how="diagonal").join(batch, on="article_id", how="left")
        parts.append(
            fresh.with_columns(cache_key=pl.lit(cache_key)).select(list(PLACE_CACHE_SCHEMA))
        )
        del mentions, fresh
    if todo.height and places.geocode_cache_changed(known, geocoded):
        lake.write_snapshot(lake_dir, GEOCODE_CACHE, geocoded)
    live = pl.concat(parts)
    if todo.height or stats.n_dropped:
        lake.write_snapshot(lake_dir, PLACE_CACHE, live)
    return places.places_of(live), stats
