"""The Dagster definitions load, with the asset graph, the schedule and the new-file sensor."""

from __future__ import annotations

import shutil

import dagster as dg

from tests.conftest import SEED_ARTICLE
from transforms.nlp.shards import shard_keys


def test_definitions_load_with_graph_schedule_and_sensor(dbt_manifest):
    from orchestration.definitions import defs

    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    for key in [
        "lake/articles",
        "lake/rejected_files",
        "lake/sentences",
        "lake/entity_mentions",
        "lake/actors",
        "dim_articles",
        "fct_entity_mentions",
        "dim_actors",
        "mart_actor_mentions",
        "rejected_files",
        "published/analytics_duckdb",
    ]:
        assert key in keys
    graph = defs.resolve_asset_graph()
    # dbt sources are the Python assets: lineage runs from the lake into the staging models
    assert (
        dg.AssetKey(["lake", "articles"])
        in graph.get(dg.AssetKey(["staging", "stg_articles"])).parent_keys
    )
    assert defs.resolve_schedule_def("newsledger_daily").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("new_article_files").job_name == "newsledger_job"
    checks = graph.asset_check_keys
    assert any(c.asset_key == dg.AssetKey("dim_articles") for c in checks)


def test_sensor_requests_a_run_only_when_files_arrive(dbt_manifest, tmp_path):
    from orchestration.defs.automation.automation import new_article_files
    from orchestration.settings import NewsledgerSettings

    settings = NewsledgerSettings(input_dir=str(tmp_path), warehouse_dir=str(tmp_path / "wh"))
    shutil.copy(SEED_ARTICLE, tmp_path / "a.txt")
    context = dg.build_sensor_context(resources={"settings": settings})
    first = new_article_files(context)
    assert isinstance(first, dg.RunRequest)
    context = dg.build_sensor_context(cursor=context.cursor, resources={"settings": settings})
    assert isinstance(new_article_files(context), dg.SkipReason)
    shutil.copy(SEED_ARTICLE, tmp_path / "b.txt")
    request = new_article_files(context)
    assert isinstance(request, dg.RunRequest)
    assert request.tags["dagster/asset_partition_range_end"] == shard_keys()[-1]  # every shard


def test_the_daily_schedule_asks_for_every_nlp_shard_in_one_run(dbt_manifest):
    from orchestration.definitions import defs

    job = defs.resolve_job_def("newsledger_job")
    assert job.partitions_def.get_partition_keys() == shard_keys()
    schedule = defs.resolve_schedule_def("newsledger_daily")
    (request,) = schedule.evaluate_tick(dg.build_schedule_context()).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == shard_keys()[0]
    assert request.tags["dagster/asset_partition_range_end"] == shard_keys()[-1]
