"""NLP and actor assets (logic in transforms/nlp and transforms/actors.py)."""

import dagster as dg
import polars as pl

from orchestration.defs.ingest.assets import ARTICLES
from orchestration.metadata import table_metadata
from orchestration.settings import NewsledgerSettings
from transforms import lake
from transforms.actors import resolve_lake
from transforms.nlp.pipeline import extractor_version
from transforms.nlp.run import run_nlp
from transforms.nlp.tables import DOC_TABLES
from transforms.places import (
    GEOCODE_CACHE,
    PLACE_INPUT_SCHEMA,
    PLACE_LABELS,
    geocode_texts,
    resolve_places,
)

DOC_TABLE_KEYS = {table: dg.AssetKey(["lake", table]) for table in DOC_TABLES}
ACTOR_TABLES = ("actors", "mention_actors", "actor_aliases")
PLACE_TABLES = ("places", "place_mentions")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, deps=[ARTICLES], kinds={"spacy", "polars", "parquet"})
        for key in DOC_TABLE_KEYS.values()
    ],
    group_name="nlp",
    pool="newsledger_nlp",
)
def nlp_tables(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    """Parse articles not yet parsed by this extractor version; append one part per batch."""
    articles = pl.read_parquet(settings.lake / "articles" / "current.parquet")

    def progress(done: int, total: int) -> None:
        context.log.info(f"NLP: {done}/{total} articles parsed")

    # No model load here: run_nlp loads it in its worker processes (or here, for small inputs).
    stats = run_nlp(settings.lake, articles, on_progress=progress)
    context.log.info(f"NLP stats: {stats}")
    for table, key in DOC_TABLE_KEYS.items():
        frame = lake.read_table(settings.lake, table)
        yield dg.MaterializeResult(
            asset_key=key,
            metadata=table_metadata(
                frame,
                extractor_version=extractor_version(),
                n_parsed_this_run=stats.n_parsed,
                n_skipped_unchanged=stats.n_skipped,
            ),
        )


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

    Incremental: per-article resolutions and geocodes are cached in the lake, so a rerun
    resolves only new articles and geocodes only new place names; the cross-article step is a
    Polars step over the cached per-article rows.
    """
    article_ids = pl.read_parquet(
        settings.lake / "articles" / "current.parquet", columns=["article_id"]
    )["article_id"]
    # Only each article's latest extractor version, one row per mention span.
    keys = lake.latest_version_keys(settings.lake, "entity_mentions", article_ids)
    actor_frames, stats = resolve_lake(settings.lake, keys)
    context.log.info(f"actors: {stats}")
    place_rows = lake.read_rows_of(
        settings.lake,
        "entity_mentions",
        keys,
        list(PLACE_INPUT_SCHEMA),
        where=pl.col("entity_label").is_in(PLACE_LABELS),
        unique_on="mention_id",
    )
    if not place_rows.height:
        place_rows = pl.DataFrame(schema=PLACE_INPUT_SCHEMA)
    known = lake.read_snapshot(settings.lake, GEOCODE_CACHE)
    geocoded = geocode_texts(place_rows["mention_text"], known)
    if known is None or geocoded.height != known.height:
        lake.write_snapshot(settings.lake, GEOCODE_CACHE, geocoded)
    frames = dict(zip(ACTOR_TABLES, actor_frames, strict=True))
    frames |= dict(zip(PLACE_TABLES, resolve_places(place_rows, geocoded), strict=True))
    for table, frame in frames.items():
        lake.write_snapshot(settings.lake, table, frame)
        yield dg.MaterializeResult(asset_key=["lake", table], metadata=table_metadata(frame))


defs = dg.Definitions(assets=[nlp_tables, actor_tables])
