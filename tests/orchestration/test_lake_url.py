"""NEWSLEDGER_LAKE_URL: the lake somewhere else than <warehouse>/lake (transforms/lake.py).

A local folder (a path or a file:// URL) works for every stage, dbt included. Another fsspec URL
works for the Python stages, and dbt reads it through the URL's fsspec filesystem registered in
DuckDB (dbt-duckdb's `filesystems`): here memory://, within one process (the in-process
executor and dbt); `newsledger run` refuses, before any stage, a lake dbt could not read.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import fsspec
import pytest

from tests.conftest import REPO, SEEDS
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


def _run(small_input, warehouse, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--input", str(small_input)],
        env={**os.environ, "NEWSLEDGER_WAREHOUSE_DIR": str(warehouse), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_newsledger_run_refuses_a_lake_dbt_cannot_read_before_any_stage(tmp_path, small_input):
    warehouse = tmp_path / "warehouse"
    url = "memory://newsledger-test/lake"
    out = _run(small_input, warehouse, NEWSLEDGER_LAKE_URL=url, NEWSLEDGER_DBT_SUBPROCESS="1")
    assert out.returncode == 2, out.stderr
    assert url in out.stderr and "memory of one process" in out.stderr
    if importlib.util.find_spec("s3fs") is None:  # not in the locked environment
        out = _run(small_input, warehouse, NEWSLEDGER_LAKE_URL="s3://bucket/lake")
        assert out.returncode == 2, out.stderr
        assert "s3://bucket/lake" in out.stderr and "httpfs" in out.stderr
    out = _run(small_input, warehouse, NEWSLEDGER_LAKE_URL="nosuchfs://bucket/lake")
    assert out.returncode == 2 and "nosuchfs" in out.stderr, out.stderr
    assert not warehouse.exists()  # nothing ran, nothing was written


def _materialize(settings, selection, in_process_dbt: bool = True) -> dg.ExecuteInProcessResult:
    from dagster_dbt import DbtCliResource

    from orchestration.definitions import defs
    from orchestration.defs.dbt.assets import NewsledgerDbtCliResource
    from orchestration.defs.dbt.project import dbt_project

    dbt = (NewsledgerDbtCliResource if in_process_dbt else DbtCliResource)(project_dir=dbt_project)
    return dg.materialize(
        list(defs.assets),
        selection=selection,
        resources={"settings": settings, "dbt": dbt},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _published(settings) -> dict[str, object]:
    """Row counts of every published table, and the sentences themselves."""
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()]
        counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
        sentences = con.execute("select * from fct_sentences order by all").fetchall()
    return {"counts": counts, "sentences": sentences}


@pytest.mark.slow  # the Python stages twice on five seed articles, then dbt twice: ~50 s
def test_a_memory_lake_gives_the_same_lake_and_warehouse_as_a_local_one(
    tmp_path, small_input, dbt_manifest, monkeypatch
):
    from orchestration.settings import NewsledgerSettings

    # The dbt asset exports these for dbt (restored after the test).
    for name in ("NEWSLEDGER_DBT_LAKE", "NEWSLEDGER_DBT_FILESYSTEMS", "NEWSLEDGER_DBT_SUBPROCESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSLEDGER_WAREHOUSE_DIR", str(tmp_path))
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
        # The ingest manifest records only files older than its racy window (a file changed in
        # the last seconds may change again unseen): what it holds depends on when each run
        # started after the fixture wrote the files, not on where the lake is.
        for table in sorted(tables - {"ingest_manifest"}):
            got, want = (
                lake.read_table(settings.lake, table).drop("detected_at", strict=False)
                for settings in (remote, local)
            )  # detected_at: when the run set the file aside
            assert got.height == want.height and got.equals(want), table
        assert lake.read_table(remote.lake, "sentences").height > 50

        # dbt as a subprocess cannot see this process's memory: the step says so, dbt never runs.
        dbt = _materialize(remote, dg.AssetSelection.all() - LAKE_PREFIX, in_process_dbt=False)
        assert not dbt.success
        failure = next(e for e in dbt.all_events if e.is_step_failure)
        assert "memory of one process" in str(failure.event_specific_data.error)
        # dbt in this process reads it through the memory filesystem registered in DuckDB.
        dbt = _materialize(remote, dg.AssetSelection.all() - LAKE_PREFIX)
        assert dbt.success, [e.message for e in dbt.all_events if e.is_failure]
        assert os.environ["NEWSLEDGER_DBT_LAKE"] == f"memory://{name}/lake"
        assert os.environ["NEWSLEDGER_DBT_FILESYSTEMS"] == "[{'fs': 'memory'}]"
    finally:
        fsspec.filesystem("memory").rm(f"/{name}", recursive=True)
    from_memory = _published(remote)
    assert (
        from_memory["counts"]["dim_articles"] == lake.read_snapshot(local.lake, "articles").height
    )
    assert len(from_memory["sentences"]) == lake.read_table(local.lake, "sentences").height

    # The local lake as a file:// URL, read by dbt from another warehouse: the same tables.
    other = NewsledgerSettings(
        input_dir=str(small_input),
        warehouse_dir=str(tmp_path / "other"),
        lake_url=f"file://{local.lake}",
    )
    built = _materialize(other, dg.AssetSelection.all() - LAKE_PREFIX)
    assert built.success, [e.message for e in built.all_events if e.is_failure]
    assert os.environ["NEWSLEDGER_DBT_LAKE"] == str(local.lake)
    assert "NEWSLEDGER_DBT_FILESYSTEMS" not in os.environ
    assert not (tmp_path / "other" / "lake").exists()
    assert _published(other) == from_memory


def test_newsledger_run_checks_the_lake_without_importing_the_dbt_assets(tmp_path):
    """In a fresh clone there is no dbt manifest until `newsledger run` makes one, and the dbt
    assets cannot be imported without it: the lake check before it must not import them."""
    code = (
        "import sys\n"
        "from orchestration.cli import main\n"
        f"rc = main(['run', '--input', {str(SEEDS)!r}, '--warehouse', {str(tmp_path / 'w')!r}])\n"
        "print(rc, 'orchestration.defs.dbt.assets' in sys.modules)\n"
    )
    env = {**os.environ, "NEWSLEDGER_LAKE_URL": "nosuchfs://bucket/lake"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.split() == ["2", "False"], out.stdout + out.stderr
    assert "nosuchfs" in out.stderr
