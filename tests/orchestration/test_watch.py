"""`newsledger watch` (orchestration/watch.py): one long-lived process that runs the pipeline when
the input folder changes. Run as a real subprocess on a copy of seeds/: its runs publish what a
plain `newsledger run` publishes, and SIGTERM (idle, or in the middle of a run) stops it within
seconds, with exit code 130 and no process of it left; a run it interrupted is repaired by the
next `newsledger run`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.processes import group_alive
from orchestration.settings import DBT_PROJECT_DIR
from tests.conftest import REPO, SEEDS
from tests.orchestration.test_celery_cluster import published_tables

pytestmark = pytest.mark.slow

NEW_ARTICLE = (
    " date 2024-11-06 France pledged 20 million euros in humanitarian aid to Chad on Wednesday, "
    "the French foreign ministry said, after talks in N'Djamena with Chad's foreign minister.\n"
)
SECOND_ARTICLE = (
    " date 2024-11-07 Kenya said on Thursday it would send 400 more police officers to Haiti, "
    "President William Ruto told reporters in Nairobi.\n"
)


def _env() -> dict[str, str]:
    # An ephemeral Dagster instance per run, as the benchmark runs the CLI.
    return {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}


def cli(command: str, input_dir: Path, warehouse: Path, *options: str) -> list[str]:
    """The argv of `newsledger <command>` on a folder and a warehouse, in this interpreter."""
    argv = [sys.executable, "-m", "orchestration.cli", command, "--input", str(input_dir)]
    return [*argv, "--warehouse", str(warehouse), *options]


class Watch:
    """`newsledger watch` as a subprocess in its own process group, its output read by a thread."""

    def __init__(self, input_dir: Path, warehouse: Path, interval: float = 0.5):
        self.proc = subprocess.Popen(
            cli("watch", input_dir, warehouse, "--interval", str(interval)),
            cwd=REPO,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> str:
        """The first line from now on that contains `text`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                assert self.proc.poll() is None, "watch exited:\n" + "".join(self.output[-60:])
                continue
            self.output.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} within {timeout} s:\n" + "".join(self.output[-60:]))

    def stop(self, timeout: float = 10.0) -> tuple[int, float]:
        """SIGTERM; the exit code and the seconds it took to exit (fails after `timeout`)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"watch still running {timeout} s after SIGTERM:\n" + "".join(self.output[-60:])
            ) from None
        return code, time.monotonic() - started

    def left(self, within_s: float = 5.0) -> bool:
        """Whether any process of its group is alive `within_s` seconds after it exited."""
        deadline = time.monotonic() + within_s
        while group_alive(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        return group_alive(self.proc.pid)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def dbt_target(warehouse: Path) -> Path:
    """The dbt target folder of a warehouse (orchestration/defs/dbt/assets.py)."""
    key = hashlib.sha1(str(warehouse).encode()).hexdigest()[:8]
    return DBT_PROJECT_DIR / "target" / f"run-{key}"


def assert_published_as(got: Path, want: Path) -> None:
    """Every published table of `got` equals `want`'s (every row and column but the run's own, as
    tests/orchestration/test_celery_cluster.py compares them), except that `got`'s warehouse was
    published more than once: its pipeline_runs has a row per run, the last equal to `want`'s."""
    got_tables, want_tables = published_tables(got), published_tables(want)
    assert sorted(got_tables) == sorted(want_tables)
    for name, frame in want_tables.items():
        if name != "pipeline_runs":
            assert got_tables[name].equals(frame), f"{name} differs from the plain run's"
    with duckdb.connect(str(got), read_only=True) as con:
        last = con.execute(
            "select * exclude (published_at, details) from pipeline_runs "
            "order by published_at desc limit 1"
        ).pl()
    assert last.equals(want_tables["pipeline_runs"])


def assert_stopped_cleanly(watch: Watch, code: int, took: float, limit: float) -> None:
    """Exit code 130 (stopped when asked) within `limit` seconds, nothing of its group left."""
    assert code == 130, "".join(watch.output[-30:])
    assert took < limit
    assert not watch.left(), "a process of the watcher outlived it"


def plain_run(input_dir: Path, warehouse: Path) -> None:
    out = subprocess.run(
        cli("run", input_dir, warehouse),
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]


@pytest.fixture
def seeds_copy(tmp_path: Path, dbt_manifest) -> Path:
    folder = tmp_path / "input"
    shutil.copytree(SEEDS, folder)
    return folder


def test_watch_runs_on_a_new_file_publishes_as_run_does_and_stops_on_sigterm(
    seeds_copy: Path, tmp_path: Path
):
    watched = tmp_path / "watched"
    # looking only every 120 s: the run on the new file comes from the folder's change event
    watch = Watch(seeds_copy, watched, interval=120)
    try:
        first = watch.wait_for("newsledger watch: run 1 ", timeout=180)
        assert "run 1 finished" in first
        assert "and on every change" in watch.output[0]
        (seeds_copy / "zz_new_article.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        second = watch.wait_for("newsledger watch: run 2 ", timeout=90)
        assert "run 2 finished" in second
        assert any("+1 since the previous run" in line for line in watch.output)
        # idle: nothing new, no third run
        with pytest.raises(AssertionError, match="no 'newsledger watch: run 3 '"):
            watch.wait_for("newsledger watch: run 3 ", timeout=3)
        code, took = watch.stop(timeout=10)
    finally:
        if watch.proc.poll() is None:
            watch.kill()
    assert_stopped_cleanly(watch, code, took, limit=10)
    plain = tmp_path / "plain"
    plain_run(seeds_copy, plain)
    assert_published_as(watched / "analytics.duckdb", plain / "analytics.duckdb")


def test_sigterm_during_a_run_stops_it_and_the_next_run_repairs(seeds_copy: Path, tmp_path: Path):
    watched = tmp_path / "watched"
    plain_run(seeds_copy, watched)  # built once by `run`: the watcher's first run has nothing new
    # ... so its dbt step parses the project for the next build instead (in_process.stays_warm),
    # which only `dbt parse` marks by writing perf_info.json in the warehouse's target folder
    perf_info = dbt_target(watched) / "perf_info.json"
    perf_info.unlink(missing_ok=True)
    watch = Watch(seeds_copy, watched)
    try:
        assert "run 1 finished" in watch.wait_for("newsledger watch: run 1 ", timeout=120)
        assert perf_info.exists()
        (seeds_copy / "zz_new_article.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        (seeds_copy / "zz_second_article.txt").write_text(SECOND_ARTICLE, encoding="utf-8")
        watch.wait_for("NLP: ", timeout=60)  # the second run is parsing the new articles
        code, took = watch.stop(timeout=12)
    finally:
        if watch.proc.poll() is None:
            watch.kill()
    assert_stopped_cleanly(watch, code, took, limit=12)
    assert not any("run 2 finished" in line for line in watch.output)
    plain_run(seeds_copy, watched)  # repairs the interrupted run
    reference = tmp_path / "reference"
    plain_run(seeds_copy, reference)
    assert_published_as(watched / "analytics.duckdb", reference / "analytics.duckdb")
