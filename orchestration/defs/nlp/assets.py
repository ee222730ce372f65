"""NLP and actor assets (logic in transforms/nlp and transforms/actors.py)."""

import contextlib
import dataclasses
from pathlib import Path

import dagster as dg
import polars as pl

from orchestration.defs.ingest.assets import ARTICLES
from orchestration.metadata import lake_table_metadata, table_metadata
from orchestration.settings import NewsledgerSettings
from transforms import actor_lake, lake
from transforms.locking import warehouse_lock
from transforms.memory import release_memory
from transforms.nlp.pipeline import extractor_version
from transforms.nlp.run import remove_stale_parts, run_nlp
from transforms.nlp.shards import in_shards, remove_orphan_parts_in, shard_keys
from transforms.nlp.tables import DOC_TABLES

DOC_TABLE_KEYS = {table: dg.AssetKey(["lake", table]) for table in DOC_TABLES}
ACTOR_TABLES = ("actors", "mention_actors", "actor_aliases")
PLACE_TABLES = ("places", "place_mentions")


NLP_SHARDS = dg.StaticPartitionsDefinition(shard_keys())
ALL_SHARDS = "all"  # the mapping key of the one step of an unpartitioned run
SHARD_LOCKS = ".shard-locks"  # lake/.shard-locks/<shard>/: no table glob reads it


class NlpShardConfig(dg.Config):
    """spaCy processes per shard step: 1 by default, since shards already run in parallel."""

    processes_per_shard: int = 1


@dg.op(ins={"articles": dg.In(dg.Nothing)}, out=dg.DynamicOut(list), pool="newsledger_nlp")
def nlp_plan(context: dg.OpExecutionContext):
    """One step per partition (shard) of the run; an unpartitioned run gets one step for all."""
    if not (context.has_partition_key or context.has_partition_key_range):
        # `newsledger run`, dg.materialize: one step, run_nlp's own worker processes do the work.
        yield dg.DynamicOutput([ALL_SHARDS], mapping_key=ALL_SHARDS)
        return
    for key in context.partition_keys:
        yield dg.DynamicOutput([key], mapping_key=key.replace("-", "_"))


def _shard_locks(settings: NewsledgerSettings) -> Path:
    """The folder of the shard locks: in the lake when it is local; a lock file needs a local
    folder, so a lake elsewhere (transforms/lake.py) keeps them in the warehouse folder, where they
    only hold between the processes of one machine."""
    root = settings.lake if lake.is_local(settings.lake) else Path(settings.warehouse_dir)
    return root / SHARD_LOCKS


@dg.op
def nlp_parse(
    context: dg.OpExecutionContext,
    config: NlpShardConfig,
    settings: NewsledgerSettings,
    shards: list,
) -> dict:
    """Parse the articles of these shards not yet parsed by this extractor version.

    Writes only this shard's parts and removes only this shard's orphans: steps of other shards
    may be writing to the same lake at the same time.
    """
    articles = lake.read_snapshot(settings.lake, "articles", missing_ok=False)
    if shards == [ALL_SHARDS]:
        scope, n_process = shard_keys(), None  # run_nlp picks its process count
    else:
        scope, n_process = shards, config.processes_per_shard
        articles = in_shards(articles, scope)

    def progress(done: int, total: int) -> None:
        context.log.info(f"NLP {','.join(shards)}: {done}/{total} articles parsed")

    with contextlib.ExitStack() as locks:
        # One writer per shard across processes (a `newsledger run` beside a Dagster run would
        # otherwise parse the same articles twice); sorted, so two holders never deadlock.
        for key in sorted(scope):
            locks.enter_context(
                warehouse_lock(_shard_locks(settings) / key, on_wait=context.log.warning)
            )
        n_orphans = remove_orphan_parts_in(settings.lake, scope)
        # No model load here: run_nlp loads it in its worker processes (or here, when it runs
        # in-process and something is to be parsed).
        stats = run_nlp(
            settings.lake,
            articles,
            n_process=n_process,
            on_progress=progress,
            cleanup=False,
        )
    stats.n_orphans_removed = n_orphans
    context.log.info(f"NLP stats {','.join(shards)}: {stats}")
    del articles
    release_memory()  # the texts and the chunk rows of every parsed article
    return {**dataclasses.asdict(stats), "extractor_version": extractor_version()}


@dg.op(out={table: dg.Out(dg.Nothing) for table in DOC_TABLES}, pool="newsledger_nlp")
def nlp_commit(context: dg.OpExecutionContext, settings: NewsledgerSettings, stats: list):
    """After every shard step: drop the parts of older extractor versions no longer needed."""
    versions = {s["extractor_version"] for s in stats}  # no model load in this step
    if len(versions) > 1:
        raise RuntimeError(
            "the shard steps of this run parsed under different extractor versions "
            f"({', '.join(sorted(versions))}): a rule, reference, extraction code or model file "
            "changed during the run (transforms/nlp/pipeline.py fingerprints them). Run again: "
            "the articles not parsed under the current version are parsed again, once."
        )
    (version,) = versions
    live = lake.read_snapshot(settings.lake, "articles", ["article_id"], missing_ok=False)
    n_stale = remove_stale_parts(settings.lake, version, set(live["article_id"].to_list()))
    context.log.info(f"NLP: removed {n_stale} parts of older extractor versions")
    n_parsed = sum(s["n_parsed"] for s in stats)
    n_skipped = sum(s["n_skipped"] for s in stats)
    for table in DOC_TABLES:
        yield dg.Output(
            None,
            output_name=table,
            metadata=lake_table_metadata(
                settings.lake,
                table,
                extractor_version=version,
                n_parsed_this_run=n_parsed,
                n_skipped_unchanged=n_skipped,
                n_shard_steps=len(stats),
            ),
        )


@dg.graph_multi_asset(
    outs={
        table: dg.AssetOut(key=key, dagster_type=dg.Nothing, kinds={"spacy", "polars", "parquet"})
        for table, key in DOC_TABLE_KEYS.items()
    },
    ins={"articles": dg.AssetIn(key=ARTICLES, dagster_type=dg.Nothing)},
    partitions_def=NLP_SHARDS,
    # A backfill of many shards is one run whose shard steps the executor runs in parallel
    # (multiprocess here, one pod per step with dagster-k8s): docs/deployment.md.
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="nlp",
)
def nlp_tables(articles):
    """Parse articles not yet parsed by this extractor version, one step per shard."""
    stats = nlp_plan(articles).map(nlp_parse).collect()
    return nlp_commit(stats)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["lake", t], deps=[DOC_TABLE_KEYS["entity_mentions"]], kinds={"python", "polars"}
        )
        for t in ACTOR_TABLES + PLACE_TABLES
    ],
    group_name="nlp",
)
def actor_tables(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    """Resolve every entity mention to an actor, across all articles; geocode place mentions.

    Incremental: per-article resolutions, per-article places and geocodes are cached in the
    lake, so a rerun resolves and places only new articles and geocodes only new place names;
    the cross-article steps are Polars steps over the cached per-article rows.
    """
    article_ids = lake.read_snapshot(settings.lake, "articles", ["article_id"], missing_ok=False)[
        "article_id"
    ]
    # Only each article's latest extractor version, one row per mention span.
    keys = lake.latest_version_keys(settings.lake, "entity_mentions", article_ids)
    # Each half's tables are written and let go before the next half runs: holding the actor
    # tables (a row per entity mention) while placing made the step's peak their sum (2.1 GB at
    # 100,000 articles, session 22's benchmarks/warehouse_scale.py).
    actor_frames, stats = actor_lake.lake_actors(settings.lake, keys)
    context.log.info(f"actors: {stats}")
    yield from _write_tables(settings, ACTOR_TABLES, actor_frames)
    del actor_frames
    release_memory()
    place_frames, place_stats = actor_lake.lake_places(settings.lake, keys)
    context.log.info(f"places: {place_stats}")
    yield from _write_tables(settings, PLACE_TABLES, place_frames)
    del place_frames
    release_memory()


def _write_tables(
    settings: NewsledgerSettings, tables: tuple[str, ...], frames: tuple[pl.DataFrame, ...]
):
    for table, frame in zip(tables, frames, strict=True):
        lake.write_snapshot(settings.lake, table, frame)
        yield dg.MaterializeResult(asset_key=["lake", table], metadata=table_metadata(frame))


defs = dg.Definitions(assets=[nlp_tables, actor_tables])
