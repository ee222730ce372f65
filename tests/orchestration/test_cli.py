"""The command line guides: help lists every command, long stages show progress, the run ends
with a summary saying what was added, set aside and where to look, errors say what to do."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from orchestration.cli import build_parser
from tests.conftest import SEED_ARTICLE, SEEDS
from transforms.progress import Progress


def cli(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_every_command():
    out = cli("--help")
    assert out.returncode == 0
    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"run", "status", "report", "query", "prepare"} <= set(commands)
    for name, sub in commands.items():
        assert f"    {name} " in out.stdout, name
        assert sub.format_help()  # each command has its own --help


def test_progress_reports_counts_rates_and_the_end(caplog):
    caplog.set_level(logging.INFO, logger="newsledger.progress")
    progress = Progress("ingest", 3, "files", every=3600)
    assert list(progress.track(["a", "b", "c"])) == ["a", "b", "c"]
    messages = [r.getMessage() for r in caplog.records]
    # the first item (the throttle starts open) and the last one, nothing in between
    assert len(messages) == 2
    assert messages[-1].startswith("ingest: 3/3 files (100%)") and messages[-1].endswith("done")
    assert "files/s" in messages[-1]


def test_errors_say_what_to_do(tmp_path):
    status = cli("status", "--warehouse", str(tmp_path))
    assert status.returncode == 1 and "run `newsledger run` first" in status.stderr
    report = cli("report", "--warehouse", str(tmp_path))
    assert report.returncode == 1 and "run `newsledger run` first" in report.stderr
    query = cli("query", "no_such_query")
    assert query.returncode == 2 and "top_actors_this_month" in query.stderr
    run = cli("run", "--input", str(tmp_path / "missing"), "--warehouse", str(tmp_path))
    assert run.returncode == 2 and "pass --input DIR" in run.stderr


@pytest.mark.slow
def test_status_query_and_report_on_a_built_warehouse(seeds_warehouse):
    warehouse, _ = seeds_warehouse
    status = cli("status", "--warehouse", str(warehouse))
    assert status.returncode == 0, status.stderr
    assert "dim_articles" in status.stdout and "report: " in status.stdout
    listing = cli("query")
    assert listing.returncode == 0 and "conflicting_troop_estimates" in listing.stdout
    top = cli("query", "top_actors_this_month", "--warehouse", str(warehouse))
    assert top.returncode == 0, top.stderr
    assert "canonical_name" in top.stdout and "n_mentions" in top.stdout
    sql = cli("query", "top_actors_this_month", "--sql")
    assert sql.stdout.lstrip().startswith("-- name: top_actors_this_month")
    report = cli("report", "--warehouse", str(warehouse))
    assert report.returncode == 0, report.stdout + report.stderr
    assert "Actor mentions over time" in report.stdout and " marks, " in report.stdout


@pytest.mark.slow
def test_the_summary_counts_dagster_checks_and_dbt_tests_apart(capsys):
    from types import SimpleNamespace

    import dagster as dg

    from orchestration.cli import check_counts, print_check_results

    def evaluation(name: str, passed: bool, asset: str = "fct_claims"):
        return SimpleNamespace(
            check_name=name,
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            asset_key=dg.AssetKey([asset]),
            metadata={},
        )

    ours = {"rejected_share", "quarantined_rows_count"}
    dbt_tests = [evaluation(f"unique_t{i}", True) for i in range(3)]
    assert check_counts(dbt_tests, ours) == "3 of 3 dbt tests passed"
    warned = evaluation("quarantined_rows_count", False, "quarantined_rows")
    evaluations = [evaluation("rejected_share", True), warned, *dbt_tests]
    assert check_counts(evaluations, ours) == (
        "1 of 2 Dagster asset checks, 3 of 3 dbt tests passed"
    )
    print_check_results(evaluations)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "checks: 1 of 2 Dagster asset checks, 3 of 3 dbt tests passed",
        "  WARN quarantined_rows quarantined_rows_count",
    ]


def test_run_shows_progress_and_a_summary_that_says_where_to_look(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    shutil.copy(SEEDS / "voa_6181504.txt", folder / "voa_6181504.txt")
    (folder / "notes.txt").write_text("no header here\n")
    warehouse = tmp_path / "wh"
    out = cli("run", "--input", str(folder), "--warehouse", str(warehouse), timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    # progress on stderr: counts and rates of the long stages
    assert "ingest: 3/3 files (100%)" in out.stderr
    assert "NLP: 2/2 articles (100%)" in out.stderr and "words/s" in out.stderr
    # the summary: added, set aside and why, where to look
    assert "articles loaded:   2 (from 2 files); first run of this warehouse" in out.stdout
    assert "files set aside:   1" in out.stdout and "1 no_date" in out.stdout
    assert "notes.txt [no_date]: no date header found" in out.stdout
    # 1 of 3 files unusable: above the rejected-share warn limit (thresholds.yaml), below error
    assert (
        "WARN lake/rejected_files rejected_share: 1 of 3 input files set aside as unusable"
        in out.stdout
    )
    # our checks and dbt's tests counted apart: the rejected share warned, every dbt test passed
    counts = re.search(
        r"^checks: 4 of 5 Dagster asset checks, (\d+) of (\d+) dbt tests passed$", out.stdout, re.M
    )
    assert counts and counts[1] == counts[2] and int(counts[1]) > 50, out.stdout
    assert "text policy: full" in out.stdout
    assert "where to look:" in out.stdout
    assert f"report     {warehouse / 'report.html'}" in out.stdout
    assert (warehouse / "report.html").exists()


@pytest.mark.slow
def test_a_rerun_with_nothing_new_says_so_and_does_no_work(tmp_path):
    """Issue 19: no new or changed file -> no model load, no article parsed, no dbt, no publish;
    the first run (dbt in-process, then publish in the same process) publishes as before."""
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    # a file written within two seconds of a run is read again by the next (racy: articles.py)
    time.sleep(2.1)
    warehouse = tmp_path / "wh"
    first = cli("run", "--input", str(folder), "--warehouse", str(warehouse), timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "NLP: 1 articles parsed" in first.stdout
    assert "no new or changed file" not in first.stdout
    assert "published__analytics_duckdb" in first.stdout
    published = (warehouse / "analytics.duckdb").stat().st_mtime_ns

    again = cli("run", "--input", str(folder), "--warehouse", str(warehouse), timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "no new or changed file in the input folder since the last run" in again.stdout
    assert "NLP: 0 articles parsed" in again.stdout
    assert "nothing new since the last build: dbt, publish and the report were skipped" in (
        again.stdout
    )
    assert "published__analytics_duckdb" not in again.stdout
    assert (warehouse / "analytics.duckdb").stat().st_mtime_ns == published
    assert "articles loaded:   1 (from 1 files); unchanged (this run published nothing new)" in (
        again.stdout
    )


@pytest.mark.slow
def test_a_warehouse_copied_over_another_publishes_what_its_own_lake_holds(tmp_path):
    """A warehouse built at one path, copied (`cp -r`: every file newer than any build) to a path
    where a warehouse with more articles was built, its origin then removed. The next run must
    build it whole (its staging views read the origin's lake) and publish the article it lacks,
    although its lake then ends in the very state the removed warehouse's last build read."""
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    time.sleep(2.1)  # a file written within two seconds of a run is read again by the next
    origin, warehouse = tmp_path / "origin", tmp_path / "wh"
    first = cli("run", "--input", str(folder), "--warehouse", str(origin), timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    shutil.copytree(origin, warehouse, copy_function=shutil.copy)
    second_article = next(p for p in sorted(SEEDS.glob("*.txt")) if p.name != SEED_ARTICLE.name)
    shutil.copy(second_article, folder / second_article.name)
    time.sleep(2.1)
    args = ("run", "--input", str(folder), "--warehouse", str(warehouse))
    second = cli(*args, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "articles loaded:   2 (from 2 files); +1 since the previous run" in second.stdout

    shutil.rmtree(warehouse)
    shutil.copytree(origin, warehouse, copy_function=shutil.copy)
    shutil.rmtree(origin)
    again = cli(*args, timeout=600)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "NLP: 1 articles parsed" in again.stdout
    assert "articles loaded:   2 (from 2 files); +1 since the previous run" in again.stdout
    counts = re.search(r"(\d+) of (\d+) dbt tests passed$", again.stdout, re.M)
    assert counts and counts[1] == counts[2], again.stdout
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from dim_articles").fetchone()[0] == 2


@pytest.mark.slow
def test_a_warehouse_deleted_and_built_again_at_the_same_path_is_built_whole(tmp_path):
    """dbt's artifacts are kept per warehouse path outside it: deleting the folder must not make
    the next run build increments on an empty database (no seed tables: every seed test and
    dim_countries failed)."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    warehouse = tmp_path / "wh"
    first = cli("run", "--input", str(folder), "--warehouse", str(warehouse), timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    shutil.rmtree(warehouse)
    again = cli("run", "--input", str(folder), "--warehouse", str(warehouse), timeout=600)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "first run of this warehouse" in again.stdout
    counts = re.search(r"(\d+) of (\d+) dbt tests passed$", again.stdout, re.M)
    assert counts and counts[1] == counts[2], again.stdout
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from dim_countries").fetchone()[0] > 200


@pytest.mark.slow
def test_installed_console_script_runs_without_the_venv_on_path(tmp_path):
    """`.venv/bin/newsledger run` as cron or systemd start it: PATH without the venv's bin."""
    from pathlib import Path

    script = Path(sys.executable).parent / "newsledger"
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "NEWSLEDGER_CACHE_DIR": str(tmp_path)}
    out = subprocess.run(
        [str(script), "run", "--input", str(folder), "--warehouse", str(tmp_path / "wh")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "articles loaded:   1" in out.stdout


def test_an_unknown_text_policy_is_refused_before_anything_runs(tmp_path, monkeypatch):
    flag = cli("run", "--text-policy", "some", "--warehouse", str(tmp_path / "a"))
    assert flag.returncode == 2 and "full" in flag.stderr and "sentences" in flag.stderr
    monkeypatch.setenv("NEWSLEDGER_TEXT_POLICY", "everything")
    env = cli("run", "--warehouse", str(tmp_path / "b"))
    assert env.returncode == 2 and "unknown text policy 'everything'" in env.stderr
    assert not (tmp_path / "b" / "analytics.duckdb").exists()
