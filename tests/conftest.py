"""Shared fixtures: paths to the real data, small input folders built from it."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED_DATA = REPO.parent / "shared" / "data"
SEED_ARTICLE = SEEDS / "000_55766d7a04a2f1f7.txt"


def run_dbt(
    project: Path, warehouse: Path, *args: str, target_path: str | Path = "target"
) -> subprocess.CompletedProcess:
    """`dbt ARGS` on a dbt project folder against a warehouse folder, as the pipeline calls it."""
    from orchestration.prepare import dbt_executable

    return subprocess.run(
        [
            dbt_executable(),
            *args,
            "--profiles-dir",
            str(project),
            "--target-path",
            str(target_path),
        ],
        cwd=project,
        env={
            **os.environ,
            "NEWSLEDGER_WAREHOUSE_DIR": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def pytest_configure(config):
    """Under pytest-xdist (`make test` runs two workers), each worker gets a Dagster instance of
    its own: `make` exports DAGSTER_HOME=.dagster_home, and the command-line runs of the tests
    would otherwise share its SQLite storage and its pools (limit 1) across the two workers, so
    that one worker's run waited for the other's. One at a time, the suite uses the folder as
    before. Tests that need an instance of their own still make one in tmp_path."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    home = os.environ.get("DAGSTER_HOME")
    if worker and home and Path(home).resolve() == (REPO / ".dagster_home").resolve():
        own = Path(tempfile.mkdtemp(prefix=f"dagster_home_{worker}_"))
        shutil.copy(REPO / ".dagster_home" / "dagster.yaml", own / "dagster.yaml")
        os.environ["DAGSTER_HOME"] = str(own)
        atexit.register(shutil.rmtree, own, True)


@pytest.fixture(autouse=True)
def _environment_as_found():
    """Each test leaves os.environ as it found it. The dbt asset exports where dbt reads the lake
    (NEWSLEDGER_DBT_LAKE, NEWSLEDGER_DBT_FILESYSTEMS) and the warehouse into this process's
    environment for dbt; left over from one test, a later test's dbt subprocess (which inherits
    os.environ) read that test's lake instead of its own. Seen under pytest-xdist, where the
    order of test files on a worker is not the alphabetical one: test_dbt_metadata (building the
    seeds warehouse), then test_lake_url, then test_dbt_incremental, whose dbt built from
    test_lake_url's lake (reproduced one at a time in that order; passes with this fixture).
    Session fixtures set theirs before this snapshot, so what they export stays."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def small_input(tmp_path: Path) -> Path:
    """The seed article, three VOA seeds, a duplicate of one of them and one broken file."""
    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    for name in ("voa_6181504.txt", "voa_8007271.txt", "voa_8010842.txt"):
        shutil.copy(SEEDS / name, folder / name)
    shutil.copy(SEEDS / "voa_8010842.txt", folder / "copy_of_8010842.txt")
    (folder / "broken.txt").write_bytes(b"caf\xe9 latin-1 without a date header")
    return folder


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Parse the dbt project once per session, before any test imports the Dagster definitions."""
    from orchestration.prepare import ensure_manifest

    return ensure_manifest()


@pytest.fixture(scope="session")
def seeds_warehouse(tmp_path_factory, dbt_manifest):
    """The whole asset graph materialized in-process once on all of seeds/ (about 50 s).

    Shared by the analyst-side tests (report, browser, SQL queries, BI tool). Returns
    (warehouse folder, dagster result). While iterating, NEWSLEDGER_TEST_SEEDS_WAREHOUSE=<dir of a
    `newsledger run` on seeds/> reuses that build instead (result None); CI never sets it.
    """
    import os

    reuse = os.environ.get("NEWSLEDGER_TEST_SEEDS_WAREHOUSE")
    if reuse:
        return Path(reuse), None
    import dagster as dg
    from dagster_dbt import DbtCliResource

    from orchestration.definitions import defs
    from orchestration.defs.dbt.project import dbt_project
    from orchestration.settings import NewsledgerSettings

    warehouse = tmp_path_factory.mktemp("seeds_warehouse")
    settings = NewsledgerSettings(input_dir=str(SEEDS), warehouse_dir=str(warehouse))
    result = dg.materialize(
        list(defs.assets),
        resources={"settings": settings, "dbt": DbtCliResource(project_dir=dbt_project)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success, "the pipeline failed on seeds/; see the test log"
    return warehouse, result
