"""The published warehouse asset (logic in transforms/warehouse.py)."""

import dagster as dg

from orchestration.defs.dbt import mart_asset_keys
from orchestration.settings import NewsledgerSettings
from transforms.locking import warehouse_lock
from transforms.warehouse import publish


@dg.asset(
    key=["published", "analytics_duckdb"],
    deps=mart_asset_keys(),
    group_name="publish",
    kinds={"duckdb"},
    pool="newsledger_duckdb",
    description="warehouse/analytics.duckdb: the marts, for SQL users and BI tools (read-only).",
)
def analytics_warehouse(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    with warehouse_lock(settings.warehouse_dir, on_wait=context.log.warning):
        counts = publish(
            settings.private_db,
            settings.published_db,
            run_info={"run_id": context.run.run_id},
            text_policy=settings.text_policy,
        )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.published_db)),
            "tables": dg.MetadataValue.json(counts),
            "text_policy": dg.MetadataValue.text(settings.text_policy),
            "dagster/row_count": dg.MetadataValue.int(counts.get("dim_articles", 0)),
        }
    )


defs = dg.Definitions(assets=[analytics_warehouse])
