"""Crashes, reruns, readers and overlapping runs, with `newsledger run` in real subprocesses.

Input A is the hostile corpus (tests/hostile_corpus.py: good files beside bad ones); input B is
A plus one new VOA article. The warehouse path holds a space and a quote on purpose.
- baseline: two `newsledger run` processes started together on A and one warehouse: both end
  well (the second waits on the warehouse lock), nothing fails on DuckDB's file lock.
- reference: one clean run on B in a fresh warehouse; then a second run on the same input
  while another process holds analytics.duckdb open read-only: identical published tables,
  the reader neither fails nor blocks the run, a new connection sees the new run.
- crashes: for each stage (ingest, nlp, dbt, publish) a copy of the baseline warehouse gets a
  run on B that SIGKILLs itself at that stage (NEWSLEDGER_FAULT_AT, transforms/faults.py); the
  published file must still be the baseline, complete; a rerun must publish exactly what the
  clean reference run published: no duplicate rows, no article lost, no temporary file left.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, SEEDS
from tests.hostile_corpus import Corpus, build_hostile_corpus
from transforms.articles import ingest_folder
from transforms.faults import STAGES

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 600
# Columns that record when a run happened, not what it built.
RUN_TIME_COLUMNS = {"detected_at", "published_at"}
RUN_TABLES = {"pipeline_runs"}
NEW_ARTICLE = "voa_8007271.txt"


def cli_env(dagster_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLEDGER_")}
    env.update(DAGSTER_HOME=str(dagster_home), PYTHONPATH=str(REPO), **extra)
    return env


def start_run(input_dir: Path, warehouse: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "run", "--input", str(input_dir)]
        + ["--warehouse", str(warehouse)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(input_dir: Path, warehouse: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = start_run(input_dir, warehouse, env)
    out, err = proc.communicate(timeout=RUN_TIMEOUT)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every published table (but the run log), all rows sorted, run-time columns left out."""
    tables: dict[str, list[tuple]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' order by 1"
            ).fetchall()
        ]
        for name in names:
            if name in RUN_TABLES:
                continue
            cols = [r[0] for r in con.execute(f'describe "{name}"').fetchall()]
            keep = ", ".join(f'"{c}"' for c in cols if c not in RUN_TIME_COLUMNS)
            tables[name] = con.execute(f'select {keep} from "{name}" order by all').fetchall()
    return tables


def n_runs(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from pipeline_runs").fetchone()[0]


def leftovers(warehouse: Path) -> list[str]:
    return sorted(p.name for p in warehouse.rglob("*.tmp*"))


@pytest.fixture(scope="module")
def dagster_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Corpus, Corpus]:
    base = tmp_path_factory.mktemp("inputs")
    corpora = []
    for name in ("A", "B"):
        folder = base / name
        folder.mkdir()
        corpora.append(build_hostile_corpus(folder, long_line_chars=30_000))
    shutil.copy(SEEDS / NEW_ARTICLE, corpora[1].folder / NEW_ARTICLE)
    return corpora[0], corpora[1]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, inputs, dagster_home, dbt_manifest):
    """Two runs started together on A and one warehouse (the concurrency test's runs)."""
    warehouse = tmp_path_factory.mktemp("base") / "wh o'brien"
    env = cli_env(dagster_home)
    procs = [start_run(inputs[0].folder, warehouse, env) for _ in range(2)]
    outs = [p.communicate(timeout=2 * RUN_TIMEOUT) for p in procs]
    return warehouse, [(p.returncode, out, err) for p, (out, err) in zip(procs, outs, strict=True)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, inputs, dagster_home, dbt_manifest):
    """A clean run on B in a fresh warehouse: what every recovered warehouse must publish."""
    warehouse = tmp_path_factory.mktemp("ref") / "wh o'brien"
    done = run(inputs[1].folder, warehouse, cli_env(dagster_home))
    assert done.returncode == 0, done.stderr[-3000:]
    return warehouse, snapshot(warehouse / "analytics.duckdb")


def test_two_runs_started_together_both_end_well(baseline):
    warehouse, results = baseline
    for code, out, err in results:
        assert code == 0, err[-3000:]
        assert "Could not set lock" not in out + err
        assert "articles loaded:" in out
    waited = [err for _, _, err in results if "waiting for another newsledger run" in err]
    assert len(waited) == 1  # exactly one of them waited for the other
    # the one that waited found nothing new: it skipped dbt and publish
    assert n_runs(warehouse / "analytics.duckdb") == 1
    assert sum("nothing new since the last build" in out for _, out, _ in results) == 1
    assert leftovers(warehouse) == []


def test_a_busy_warehouse_fails_cleanly_after_the_timeout(tmp_path, dagster_home):
    from transforms.locking import warehouse_lock

    folder = tmp_path / "in"
    folder.mkdir()
    with warehouse_lock(tmp_path / "wh"):
        started = time.monotonic()
        done = run(folder, tmp_path / "wh", cli_env(dagster_home, NEWSLEDGER_LOCK_TIMEOUT="1"))
    assert done.returncode == 3
    assert f"pid {os.getpid()}" in done.stderr  # names who holds it
    assert "NEWSLEDGER_LOCK_TIMEOUT" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 60


def test_hostile_corpus_through_the_whole_pipeline(reference, inputs):
    """Each bad file in the published rejected_files, each good one in dim_articles, verbatim:
    control characters, SQL, Jinja and shell text stored as written, never executed."""
    warehouse, _ = reference
    corpus = inputs[1]
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        rejected = dict(
            con.execute("select source_path, reason_code from rejected_files").fetchall()
        )
        texts = dict(con.execute("select source_path, text from dim_articles").fetchall())
        sources = dict(
            con.execute("select source_path, article_id from dim_article_sources").fetchall()
        )
        off = con.execute(
            "select count(*) from fct_entity_mentions m join dim_articles a using (article_id) "
            "where substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.mention_text"
        ).fetchone()[0]
        n_hostile_mentions = con.execute(
            "select count(*) from fct_entity_mentions m join dim_articles a using (article_id) "
            "where a.source_path = 'good_control_sql_jinja.txt'"
        ).fetchone()[0]
    assert rejected == corpus.rejected
    assert texts == {**corpus.loaded, NEW_ARTICLE: texts[NEW_ARTICLE]}
    assert "{{ 7*7 }}" in texts["good_control_sql_jinja.txt"]  # no template rendered it
    for dup, original in corpus.duplicate_of.items():
        assert sources[dup] == sources[original]
    assert off == 0 and n_hostile_mentions > 0
    assert not Path("/tmp/newsledger-pwned").exists()  # the $(touch ...) never reached a shell


def test_rerun_is_idempotent_and_a_reader_process_neither_fails_nor_blocks_it(
    reference, inputs, dagster_home, tmp_path
):
    warehouse, first = reference
    published = warehouse / "analytics.duckdb"
    stop = tmp_path / "stop"
    reader_script = (
        "import duckdb, sys, time, pathlib\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "n = con.execute('select count(*) from pipeline_runs').fetchone()[0]\n"
        "print('ready', n, flush=True)\n"
        "seen, queries = set(), 0\n"
        "while not pathlib.Path(sys.argv[2]).exists():\n"
        "    seen.add(con.execute('select count(*) from pipeline_runs').fetchone()[0])\n"
        "    con.execute('select count(*) from fct_entity_mentions').fetchone()\n"
        "    queries += 1\n"
        "    time.sleep(0.05)\n"
        "print('done', sorted(seen), queries, flush=True)\n"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", reader_script, str(published), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().split() == ["ready", "1"]
        started = time.monotonic()
        # NEWSLEDGER_REBUILD: build and publish again although nothing changed (else skipped)
        done = run(inputs[1].folder, warehouse, cli_env(dagster_home, NEWSLEDGER_REBUILD="1"))
        elapsed = time.monotonic() - started
        assert done.returncode == 0, done.stderr[-3000:]
        assert reader.poll() is None  # the reader is still running, its connection open
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    status, seen, queries = out.split(" ", 2)
    assert status == "done" and seen == "[1]" and int(queries.split()[-1]) > 10
    assert elapsed < RUN_TIMEOUT
    # a new connection sees the new run, and the same tables, row for row
    assert n_runs(published) == 2
    assert snapshot(published) == first


@pytest.mark.parametrize("stage", STAGES)
def test_killed_at_a_stage_then_rerun_loses_and_duplicates_nothing(
    stage, baseline, reference, inputs, dagster_home, tmp_path
):
    base_wh, _ = baseline
    _, expected = reference
    warehouse = tmp_path / "wh o'brien"
    shutil.copytree(base_wh, warehouse, symlinks=True)
    published = warehouse / "analytics.duckdb"
    before = snapshot(published)
    runs_before = n_runs(published)

    killed = run(inputs[1].folder, warehouse, cli_env(dagster_home, NEWSLEDGER_FAULT_AT=stage))
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    # the kill happened where it was meant to
    if stage == "ingest":
        assert NEW_ARTICLE in ingest_parquet_paths(warehouse, "articles")
        assert NEW_ARTICLE not in ingest_parquet_paths(warehouse, "article_sources")
    elif stage == "nlp":
        parts = {
            t: len(list((warehouse / "lake" / t).glob("part-*")))
            for t in ("entity_mentions", "sentences")
        }
        assert parts["entity_mentions"] == parts["sentences"] + 1  # a part without its commit
    elif stage == "publish":
        assert leftovers(warehouse)  # the new file was built beside the old one, not renamed
    # the published file is still the previous complete version
    assert n_runs(published) == runs_before
    assert snapshot(published) == before

    rerun = run(inputs[1].folder, warehouse, cli_env(dagster_home))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    after = snapshot(published)
    assert after == expected  # exactly what a clean run on this input publishes
    assert n_runs(published) == runs_before + 1
    assert leftovers(warehouse) == []
    expected_ids = set(ingest_folder(inputs[1].folder).articles["article_id"].to_list())
    with duckdb.connect(str(published), read_only=True) as con:
        ids = [r[0] for r in con.execute("select article_id from dim_articles").fetchall()]
        for table, key in [("fct_entity_mentions", "mention_id"), ("dim_articles", "article_id")]:
            n, n_distinct = con.execute(
                f"select count(*), count(distinct {key}) from {table}"
            ).fetchone()
            assert n == n_distinct, table
        n_sentences, n_distinct_sentences = con.execute(
            "select count(*), count(distinct (article_id, sentence_index)) from fct_sentences"
        ).fetchone()
        assert n_sentences == n_distinct_sentences
    assert set(ids) == expected_ids and len(ids) == len(expected_ids)


def ingest_parquet_paths(warehouse: Path, table: str) -> set[str]:
    import polars as pl

    frame = pl.read_parquet(warehouse / "lake" / table / "current.parquet")
    return set(frame["source_path"].to_list())
