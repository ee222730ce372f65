"""The run queue and pools that serialize DuckDB writers are valid Dagster 1.13 configuration.

Which mechanism serializes what (docs/reliability.md):
- runs launched by Dagster (schedule, sensor, UI): the run queue, max_concurrent_runs: 1;
- steps of the writing assets (dbt build, publish: pool newsledger_duckdb; the NLP plan and
  commit steps: pool newsledger_nlp), should the run limit ever be raised: pools with
  default_limit 1; the NLP shard steps write only their own Parquet parts and run in parallel;
- everything, including `newsledger run` on the command line, which bypasses Dagster's queue:
  the warehouse file lock (transforms/locking.py), held by the CLI for the whole run and by the
  dbt and publish steps of every run.
"""

from __future__ import annotations

import shutil

import dagster as dg

from tests.conftest import REPO
from transforms.locking import warehouse_lock


def test_dagster_yaml_loads_with_one_run_at_a_time(tmp_path, monkeypatch):
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        config = instance.get_concurrency_config()
        assert config.run_queue_config.max_concurrent_runs == 1
        assert config.pool_config.default_pool_limit == 1
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        # (the coordinator's own get_run_queue_config() reports its legacy default of 10; the
        # queue daemon dequeues by instance.get_concurrency_config(), checked above)


def test_the_duckdb_writers_share_one_pool(dbt_manifest):
    from orchestration.definitions import defs

    pools, op_pools = {}, {}
    for assets_def in defs.assets:
        if isinstance(assets_def, dg.AssetsDefinition) and assets_def.is_executable:
            if isinstance(assets_def.node_def, dg.GraphDefinition):  # NLP shards: pools per op
                for op in assets_def.node_def.iterate_op_defs():
                    op_pools[op.name] = op.pool
                continue
            for key in assets_def.keys:
                pools[key.to_user_string()] = assets_def.op.pool
    assert pools["published/analytics_duckdb"] == "newsledger_duckdb"
    assert pools["dim_articles"] == "newsledger_duckdb"  # the dbt build step
    # NLP: the lake-wide bookkeeping steps one at a time; the shard steps in parallel (they
    # write Parquet parts only, never DuckDB), bounded by the executor's max_concurrent.
    assert op_pools == {
        "nlp_plan": "newsledger_nlp",
        "nlp_parse": None,
        "nlp_commit": "newsledger_nlp",
    }


def test_warehouse_lock_is_reentrant_in_a_process_and_exclusive_across_processes(tmp_path):
    import subprocess
    import sys

    probe = (
        "import sys; from transforms.locking import warehouse_lock, WarehouseBusy\n"
        "try:\n"
        "    with warehouse_lock(sys.argv[1], timeout=0.5): print('got it')\n"
        "except WarehouseBusy as err: print('busy:', err)\n"
    )

    def other_process() -> str:
        return subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        ).stdout

    with warehouse_lock(tmp_path):
        with warehouse_lock(tmp_path, timeout=0):  # the CLI holds it while its steps take it
            assert other_process().startswith("busy: another newsledger run (pid")
        assert other_process().startswith("busy:")  # still held by the outer block
    assert other_process() == "got it\n"
