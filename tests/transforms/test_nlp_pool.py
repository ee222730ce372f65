"""The NLP stage's worker pool on the real model: same rows as one process, failures that end.

Workers are spawned processes, so a test changes their behaviour through the pool's initializer
(a module-level function here, which the workers import): it makes one extractor raise, or
kill its own process, on one chosen article.
"""

from __future__ import annotations

import os
import signal

import polars as pl
import pytest

import transforms.nlp.run as nlp_run
from orchestration.processes import alive
from tests.conftest import SEEDS
from transforms import lake
from transforms.articles import ingest_folder
from transforms.nlp.run import WorkerDied, done_article_ids, run_nlp
from transforms.nlp.tables import DOC_TABLES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
SEED_FILES = ["000_55766d7a04a2f1f7.txt", "voa_6181504.txt", "voa_8007271.txt", "voa_8010842.txt"]
TARGET_ENV = "NEWSLEDGER_TEST_NLP_TARGET"  # the article the patched extractor fails on


@pytest.fixture(scope="module")
def articles() -> pl.DataFrame:
    result = ingest_folder(SEEDS)
    return result.articles.filter(pl.col("source_path").is_in(SEED_FILES)).sort("article_id")


def _patch_claims(action) -> None:
    nlp_run._init_worker()
    schema, extract = DOC_TABLES["claims"]

    def patched(doc, article):
        if article.article_id == os.environ[TARGET_ENV]:
            action()
        return extract(doc, article)

    DOC_TABLES["claims"] = (schema, patched)


def _raise() -> None:
    raise ValueError("a bug in the claims extractor")


def _init_raising_claims() -> None:  # runs in each worker
    _patch_claims(_raise)


def _init_dying_worker() -> None:  # runs in each worker
    _patch_claims(lambda: os.kill(os.getpid(), signal.SIGKILL))


def _tables(lake_dir) -> dict[str, pl.DataFrame]:
    return {table: lake.read_table(lake_dir, table) for table in DOC_TABLES}


@pytest.fixture(scope="module")
def in_process(tmp_path_factory, articles) -> dict[str, pl.DataFrame]:
    lake_dir = tmp_path_factory.mktemp("in_process")
    run_nlp(lake_dir, articles, n_process=1, part_size=3)
    return _tables(lake_dir)


def test_the_pool_writes_the_same_rows_in_the_same_order_as_one_process(
    tmp_path, articles, in_process
):
    # one article per chunk and three per part: chunks of two parts are in flight at once,
    # and the pool is replaced by a fresh one after the first part
    stats = run_nlp(tmp_path, articles, n_process=2, part_size=3, batch_size=1, recycle_after=3)
    assert stats.n_parsed == articles.height and stats.n_parts_written == 2
    pooled = _tables(tmp_path)
    for table, frame in in_process.items():
        assert pooled[table].equals(frame), table
    assert in_process["claims"].height > 0 and in_process["entity_mentions"].height > 0


def test_a_raising_extractor_costs_only_that_articles_rows_of_that_table(
    tmp_path, articles, in_process, monkeypatch, caplog
):
    target = articles["article_id"][1]
    monkeypatch.setenv(TARGET_ENV, target)
    monkeypatch.setattr(nlp_run, "_init_worker", _init_raising_claims)
    stats = run_nlp(tmp_path, articles, n_process=2, part_size=3, batch_size=1)
    assert stats.n_parsed == articles.height
    pooled = _tables(tmp_path)
    expected_claims = in_process["claims"].filter(pl.col("article_id") != target)
    assert in_process["claims"].height > expected_claims.height  # the target had claims
    assert pooled["claims"].equals(expected_claims)
    for table in DOC_TABLES.keys() - {"claims"}:
        assert pooled[table].equals(in_process[table]), table
    failures = [r for r in caplog.records if "claims extraction failed" in r.getMessage()]
    assert len(failures) == 1 and target in failures[0].getMessage()
    assert "a bug in the claims extractor" in failures[0].getMessage()


def test_a_dead_worker_fails_the_run_clearly_and_a_rerun_repairs_it(
    tmp_path, articles, in_process, monkeypatch
):
    target = articles["article_id"][3]  # in the second part
    monkeypatch.setenv(TARGET_ENV, target)
    monkeypatch.setattr(nlp_run, "_init_worker", _init_dying_worker)
    with pytest.raises(WorkerDied, match="worker process died.*run again"):
        run_nlp(tmp_path, articles, n_process=2, part_size=3, batch_size=1)
    # The first part is committed only if its chunks ended before the kill; the second never.
    version = in_process["sentences"]["extractor_version"][0]
    assert target not in done_article_ids(tmp_path, version)
    monkeypatch.undo()
    stats = run_nlp(tmp_path, articles, n_process=2, part_size=3, batch_size=1)
    assert stats.n_parsed >= 1 and stats.n_parsed + stats.n_skipped == articles.height
    repaired = _tables(tmp_path)
    for table, frame in in_process.items():
        assert repaired[table].sort(frame.columns).equals(frame.sort(frame.columns)), table


def test_the_workers_cache_every_articles_actor_resolution(tmp_path, articles):
    from transforms.actor_lake import lake_actors
    from transforms.actors import resolve_mentions

    run_nlp(tmp_path, articles, n_process=2, part_size=3, batch_size=1)
    lake.write_snapshot(tmp_path, "articles", articles)
    keys = lake.latest_version_keys(tmp_path, "entity_mentions", articles["article_id"])
    frames, stats = lake_actors(tmp_path, keys)
    assert (stats.n_cached, stats.n_resolved) == (articles.height, 0)  # nothing left to resolve
    mentions = lake.read_table(tmp_path, "entity_mentions")
    texts = dict(articles.select("article_id", "text").iter_rows())
    for got, want in zip(frames, resolve_mentions(mentions, texts), strict=True):
        assert got.sort(pl.all()).equals(want.sort(pl.all()))
    assert 0 < frames[1].height <= mentions.height  # links of the actor mentions


def test_workers_forked_from_the_warm_fork_server_write_the_same_rows(
    tmp_path, articles, in_process
):
    # In a process of its own, as `newsledger run` does it: the fork server is per process, and
    # pytest's must stay cold for the Dagster multiprocess executor of other tests.
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import polars as pl\n"
        "from transforms.nlp.run import _pool_context, run_nlp, warm_up\n"
        "warm_up()\n"
        "assert _pool_context().get_start_method() == 'forkserver'\n"
        "articles = pl.read_parquet(sys.argv[2])\n"
        "run_nlp(Path(sys.argv[1]), articles, n_process=2, part_size=3, batch_size=1)\n"
    )
    articles.write_parquet(tmp_path / "articles.parquet")
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "lake"), str(tmp_path / "articles.parquet")],
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=240,
    )
    pooled = _tables(tmp_path / "lake")
    for table, frame in in_process.items():
        assert pooled[table].equals(frame), table


def test_the_fork_servers_warm_up_loads_the_classifiers_without_polars():
    """What preload.py does once for every worker: the shipped classifiers, the word classes and
    dateparser end up loaded in that process, and Polars (whose thread pool must not exist in a
    process that forks) is never imported there."""
    import subprocess
    import sys

    from transforms.extract import textcat

    probe = (
        "import sys, transforms.nlp.preload\n"
        "from transforms.extract import textcat, word_clusters\n"
        "print(textcat._pipe.cache_info().currsize, word_clusters._table.cache_info().currsize,"
        " 'dateparser' in sys.modules, 'polars' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    n_models = len(list(textcat.MODELS_ROOT.glob("*/*/config.cfg")))
    assert n_models >= 4  # events, claims, pledges and the party country chooser at least
    assert out == [str(n_models), "1", "True", "False"]


def test_a_warm_fork_server_parses_even_one_article_in_a_worker(tmp_path, articles, monkeypatch):
    """A rerun with one new article: with the fork server warm, the article goes to one worker
    forked from it (model and classifiers loaded), not to this process, which loads nothing."""

    def in_this_process(*args, **kwargs):
        raise AssertionError("parsed in the calling process")

    monkeypatch.setattr(nlp_run, "_in_process", in_this_process)
    monkeypatch.setattr(nlp_run, "_warm", False)
    nlp_run.warm_up()
    try:
        stats = run_nlp(tmp_path / "lake", articles.head(1))
        assert (stats.n_parsed, stats.n_parts_written) == (1, 1)
        assert lake.read_table(tmp_path / "lake", "sentences").height > 0
    finally:
        stopping = nlp_run.cool_down()
        if stopping:
            stopping.join(timeout=30)


def test_forked_workers_end_when_the_run_is_killed():
    """A run SIGKILLed mid-parse leaves no NLP worker behind (they would hold its stdout and
    its lake): the fork server ends with the run, and its workers with it (PR_SET_PDEATHSIG)."""
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    script = (
        "import os, time\n"
        "import transforms.nlp.run as r\n"
        "r.warm_up()\n"
        "pool = r._start_pool(1)\n"
        "print(pool.submit(os.getpid).result(timeout=240), flush=True)\n"
        "time.sleep(600)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        worker = int(run.stdout.readline())
        assert alive(worker)
    finally:
        run.kill()
        run.wait(timeout=30)
    deadline = time.monotonic() + 30
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(worker)


def test_a_long_lived_process_keeps_its_workers_between_runs_and_replaces_a_dead_one(
    tmp_path, articles, in_process
):
    """`newsledger watch` (a long-lived process): the workers started while idle parse the next
    run and stay for the one after; a worker killed while idle costs nothing but new workers (the
    next run writes every row); the rows are those of one process."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import json, os, signal, sys, time\n"
        "from pathlib import Path\n"
        "import polars as pl\n"
        "from transforms.long_lived import mark_long_lived\n"
        "from transforms.nlp import run\n"
        "run.warm_up(); mark_long_lived(); run.prestart_workers()\n"
        "pids = [sorted(run._kept.pool._processes)]\n"
        "articles = pl.read_parquet(sys.argv[2])\n"
        "half = articles.height // 2\n"
        "run.run_nlp(Path(sys.argv[1]), articles.head(half), n_process=2, part_size=3, batch_size=1)\n"
        "pids.append(sorted(run._kept.pool._processes))\n"
        "os.kill(pids[-1][0], signal.SIGKILL)\n"
        "time.sleep(0.2)\n"
        "run.run_nlp(Path(sys.argv[1]), articles, n_process=2, part_size=3, batch_size=1)\n"
        "pids.append(sorted(run._kept.pool._processes))\n"
        "run.cool_down().join()\n"
        "print(json.dumps(pids))\n"
    )
    articles.write_parquet(tmp_path / "articles.parquet")
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "lake"), str(tmp_path / "articles.parquet")],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=240,
    )
    prestarted, after_first, after_second = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(prestarted) == 2 and after_first == prestarted  # the same two processes
    # new ones (the executor starts a second one only when no worker is idle)
    assert after_second and not set(after_second) & set(after_first)
    kept = _tables(tmp_path / "lake")
    for table, frame in in_process.items():
        key = [c for c, dtype in frame.schema.items() if not dtype.is_nested()]
        assert kept[table].sort(key).equals(frame.sort(key)), table
