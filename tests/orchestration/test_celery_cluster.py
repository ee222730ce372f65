"""The Celery cluster on this machine (`make cluster`, orchestration/cluster.py): a Redis broker,
two Dagster Celery workers as separate processes, a backfill of every NLP shard with each step a
Celery task; the published tables equal those of an in-process run, and no process outlives it.

Needs redis-server (`make redis`; CI's .ci/run installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import psutil
import pytest

from orchestration.processes import alive, group_members
from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server missing: `make redis`"
)

# Columns that say when and by which run a table was published: the only ones allowed to differ.
RUN_COLUMNS = {"pipeline_runs": {"published_at", "details"}}


def processes_in(folder: Path) -> list[str]:
    """Live processes whose working directory is in folder: the cluster starts the broker and
    the workers there, and their children (celery's pool processes) inherit it."""
    found = []
    for proc in psutil.process_iter():
        try:
            cwd = proc.cwd()
            cmdline = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        if (cwd == str(folder) or cwd.startswith(f"{folder}/")) and alive(proc.pid):
            found.append(f"{proc.pid}: {cmdline}")
    return found


def left_in(folder: Path, within_s: float = 10.0) -> list[str]:
    """`processes_in(folder)` once they are gone, or after `within_s` seconds: a process that the
    cluster's stop has killed can still be tearing down for a moment on a loaded machine (seen
    once in CI: a pid with an empty command line, its memory already released)."""
    import time

    deadline = time.monotonic() + within_s
    while (found := processes_in(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def dagster_home(tmp_path: Path) -> Path:
    """A fresh DAGSTER_HOME with the project's dagster.yaml, its SQLite storage created here
    first. The processes a test starts (dagster dev's webserver and daemon, Celery workers) and
    the test's own polling open it at the same time; two of them creating a fresh schedule
    database together can both stamp its alembic version, and every later open then fails
    ("Version table 'alembic_version' has more than one head present": once in CI, session 21,
    in the test's poll of a starting `dagster dev`)."""
    import dagster as dg

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)):
        pass
    return home


def published_tables(db: Path) -> dict[str, pl.DataFrame]:
    """Every table of schema main, rows sorted, without the run's own columns."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        ]
        tables = {}
        for name in names:
            frame = con.execute(f'select * from "{name}"').pl()
            frame = frame.drop([c for c in RUN_COLUMNS.get(name, ()) if c in frame.columns])
            tables[name] = frame.sort(frame.columns, nulls_last=True)
    return tables


def assert_same_tables(got: Path, want: Path) -> None:
    got_tables, want_tables = published_tables(got), published_tables(want)
    assert sorted(got_tables) == sorted(want_tables)
    for name, frame in want_tables.items():
        assert got_tables[name].height == frame.height, name
        assert got_tables[name].equals(frame), f"{name} differs from the in-process run"


def run_cluster(args: list[str], env: dict[str, str], timeout: float):
    """`python -m orchestration.cluster ARGS` in its own process group; killed whole on timeout."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cluster", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"the cluster run took more than {timeout} s:\n{out[-4000:]}")
    return proc.returncode, out


@pytest.mark.slow  # broker, 2 workers, the whole graph on seeds/ as Celery tasks: ~45 s
@pytest.mark.timeout(900)
def test_make_cluster_publishes_what_an_in_process_run_does(tmp_path, seeds_warehouse):
    want_dir, _ = seeds_warehouse
    warehouse = tmp_path / "warehouse"
    root = tmp_path / "cluster"
    env = env_with_venv(DAGSTER_HOME=str(dagster_home(tmp_path)))
    started = time.monotonic()
    code, out = run_cluster(
        ["--input", str(SEEDS), "--warehouse", str(warehouse), "--root", str(root)], env, 600
    )
    elapsed = time.monotonic() - started
    assert code == 0, out[-6000:]
    print(f"cluster run on seeds/: {elapsed:.1f} s")
    # What ran where: every step on a worker, and the work spread over both workers.
    where = out.split("where the steps ran", 1)[1]
    assert "nlp_tables.nlp_parse[shard_00]" in where and "newsledger_dbt_models" in where
    steps_of = {
        name: sum(1 for line in where.splitlines() if line.strip().startswith(f"{name}@"))
        for name in ("newsledger-w1", "newsledger-w2")
    }
    assert all(n > 0 for n in steps_of.values()), steps_of
    assert where.count("nlp_tables.nlp_parse[") == 8  # one task per shard
    # Nothing outlives the launcher: not the broker, not a worker, not a worker's pool process.
    assert left_in(root) == []
    assert_same_tables(warehouse / "analytics.duckdb", want_dir / "analytics.duckdb")


@pytest.mark.slow  # starts a broker and two workers, then stops them: ~15 s
@pytest.mark.timeout(300)
def test_a_cluster_stops_every_process_it_started_even_on_error(tmp_path, monkeypatch):
    from orchestration.cluster import Cluster

    home = dagster_home(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    root = tmp_path / "cluster"
    with pytest.raises(RuntimeError, match="boom"), Cluster(root, n_workers=2) as cluster:
        pids = cluster.pids()
        assert len(pids["redis"]) == 1
        # Each worker is its own process (group): the dagster-celery launcher, celery's main
        # process and its one pool process.
        for name in cluster.worker_names():
            assert len(pids[name]) >= 2, pids
        assert len({frozenset(p) for p in pids.values()}) == 3
        assert processes_in(root)
        raise RuntimeError("boom")
    assert left_in(root) == []


def pgid_members(pgid: int) -> list[str]:
    """Live (non-zombie) processes of a process group."""
    found = []
    for proc in group_members(pgid):
        with contextlib.suppress(psutil.Error):
            found.append(f"{proc.pid}: {' '.join(proc.cmdline())[:200]}")
    return found


def parsing_run_id(runs_query: dict) -> str | None:
    """The id of a run (of `instance.get_runs(**runs_query)`) with an NLP parse step started."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        for run in instance.get_runs(**runs_query):
            for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_START):
                if "nlp_parse" in (record.dagster_event.step_key or ""):
                    return run.run_id
    return None


def env_with_venv(**extra: str) -> dict[str, str]:
    """This environment with the venv's scripts (dagster, dagster-celery) first on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, **extra}


@contextlib.contextmanager
def logged_group(cmd: list[str], env: dict[str, str], log: Path, **popen):
    """`cmd` in its own process group, its output into `log`; the whole group is SIGKILLed on
    leaving the block, whatever happened in it (a test never leaves processes behind)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen,
        )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def sigterm_and_wait(what: str, proc: subprocess.Popen, timeout: float, log: Path):
    """SIGTERM to `proc`; (its exit code, seconds it took to stop), failing after `timeout`."""
    stopped_at = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"{what} did not stop within {timeout} s of SIGTERM:\n{log.read_text()[-4000:]}"
        )
    return code, time.monotonic() - stopped_at


def wait_for(what: str, predicate, timeout: float, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"dev exited ({proc.returncode}) before {what}:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout} s:\n{log.read_text()[-4000:]}")


@pytest.mark.slow  # dagster dev, a sensor-launched run stopped mid-run, then a repairing run: ~3 min
@pytest.mark.timeout(900)
def test_make_dev_stops_on_sigterm_during_a_sensor_run_and_the_next_run_repairs_it(
    tmp_path, monkeypatch, seeds_warehouse
):
    import dagster as dg

    from orchestration.cluster import free_port

    want_dir, _ = seeds_warehouse
    home = dagster_home(tmp_path)
    warehouse = tmp_path / "warehouse"
    env = env_with_venv(
        DAGSTER_HOME=str(home),
        NEWSLEDGER_INPUT_DIR=str(SEEDS),
        NEWSLEDGER_WAREHOUSE_DIR=str(warehouse),
    )
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    log = tmp_path / "dev.log"
    # As `make dev` runs it, started in the background of a non-interactive shell, which
    # starts it with SIGINT ignored (how dagster dev came to ignore Ctrl-C and SIGTERM).
    with logged_group(
        [sys.executable, "-m", "orchestration.dev", "-p", str(free_port())],
        env,
        log,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    ) as proc:
        dev_group = int(
            wait_for(
                "dagster dev pid",
                lambda: next(
                    (
                        line.rsplit(" ", 1)[1].rstrip(")")
                        for line in log.read_text().splitlines()
                        if "(process group" in line
                    ),
                    None,
                ),
                60,
                proc,
                log,
            )
        )

        def parse_step_running():
            return parsing_run_id(
                dict(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
            )

        # The sensor sees seeds/ at its first tick and launches a run of every shard.
        run_id = wait_for("sensor run parsing", parse_step_running, 300, proc, log)
        code, took = sigterm_and_wait("dev", proc, 30, log)
    print(f"dev stopped {took:.1f} s after SIGTERM")
    assert code == 130, log.read_text()[-4000:]
    assert pgid_members(dev_group) == []  # webserver, daemon, run worker, step processes: gone
    # Failed either by its run worker on SIGINT or, if it had to be killed, by the launcher.
    with dg.DagsterInstance.get() as instance:
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE

    # The next run repairs it: the published tables are those of a clean run.
    rerun = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--warehouse", str(warehouse)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    assert_same_tables(warehouse / "analytics.duckdb", want_dir / "analytics.duckdb")


@pytest.mark.slow  # 2 workers, one SIGKILLed in the dbt step, its task run again on the other: ~2 min
@pytest.mark.timeout(900)
def test_a_worker_killed_mid_step_its_step_runs_again_on_another_and_the_run_publishes_the_same(
    tmp_path, monkeypatch, seeds_warehouse
):
    import dagster as dg

    from orchestration.cli import where_steps_ran
    from orchestration.cluster import Cluster
    from orchestration.prepare import ensure_manifest

    want_dir, _ = seeds_warehouse
    ensure_manifest()
    home = dagster_home(tmp_path)
    warehouse = tmp_path / "warehouse"
    for name, value in {
        "DAGSTER_HOME": str(home),
        "NEWSLEDGER_INPUT_DIR": str(SEEDS),
        "NEWSLEDGER_WAREHOUSE_DIR": str(warehouse),
    }.items():
        monkeypatch.setenv(name, value)
    step = "newsledger_dbt_models"  # the longest step: 10-30 s here
    with Cluster(tmp_path / "cluster", n_workers=2) as cluster:
        env = env_with_venv(**cluster.client_env())
        log = tmp_path / "run.log"
        with logged_group(
            [sys.executable, "-m", "orchestration.cli", "run", "--executor", "celery"], env, log
        ) as run:

            def worker_running_dbt():
                with dg.DagsterInstance.get() as instance:
                    for record in instance.get_runs(limit=1):
                        where = where_steps_ran(instance, record.run_id)
                        if step in where:
                            return record.run_id, where[step].split("@")[0]
                return None

            run_id, victim = wait_for("dbt step on a worker", worker_running_dbt, 400, run, log)
            time.sleep(3)  # inside dbt build
            os.killpg(cluster.procs[victim].pid, signal.SIGKILL)  # the worker and its pool
            killed_at = time.monotonic()
            code = run.wait(400)
        assert code == 0, log.read_text()[-4000:]
        print(f"run finished {time.monotonic() - killed_at:.1f} s after {victim} was killed")
        assert len(cluster.requeued) == 1  # the dbt task, once
    with dg.DagsterInstance.get() as instance:
        where = where_steps_ran(instance, run_id)
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
    survivor = ({"newsledger-w1", "newsledger-w2"} - {victim}).pop()
    assert where[step].split("@")[0] == survivor  # the step ran again, on the other worker
    assert_same_tables(warehouse / "analytics.duckdb", want_dir / "analytics.duckdb")


@pytest.mark.slow  # broker, 2 workers, a run stopped by SIGTERM while it parses: ~1 min
@pytest.mark.timeout(600)
def test_make_cluster_stops_on_sigterm_during_a_run_and_marks_it_failed(tmp_path, monkeypatch):
    import dagster as dg

    home = dagster_home(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    root = tmp_path / "cluster"
    env = env_with_venv(DAGSTER_HOME=str(home))
    log = tmp_path / "cluster.log"
    with logged_group(
        [sys.executable, "-m", "orchestration.cluster", "--input", str(SEEDS)]
        + ["--warehouse", str(tmp_path / "warehouse"), "--root", str(root)],
        env,
        log,
    ) as proc:

        def run_parsing():
            return parsing_run_id(dict(limit=1))

        run_id = wait_for("a shard step", run_parsing, 400, proc, log)
        code, took = sigterm_and_wait("cluster", proc, 60, log)
    print(f"cluster stopped {took:.1f} s after SIGTERM")
    assert code == 130, log.read_text()[-4000:]
    assert left_in(root) == []
    with dg.DagsterInstance.get() as instance:
        status = instance.get_run_by_id(run_id).status
    assert status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED), status
