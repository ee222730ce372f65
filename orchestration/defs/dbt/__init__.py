"""dbt stage: the dbt project's models as Dagster assets, its tests as asset checks."""

from orchestration.defs.dbt.assets import defs, mart_asset_keys

__all__ = ["defs", "mart_asset_keys"]
