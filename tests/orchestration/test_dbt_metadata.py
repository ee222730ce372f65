"""The Dagster UI shows row counts and a preview on the dbt assets (not only the lake assets)."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow


def test_every_dbt_table_materialization_has_its_row_count_and_a_preview(seeds_warehouse):
    warehouse, result = seeds_warehouse
    if result is None:
        pytest.skip("NEWSLEDGER_TEST_SEEDS_WAREHOUSE reuses a build: no run result to inspect")
    mats = {
        m.asset_key.to_user_string(): m.materialization.metadata
        for m in result.get_asset_materialization_events()
    }
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        published = {
            r[0]: con.execute(f'select count(*) from "{r[0]}"').fetchone()[0]
            for r in con.execute("select table_name from information_schema.tables").fetchall()
            if r[0] != "pipeline_runs"
        }
    assert {"dim_articles", "fct_entity_mentions", "dim_actors"} <= set(published)
    for table, n in published.items():
        meta = mats[table]
        assert meta["dagster/row_count"].value == n, table
        assert "|" in meta["preview"].value or n == 0, table
    # seeds and intermediate tables get them too; views do not (counting one recomputes it over
    # the whole lake on every run: its table downstream carries the number)
    assert mats["reference/countries"]["dagster/row_count"].value == published["dim_countries"]
    assert "dagster/row_count" not in mats["staging/stg_articles"]
    n_mentions = mats["intermediate/int_entity_mentions"]["dagster/row_count"].value
    assert n_mentions == published["fct_entity_mentions"]


def test_lake_table_metadata_counts_every_part_without_reading_them(tmp_path):
    import polars as pl

    from orchestration.metadata import lake_table_metadata, table_metadata
    from transforms import lake

    parts = [pl.DataFrame({"article_id": [f"a{i}" for i in range(n)]}) for n in (7, 3)]
    for i, part in enumerate(parts):
        lake.write_atomic(part, lake.part_path(tmp_path, "sentences", f"k{i}"))
    meta = lake_table_metadata(tmp_path, "sentences", extractor_version="v")
    assert meta["dagster/row_count"].value == 10 == lake.read_table(tmp_path, "sentences").height
    assert meta["preview"] == table_metadata(lake.read_table(tmp_path, "sentences"))["preview"]
    assert meta["extractor_version"] == "v"
    assert lake_table_metadata(tmp_path, "claims")["dagster/row_count"].value == 0
