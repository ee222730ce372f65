"""Cross-article clustering assets (logic in transforms/extract/cluster.py).

Pledge and event mentions are written per article by the NLP stage (DOC_TABLES); a pledge or
event reported by several articles is only visible across all of them, so clustering runs here
over the whole lake, like the actor tables.
"""

import hashlib
from pathlib import Path

import dagster as dg
import polars as pl

from orchestration.metadata import table_metadata
from orchestration.settings import NewsledgerSettings
from transforms import exchange_rates, lake
from transforms.extract import base, cluster, parties
from transforms.extract.cluster import (
    EVENT_INPUT_COLUMNS,
    cluster_events_incremental,
    cluster_pledges,
)
from transforms.extract.events import EVENT_MENTION_SCHEMA
from transforms.extract.pledge_totals import PLEDGE_MENTION_TABLE_SCHEMA
from transforms.refdata import fingerprint

PLEDGE_TABLES = ("aid_pledges", "aid_pledge_members")
# The ECB rates the pledges' (currency, announcement date) pairs need (transforms/exchange_rates.py)
RATE_TABLE = "exchange_rates"
EVENT_TABLES = ("events", "event_members")
# The previous event clustering's input, beside its outputs (cluster_events_incremental); private.
EVENT_CLUSTER_INPUT = "event_cluster_input"


def _current(
    settings: NewsledgerSettings, table: str, schema: dict, columns: list[str] | None = None
):
    """Mentions of articles still in the input, from one extractor version of each
    (`lake.latest_version_keys`, the choice dbt makes too); `columns` (None: all) with the
    article key."""
    if columns is not None:
        columns = list(dict.fromkeys([*columns, *lake.ARTICLE_KEY]))
        schema = {c: schema[c] for c in columns}
    frame = lake.read_table(settings.lake, table, columns)
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    articles = lake.read_table(settings.lake, "articles", columns=["article_id"])
    keys = lake.latest_version_keys(settings.lake, table, articles["article_id"])
    return frame.join(keys, on=lake.ARTICLE_KEY, how="semi", maintain_order="left")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["lake", t],
            deps=[dg.AssetKey(["lake", "aid_pledge_mentions"])],
            kinds={"python", "polars"},
        )
        for t in (*PLEDGE_TABLES, RATE_TABLE)
    ],
    group_name="extract",
)
def pledge_tables(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    """One row per aid pledge across articles, with every member mention and why it joined; and
    the ECB exchange rates of their currencies on their announcement dates."""
    mentions = _current(settings, "aid_pledge_mentions", PLEDGE_MENTION_TABLE_SCHEMA)
    pledges, members = cluster_pledges(mentions)
    rates = exchange_rates.rates_for(exchange_rates.pledge_rate_pairs(pledges))
    tables = (*PLEDGE_TABLES, RATE_TABLE)
    for table, frame in zip(tables, (pledges, members, rates), strict=True):
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
    """One row per event across articles, with every member mention and why it joined.

    Incremental: only the key groups whose mentions changed since the previous run are
    clustered again (transforms/extract/cluster.py); the tables are those of a clustering
    from scratch.
    """
    # only what clustering reads: the whole table held ~1.4 GB at 100,000 articles
    mentions = _current(settings, "event_mentions", EVENT_MENTION_SCHEMA, EVENT_INPUT_COLUMNS)
    previous = _previous_event_clustering(settings.lake)
    events, members, state = cluster_events_incremental(mentions, *previous)
    for table, frame in zip(EVENT_TABLES, (events, members), strict=True):
        lake.write_snapshot(settings.lake, table, frame)
        yield dg.MaterializeResult(asset_key=["lake", table], metadata=table_metadata(frame))
    # Last, and stamped with the outputs it belongs to: a run killed before this line leaves a
    # state whose stamp no longer matches, and the next run clusters everything again.
    stamp = _event_outputs_stamp(settings.lake)
    lake.write_snapshot(
        settings.lake, EVENT_CLUSTER_INPUT, state.with_columns(_stamp=pl.lit(stamp))
    )


def _event_outputs_stamp(lake_dir: Path) -> str:
    """The clustering code's and reference data's fingerprint plus the outputs' bytes."""
    digest = hashlib.sha1(fingerprint(cluster.__file__, parties.__file__, base.__file__).encode())
    for table in EVENT_TABLES:
        digest.update(hashlib.sha1(lake.file_bytes(lake.snapshot_path(lake_dir, table))).digest())
    return digest.hexdigest()


def _previous_event_clustering(lake_dir: Path):
    """(input, events, event_members) of the previous run when they belong together, else Nones."""
    state = lake.read_snapshot(lake_dir, EVENT_CLUSTER_INPUT)
    if state is None or "_stamp" not in state.columns or not state.height:
        return None, None, None
    try:
        stamp = _event_outputs_stamp(lake_dir)
    except OSError:
        return None, None, None
    if state["_stamp"][0] != stamp or state["_stamp"].n_unique() != 1:
        return None, None, None
    events = lake.read_snapshot(lake_dir, "events")
    members = lake.read_snapshot(lake_dir, "event_members")
    return state.drop("_stamp"), events, members


defs = dg.Definitions(assets=[pledge_tables, event_tables])
