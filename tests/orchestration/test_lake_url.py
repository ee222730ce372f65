"""NEWSLEDGER_LAKE_URL: the lake somewhere else than <warehouse>/lake (transforms/lake.py).

A local folder (a path or a file:// URL) works for every stage, dbt included. A non-local URL
works for the Python stages (here: fsspec's memory://, within one process), and stops at dbt,
which reads the lake through DuckDB globs; `newsledger run` refuses it before any stage runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import fsspec
import pytest

from transforms import lake

LAKE_PREFIX = dg.AssetSelection.key_prefixes(["lake"])


def test_the_setting_defaults_to_the_warehouse_and_takes_a_path_or_url(tmp_path, monkeypatch):
    from orchestration.settings import NewsledgerSettings

    monkeypatch.setenv("NEWSLEDGER_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.delenv("NEWSLEDGER_LAKE_URL", raising=False)
    assert NewsledgerSettings.from_env().lake == tmp_path / "wh" / "lake"
    monkeypatch.setenv("NEWSLEDGER_LAKE_URL", f"file://{tmp_path}/shared")
    assert NewsledgerSettings.from_env().lake == tmp_path / "shared"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSLEDGER_LAKE_URL", "relative/lake")
    assert NewsledgerSettings.from_env().lake == tmp_path / "relative" / "lake"  # made absolute
    monkeypatch.setenv("NEWSLEDGER_LAKE_URL", "memory://bucket/lake")
    settings = NewsledgerSettings.from_env()
    assert not lake.is_local(settings.lake) and settings.lake.path == "/bucket/lake"


def test_newsledger_run_refuses_a_lake_dbt_cannot_read_before_any_stage(tmp_path, small_input):
    warehouse = tmp_path / "warehouse"
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--input", str(small_input)],
        env={
            **os.environ,
            "NEWSLEDGER_WAREHOUSE_DIR": str(warehouse),
            "NEWSLEDGER_LAKE_URL": "memory://newsledger-test/lake",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert "memory://newsledger-test/lake" in out.stderr
    assert "httpfs" in out.stderr and "dbt" in out.stderr
    assert not warehouse.exists()  # nothing ran, nothing was written


def _materialize(settings, selection) -> dg.ExecuteInProcessResult:
    from dagster_dbt import DbtCliResource

    from orchestration.definitions import defs
    from orchestration.defs.dbt.project import dbt_project

    return dg.materialize(
        list(defs.assets),
        selection=selection,
        resources={"settings": settings, "dbt": DbtCliResource(project_dir=dbt_project)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.mark.slow  # the Python stages twice on five seed articles, then dbt once: ~30 s
def test_the_python_stages_write_the_same_lake_on_memory_as_on_a_local_folder(
    tmp_path, small_input, dbt_manifest, monkeypatch
):
    from orchestration.settings import NewsledgerSettings

    local = NewsledgerSettings(input_dir=str(small_input), warehouse_dir=str(tmp_path / "local"))
    name = f"newsledger-{uuid.uuid4().hex}"
    remote = NewsledgerSettings(
        input_dir=str(small_input),
        warehouse_dir=str(tmp_path / "remote"),
        lake_url=f"memory://{name}/lake",
    )
    try:
        for settings in (local, remote):
            result = _materialize(settings, LAKE_PREFIX)
            assert result.success, [e.message for e in result.all_events if e.is_failure]
        memory = fsspec.filesystem("memory")
        assert not (tmp_path / "remote" / "lake").exists()  # every lake file went to memory://
        written = sorted(Path(p).relative_to(f"/{name}/lake") for p in memory.find(f"/{name}"))
        assert written == sorted(
            p.relative_to(local.lake)
            for p in local.lake.rglob("*")
            if p.is_file() and not p.relative_to(local.lake).parts[0].startswith(".")
        )
        tables = {p.parts[0] for p in written}
        assert {"articles", "sentences", "entity_mentions", "actor_cache", "events"} <= tables
        for table in sorted(tables):
            got, want = (
                lake.read_table(settings.lake, table).drop("detected_at", strict=False)
                for settings in (remote, local)
            )  # detected_at: when the run set the file aside
            assert got.height == want.height and got.equals(want), table
        assert lake.read_table(remote.lake, "sentences").height > 50

        # dbt cannot read it: its asset fails with the reason, before dbt starts.
        dbt = _materialize(remote, dg.AssetSelection.all() - LAKE_PREFIX)
        assert not dbt.success
        failure = next(e for e in dbt.all_events if e.is_step_failure)
        assert "httpfs" in str(failure.event_specific_data.error)
    finally:
        fsspec.filesystem("memory").rm(f"/{name}", recursive=True)

    # A local lake outside the warehouse (a file:// URL) is what dbt reads: the local run's lake,
    # built into another warehouse. The dbt asset exports the folder (restored after the test).
    monkeypatch.setenv("NEWSLEDGER_WAREHOUSE_DIR", str(tmp_path / "other"))
    monkeypatch.delenv("NEWSLEDGER_LAKE_DIR", raising=False)
    other = NewsledgerSettings(
        input_dir=str(small_input),
        warehouse_dir=str(tmp_path / "other"),
        lake_url=f"file://{local.lake}",
    )
    built = _materialize(other, dg.AssetSelection.all() - LAKE_PREFIX)
    assert built.success, [e.message for e in built.all_events if e.is_failure]
    assert os.environ["NEWSLEDGER_LAKE_DIR"] == str(local.lake)
    assert not (tmp_path / "other" / "lake").exists()
    with duckdb.connect(str(other.published_db), read_only=True) as con:
        n_articles = con.execute("select count(*) from dim_articles").fetchone()[0]
        n_sentences = con.execute("select count(*) from fct_sentences").fetchone()[0]
    assert n_articles == lake.read_snapshot(local.lake, "articles").height
    assert n_sentences == lake.read_table(local.lake, "sentences").height
