"""Cross-article clustering assets (logic in transforms/extract/cluster.py).

Pledge and event mentions are written per article by the NLP stage (DOC_TABLES); a pledge or
event reported by several articles is only visible across all of them, so clustering runs here
over the whole lake, like the actor tables.
"""

import dagster as dg

from orchestration.metadata import table_metadata
from orchestration.settings import NewsledgerSettings
from transforms import lake
from transforms.extract.cluster import cluster_events, cluster_pledges
from transforms.extract.events import EVENT_MENTION_SCHEMA
from transforms.extract.pledges import PLEDGE_MENTION_SCHEMA

PLEDGE_TABLES = ("aid_pledges", "aid_pledge_members")
EVENT_TABLES = ("events", "event_members")


def _current(settings: NewsledgerSettings, table: str, schema: dict):
    """Mentions of articles still in the input, from the newest extractor version of each."""
    import polars as pl

    frame = lake.read_table(settings.lake, table)
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    articles = lake.read_table(settings.lake, "articles", columns=["article_id"])
    frame = frame.filter(pl.col("article_id").is_in(articles["article_id"].implode()))
    newest = frame.group_by("article_id").agg(pl.col("extractor_version").max().alias("_v"))
    return (
        frame.join(newest, on="article_id")
        .filter(pl.col("extractor_version") == pl.col("_v"))
        .drop("_v")
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["lake", t],
            deps=[dg.AssetKey(["lake", "aid_pledge_mentions"])],
            kinds={"python", "polars"},
        )
        for t in PLEDGE_TABLES
    ],
    group_name="extract",
)
def pledge_tables(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    """One row per aid pledge across articles, with every member mention and why it joined."""
    mentions = _current(settings, "aid_pledge_mentions", PLEDGE_MENTION_SCHEMA)
    for table, frame in zip(PLEDGE_TABLES, cluster_pledges(mentions), strict=True):
        lake.write_snapshot(settings.lake, table, frame)
        yield dg.MaterializeResult(asset_key=["lake", table], metadata=table_metadata(frame))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["lake", t], deps=[dg.AssetKey(["lake", "event_mentions"])], kinds={"python", "polars"}
        )
        for t in EVENT_TABLES
    ],
    group_name="extract",
)
def event_tables(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    """One row per event across articles, with every member mention and why it joined."""
    mentions = _current(settings, "event_mentions", EVENT_MENTION_SCHEMA)
    for table, frame in zip(EVENT_TABLES, cluster_events(mentions), strict=True):
        lake.write_snapshot(settings.lake, table, frame)
        yield dg.MaterializeResult(asset_key=["lake", table], metadata=table_metadata(frame))


defs = dg.Definitions(assets=[pledge_tables, event_tables])
