"""What runs when: one job materializing every asset, daily and whenever new files arrive.

Runs never overlap: dagster.yaml caps the run queue at one run at a time, so two runs never
fight over the DuckDB file lock (the pools newsledger_duckdb / newsledger_nlp additionally
serialize the writing steps if several runs are ever allowed).

The schedule and the sensor ask for every NLP shard (a partition range), so the executor runs
the shard steps in parallel and the UI shows each shard materialized; `newsledger run` runs the
same job unpartitioned, in-process, with one NLP step (docs/deployment.md). Which executor runs
the steps of launched runs is a setting (NEWSLEDGER_EXECUTOR, orchestration/executors.py).
"""

import os
from pathlib import Path

import dagster as dg

from orchestration.executors import job_executor
from orchestration.settings import NewsledgerSettings
from transforms.nlp.shards import shard_keys


def all_shards_tags() -> dict[str, str]:
    """Run tags asking for every NLP partition in one run (what a single-run backfill sets)."""
    keys = shard_keys()
    return {
        "dagster/asset_partition_range_start": keys[0],
        "dagster/asset_partition_range_end": keys[-1],
    }


newsledger_job = dg.define_asset_job(
    "newsledger_job",
    selection=dg.AssetSelection.all(),
    description="Ingest -> NLP -> actors -> dbt build -> publish, on the whole input folder.",
    # multiprocess, celery or k8s: NEWSLEDGER_EXECUTOR (orchestration/executors.py)
    executor_def=job_executor(),
)


@dg.schedule(
    name="newsledger_daily",
    job=newsledger_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    # Schedule-level tags may not use the reserved dagster/ prefix; a RunRequest's may.
    return dg.RunRequest(tags=all_shards_tags())


def input_fingerprint(input_dir: Path) -> tuple[int, int]:
    """(newest modification time in ns, number of files): changes when files arrive or change."""
    newest, count = 0, 0
    for root, dirs, files in os.walk(input_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            try:
                newest = max(newest, os.stat(os.path.join(root, name)).st_mtime_ns)
            except OSError:
                continue
            count += 1
    return newest, count


@dg.sensor(
    name="new_article_files",
    job=newsledger_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run when files are added to or changed in the input folder.",
)
def new_article_files(context: dg.SensorEvaluationContext, settings: NewsledgerSettings):
    input_dir = Path(settings.input_dir)
    if not input_dir.is_dir():
        return dg.SkipReason(f"input folder {input_dir} does not exist")
    newest, count = input_fingerprint(input_dir)
    cursor = f"{newest}:{count}"
    if cursor == context.cursor:
        return dg.SkipReason("no new or changed files")
    context.update_cursor(cursor)
    return dg.RunRequest(run_key=cursor, tags=all_shards_tags())


defs = dg.Definitions(
    jobs=[newsledger_job], schedules=[daily_schedule], sensors=[new_article_files]
)
