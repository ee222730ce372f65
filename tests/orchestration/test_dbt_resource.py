"""NewsledgerDbtCliResource skips dagster-dbt's per-call start-up work (orchestration/defs/dbt)."""

from __future__ import annotations

import importlib.metadata
import json
import os

import dagster_dbt.core.resource
import duckdb
from dagster_dbt import DbtCliResource


def test_dbt_version_comes_from_the_package_not_a_subprocess(dbt_manifest, monkeypatch):
    from orchestration.defs.dbt.assets import NewsledgerDbtCliResource
    from orchestration.defs.dbt.project import dbt_project

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"ran a subprocess: {args}")

    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", no_subprocess)
    resource = NewsledgerDbtCliResource(project_dir=dbt_project)
    assert str(resource._cli_version) == importlib.metadata.version("dbt-core")
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_overridden_hooks_still_exist_in_dagster_dbt():
    # If an upgrade renames them, the overrides would silently stop saving the ~6 s per build.
    assert "_cli_version" in DbtCliResource.__dict__
    assert "_initialize_dbt_core_adapter" in DbtCliResource.__dict__


def _dbt_env(warehouse) -> dict[str, str]:
    from orchestration.settings import DBT_PROJECT_DIR

    target = warehouse / "target"
    return {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
    }


def test_in_process_dbt_streams_dbt_events_and_releases_the_database(
    dbt_manifest, tmp_path, monkeypatch
):
    """dbt run by dbtRunner in this process: the JSON events dagster-dbt reads from a dbt
    subprocess, a zero exit code, and the DuckDB file free for a read-only reader afterwards."""
    from orchestration.defs.dbt.in_process import InProcessDbt
    from orchestration.settings import DBT_PROJECT_DIR

    monkeypatch.setenv("NEWSLEDGER_WAREHOUSE_DIR", str(tmp_path))  # read by profiles.yml
    dbt = InProcessDbt(
        ["dbt", "seed", "--select", "countries"], _dbt_env(tmp_path), DBT_PROJECT_DIR
    )
    events = [json.loads(line) for line in dbt.stdout]
    assert dbt.wait(timeout=300) == 0
    seeded = [
        e
        for e in events
        if e["info"]["name"] == "LogSeedResult"
        and e["data"]["node_info"]["unique_id"] == "seed.newsledger.countries"
    ]
    assert len(seeded) == 1 and seeded[0]["data"]["status"] == "success"
    assert all(e["info"]["level"] != "debug" for e in events)
    # the dbt-duckdb instance is closed: this process opens the file read-only
    with duckdb.connect(str(tmp_path / "newsledger.duckdb"), read_only=True) as con:
        n = con.execute("select count(*) from reference.countries").fetchone()[0]
    assert n > 200
    assert (tmp_path / "target" / "run_results.json").exists()


def test_in_process_dbt_failure_gives_an_error_event_and_a_nonzero_code(
    dbt_manifest, tmp_path, monkeypatch
):
    from orchestration.defs.dbt.in_process import InProcessDbt
    from orchestration.settings import DBT_PROJECT_DIR

    monkeypatch.setenv("NEWSLEDGER_WAREHOUSE_DIR", str(tmp_path))
    dbt = InProcessDbt(
        ["dbt", "run-operation", "no_such_macro"], _dbt_env(tmp_path), DBT_PROJECT_DIR
    )
    events = [json.loads(line) for line in dbt.stdout]
    assert dbt.wait(timeout=300) != 0
    assert any(
        e["info"]["level"] == "error" and "no_such_macro" in e["info"]["msg"] for e in events
    )


def test_the_dbt_resource_runs_dbt_in_process_unless_told_otherwise(monkeypatch):
    import dagster_dbt.core.resource as resource_module

    from orchestration.defs.dbt.in_process import in_process_invocation_class
    from orchestration.settings import dbt_in_process_allowed

    assert dbt_in_process_allowed()
    monkeypatch.setenv("NEWSLEDGER_DBT_SUBPROCESS", "1")
    assert not dbt_in_process_allowed()
    # the names the in-process invocation relies on are still dagster-dbt's
    assert issubclass(in_process_invocation_class(), resource_module.DbtCliInvocation)


def test_a_full_build_of_a_large_local_lake_runs_dbt_as_a_subprocess_and_a_rerun_in_process(
    monkeypatch,
):
    from orchestration.defs.dbt.in_process import IN_PROCESS_FULL_BUILD_MAX_BYTES, runs_in_process

    monkeypatch.delenv("NEWSLEDGER_DBT_SUBPROCESS", raising=False)
    assert not runs_in_process(["build", "--full-refresh"], lake_is_local=True)
    big, small = IN_PROCESS_FULL_BUILD_MAX_BYTES, IN_PROCESS_FULL_BUILD_MAX_BYTES // 4
    assert not runs_in_process(["build", "--full-refresh"], lake_is_local=True, lake_bytes=big)
    assert runs_in_process(["build", "--full-refresh"], lake_is_local=True, lake_bytes=small)
    assert runs_in_process(["build", "--exclude-resource-type", "seed"], lake_is_local=True)
    # a memory:// lake is readable only from the process that wrote it
    assert runs_in_process(["build", "--full-refresh"], lake_is_local=False)
    monkeypatch.setenv("NEWSLEDGER_DBT_SUBPROCESS", "1")
    assert not runs_in_process(["build"], lake_is_local=True)


def test_a_rerun_leaves_the_views_and_another_lake_is_built_whole(dbt_manifest, tmp_path):
    from orchestration.defs.dbt.assets import build_args, built_with_marker

    marker, private_db = tmp_path / "built_with.txt", tmp_path / "newsledger.duckdb"
    here = built_with_marker("code", "/w/lake", [])
    assert build_args(marker, here, private_db) == ["build", "--full-refresh"]  # no marker yet
    marker.write_text(here, encoding="utf-8")
    assert build_args(marker, here, private_db)[1] == "--full-refresh"  # no private database
    private_db.touch()
    marker.write_text(here, encoding="utf-8")  # as a successful build writes it
    rerun = build_args(marker, here, private_db)
    assert "--full-refresh" not in rerun
    assert rerun[-2] == "--exclude"
    excluded = rerun[-1].split(" ")
    assert excluded[0] == "config.materialized:view"
    # and what reads seeds only: the seeds (their tests) and dim_countries, not a model of the lake
    assert {"countries", "dim_countries", "dim_event_codes"} <= set(excluded[1:])
    assert not {"fct_events", "dim_articles", "mart_actor_interactions"} & set(excluded)
    # assets picked in the UI are built as asked, views included
    assert "config.materialized:view" not in build_args(marker, here, private_db, subset=True)
    # the views name the lake's location: another lake (or filesystem) means a whole build, and
    # the filesystem's options (credentials, perhaps) are not written out
    for other in (
        built_with_marker("code", "/other/lake", []),
        built_with_marker("code", "/w/lake", [{"fs": "s3", "secret": "k"}]),
        built_with_marker("other code", "/w/lake", []),
    ):
        marker.write_text(here, encoding="utf-8")
        assert build_args(marker, other, private_db) == ["build", "--full-refresh"]
        assert not marker.exists()  # gone before the full build: a failed one is redone whole
    assert "secret" not in built_with_marker("code", "/w/lake", [{"fs": "s3", "secret": "k"}])


def test_the_target_folders_of_removed_warehouses_are_removed(dbt_manifest, tmp_path):
    """dbt's artifacts are kept per warehouse path (dbt_project/target/run-<hash>, ~5 MB each);
    those of a warehouse that no longer exists (every test run leaves some) are removed by the
    next build, the others and the project's own artifacts are kept."""
    from orchestration.defs.dbt.assets import WAREHOUSE_OF, prune_targets_of_removed_warehouses

    root = tmp_path / "target"
    kept = tmp_path / "warehouse"
    kept.mkdir()
    for name, warehouse in (("run-kept", kept), ("run-gone", tmp_path / "removed")):
        (root / name / "run").mkdir(parents=True)
        (root / name / WAREHOUSE_OF).write_text(str(warehouse), encoding="utf-8")
        (root / name / "manifest.json").write_text("{}", encoding="utf-8")
    (root / "run-unrecorded").mkdir()  # made before the record was kept: left alone
    (root / "manifest.json").write_text("{}", encoding="utf-8")  # `dbt parse`'s, for Dagster

    assert prune_targets_of_removed_warehouses(root) == [root / "run-gone"]
    assert sorted(p.name for p in root.iterdir()) == ["manifest.json", "run-kept", "run-unrecorded"]
    assert prune_targets_of_removed_warehouses(root) == []


def test_duckdb_gets_more_memory_only_for_a_lake_that_500_mb_does_not_hold(
    dbt_manifest, monkeypatch
):
    """500 MB (measured enough for a full build at 20,000 articles, a 130 MB lake) and the
    profile's threads up to a 256 MB lake; above it 1,250 MB and one thread whatever the size (a
    100,000-article replica's full build passed so, and failed at 1 GB; DuckDB spills the rest),
    so the memory limit changes once (a new value re-parses dbt); NEWSLEDGER_DBT_THREADS, set,
    keeps its threads."""
    from orchestration.defs.dbt.assets import duckdb_resources

    monkeypatch.delenv("NEWSLEDGER_DBT_THREADS", raising=False)
    mb = 2**20
    assert duckdb_resources(None) == duckdb_resources(13 * mb) == ("500MB", None)
    assert duckdb_resources(130 * mb) == duckdb_resources(256 * mb) == ("500MB", None)
    assert duckdb_resources(257 * mb) == duckdb_resources(650 * mb) == ("1250MB", 1)
    assert duckdb_resources(10 * 2**30) == ("1250MB", 1)
    monkeypatch.setenv("NEWSLEDGER_DBT_THREADS", "4")
    assert duckdb_resources(650 * mb) == ("1250MB", None)


def test_warm_up_compiles_every_macro_template_once(dbt_manifest):
    """What `newsledger watch` pays after its start-up run, so that its first build does not."""
    from dbt_common.clients.jinja import template_cache

    from orchestration.defs.dbt.in_process import warm_up
    from orchestration.defs.dbt.project import read_manifest

    macros = read_manifest()["macros"]
    assert len(macros) > 100  # dbt's own, the DuckDB adapter's and the project's
    warm_up(macros)
    assert all(macro["macro_sql"] in template_cache.file_cache for macro in macros.values())
    assert warm_up(macros) == 0  # kept for the process's life: nothing compiled twice
