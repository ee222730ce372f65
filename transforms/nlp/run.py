"""Run the NLP stage incrementally: parse only articles not yet parsed by this extractor version.

Articles are processed in parts of `part_size` articles. For each part, every table of
DOC_TABLES is written as `lake/<table>/part-<key>.parquet`, `sentences` last; a part whose
sentences file exists is complete. A crash mid-part leaves other tables' files without their
sentences file: they are deleted at the start of the next run and the part is parsed again, so
a rerun repairs a crash without duplicating rows. Memory stays bounded by one part.

With more than one process, parsing *and* extraction run in our own worker pool (processes
forked from a fork server that has loaded the pipeline once): a worker parses a chunk of
articles with `nlp.pipe(n_process=1)`, runs every extractor on each Doc and sends back only the
rows, as one small Polars frame per table. spaCy's own `n_process` would send every Doc back to
this process (deserializing them costs as much as a third of the parse) and leave the extractors
serial here. The main process only writes the parts, in article order, so the lake is the same
row for row as with one process.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from spacy.language import Language
from spacy.tokens import Doc

from transforms import actors, lake
from transforms.extract import doc_cache
from transforms.faults import fault_point
from transforms.long_lived import is_long_lived
from transforms.nlp.pipeline import extractor_version, load_nlp
from transforms.nlp.tables import DOC_TABLES, ArticleContext, stable_id
from transforms.progress import Progress

log = logging.getLogger(__name__)
COMMIT_TABLE = "sentences"


@dataclass
class NlpStats:
    n_articles_total: int = 0
    n_parsed: int = 0
    n_skipped: int = 0
    n_words_parsed: int = 0
    n_parts_written: int = 0
    n_orphans_removed: int = 0
    n_stale_parts_removed: int = 0


# The fewest articles a worker task gets (`_chunk_size`).
MIN_CHUNK = 8
# Fewer articles than this get one process, not two. A spawned worker first imports spaCy and
# loads the model (~3 s). One forked from the warm fork server (`warm_up`) starts at once, holding
# the model, and even one worker is forked from it (`run_nlp`): so two as soon as there are two
# tasks. Measured on a 2,000-article warehouse, +20 articles (2026-12-05): the NLP step took
# 1.4-1.5 s with two workers against 2.0-2.5 s with one in a warm `newsledger watch`, 3.2-3.7 s
# against 4.1-4.3 s in `newsledger run` (32 was the threshold when a small input was parsed in the
# main process, with no pool to start).
MIN_POOLED_ARTICLES = {"forkserver": MIN_CHUNK + 1, "spawn": 400}


def default_processes(n_articles: int) -> int:
    """Two processes on two cores or more, once the input is large enough to pay for them."""
    configured = os.environ.get("NEWSLEDGER_NLP_PROCESSES")
    if configured:
        return max(1, int(configured))
    enough = n_articles >= MIN_POOLED_ARTICLES[_pool_context().get_start_method()]
    return 2 if enough and (os.cpu_count() or 1) >= 2 else 1


def _chunk_size(n_articles: int, n_process: int, batch_size: int) -> int:
    """Articles per worker task: `batch_size`, or less so that a small input still gives each
    worker several chunks (200 articles in chunks of 64 would leave one worker idle at the end)."""
    return max(MIN_CHUNK, min(batch_size, -(-n_articles // (4 * n_process))))


def done_article_ids(lake_dir: Path, version: str) -> set[str]:
    """Articles already parsed by this extractor version (their part's commit file exists)."""
    commits = lake.table_files(lake_dir, COMMIT_TABLE, lake.PARTS)
    if not commits:
        return set()
    frame = (
        lake.scan_files(commits)
        .filter(pl.col("extractor_version") == version)
        .select("article_id")
        .unique()
        .collect()
    )
    return set(frame["article_id"].to_list())


def uncommitted_parts(lake_dir: Path) -> Iterator[lake.LakePath]:
    """Part files whose batch never wrote its commit file (a crash mid-part, or being written)."""
    committed = {p.name for p in lake.table_files(lake_dir, COMMIT_TABLE, lake.PARTS)}
    for table in DOC_TABLES:
        if table == COMMIT_TABLE:
            continue
        for part in lake.table_files(lake_dir, table, lake.PARTS):
            if part.name not in committed:
                yield part


def remove_orphan_parts(lake_dir: Path) -> int:
    """Delete every uncommitted part (one run on the lake; shards.py scopes it to some shards)."""
    orphans = list(uncommitted_parts(lake_dir))
    for part in orphans:
        lake.remove(part)
    return len(orphans)


def remove_stale_parts(
    lake_dir: Path, version: str, live_article_ids: set[str] | None = None
) -> int:
    """Delete the parts of another extractor version once every one of their articles is re-parsed.

    A part is removed only when each of its articles has a committed part under `version` (or,
    when `live_article_ids` is given, is no longer in the input at all): a run that parsed only
    some articles (one shard, a partial run) never deletes the rows of an article it did not
    re-parse. Readers never see two versions of one article's rows for long, and never none.
    Safe while other runs write parts of `version`: those are never stale.
    """
    parts = []
    for commit_part in lake.table_files(lake_dir, COMMIT_TABLE, lake.PARTS):
        first = lake.scan_file(commit_part).select("extractor_version").head(1).collect()
        if first.height and first["extractor_version"][0] != version:  # one version per part
            ids = lake.read_file(commit_part, columns=["article_id"])["article_id"]
            parts.append((commit_part, set(ids.to_list())))
    if not parts:
        return 0
    done = done_article_ids(lake_dir, version)
    removed = 0
    for commit_part, ids in parts:
        pending = ids - done
        if live_article_ids is not None:
            pending &= live_article_ids
        if pending:
            continue  # some of its articles still have only these rows
        for table in DOC_TABLES:  # COMMIT_TABLE last: a crash here leaves orphans, not gaps
            lake.remove(lake.table_dir(lake_dir, table) / commit_part.name)
        removed += 1
    return removed


@dataclass
class ChunkRows:
    """What extraction of some articles gives: one frame per table, failures, words parsed."""

    frames: dict[str, pl.DataFrame]
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # table, article, trace
    n_articles: int = 0
    n_words: int = 0
    actor_cache: pl.DataFrame | None = None  # per-article actor resolutions; None if it failed


def extract_docs(docs: Iterable[tuple[Doc, ArticleContext]]) -> ChunkRows:
    """Every extractor of DOC_TABLES on each Doc; a failing extractor costs only its own rows."""
    rows: dict[str, list[dict]] = {table: [] for table in DOC_TABLES}
    failures: list[tuple[str, str, str]] = []
    texts: dict[str, str] = {}
    n_articles = n_words = 0
    version = None
    for doc, article in docs:
        version = article.version
        with doc_cache.cached(doc):  # Doc.text, .ents, .sents built once for all tables
            texts[article.article_id] = doc_cache.text(doc)
            for table, (_, extract) in DOC_TABLES.items():
                try:
                    rows[table].extend(extract(doc, article))
                except Exception:  # noqa: BLE001
                    failures.append((table, article.article_id, traceback.format_exc()))
        n_articles += 1
        n_words += len(doc)
    frames = {t: pl.DataFrame(rows[t], schema=schema) for t, (schema, _) in DOC_TABLES.items()}
    chunk = ChunkRows(frames, failures, n_articles, n_words)
    try:  # the actor stage's per-article step, here in the worker (transforms/actors.py)
        chunk.actor_cache = actors.cache_rows(frames["entity_mentions"], texts, version or "")
    except Exception:  # noqa: BLE001  (the actor stage resolves these articles itself)
        failures.append((actors.CACHE_TABLE, ",".join(texts)[:200], traceback.format_exc()))
    return chunk


def _log_failures(chunk: ChunkRows) -> None:
    for table, article_id, trace in chunk.failures:
        log.error(
            "%s extraction failed on article %s; its rows are skipped\n%s",
            table,
            article_id,
            trace.rstrip(),
        )


# --- the worker pool ----------------------------------------------------------------------------
_worker_nlp: Language | None = None


def _init_worker() -> None:
    global _worker_nlp
    _worker_nlp = load_nlp()


def _worker_chunk(texts: list[str], contexts: list[ArticleContext], batch_size: int) -> ChunkRows:
    nlp = _worker_nlp or load_nlp()
    return extract_docs(zip(nlp.pipe(texts, batch_size=batch_size), contexts, strict=True))


class WorkerDied(RuntimeError):
    """A worker process of the NLP pool ended without answering (killed, out of memory)."""


_warm = False  # set by warm_up: this process runs a fork server holding the pipeline


def _pool_context() -> multiprocessing.context.BaseContext:
    """Forked from the warm fork server when `warm_up` started one, else spawned.

    Not plain fork: the caller may be a Dagster run with threads, and forking a threaded process
    can deadlock the child. The fork server is a fresh single-threaded process that has loaded
    the pipeline (preload.py); its children inherit the model instead of loading their own.
    Only the CLI warms it up: multiprocessing has one fork server per process, which Dagster's
    multiprocess executor also uses for its step processes, and those must not come from a
    server holding our model and the environment of an earlier moment.
    """
    return multiprocessing.get_context("forkserver" if _warm else "spawn")


def warm_up() -> None:
    """Start the pool's fork server now, so that it loads the pipeline while this process does
    other work (`newsledger run` calls this before importing the Dagster definitions)."""
    global _warm
    multiprocessing.set_forkserver_preload(["transforms.nlp.preload"])
    multiprocessing.forkserver.ensure_running()
    _warm = True


def cool_down() -> threading.Thread | None:
    """Stop the fork server, in a thread that the caller joins before exiting: the server (half a
    second to exit with the model loaded) ends while the caller goes on, and the join reaps it
    and its workers in this process (their resource usage, peak memory included, then counts as
    this process's children's, as a spawned pool's does). Uses multiprocessing's own stop, meant
    for its tests; if a Python version lacks it (or no server was warmed), returns None and the
    server simply ends with this process."""
    global _kept
    if _kept is not None:  # the workers kept between runs (`transforms.long_lived`) go first
        kept, _kept = _kept, None
        _stop_pool(kept.pool)
    stop = getattr(multiprocessing.forkserver._forkserver, "_stop", None)
    if not _warm or stop is None:
        return None
    stopping = threading.Thread(target=stop, name="forkserver-stop", daemon=True)
    stopping.start()
    return stopping


def _start_worker(
    environment: dict[str, str], init: Callable[[], None], exit_with_parent: bool = False
) -> None:
    # A worker inherits the fork server's environment, from when the server started; it takes
    # the current one of the process that starts the pool, as a spawned worker would.
    os.environ.clear()
    os.environ.update(environment)
    if exit_with_parent:
        _exit_with_parent()
    init()


def _exit_with_parent() -> None:
    """Have the kernel SIGKILL this worker when its parent ends (Linux prctl PR_SET_PDEATHSIG).

    A worker forked from the fork server is that server's child. The server ends when no
    process holds the write end of its "alive" pipe any more: the process that started it, and
    every child it forked, which multiprocessing hands that end (so that they could fork from it
    too; our workers never do, so they close it here). Then a `newsledger run` killed mid-parse
    (SIGKILL, OOM) takes its fork server with it, and the server its workers: none is left behind
    holding the run's stdout and writing to the lake (a killed run's caller waited on such
    orphans for ever: the kill test of tests/test_reliability_pipeline.py hung). Only for forked
    workers: the fork server is single-threaded, and the signal fires when the parent *thread*
    that forked ends. Elsewhere (no prctl) nothing changes."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        return
    server = multiprocessing.forkserver._forkserver
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(1)


def _start_pool(n_process: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=n_process,
        mp_context=_pool_context(),
        initializer=_start_worker,
        initargs=(dict(os.environ), _init_worker, _warm),
    )


@dataclass
class _KeptPool:
    """Workers kept between the runs of a long-lived process (`transforms.long_lived`), with what
    they were started for: their number, the environment they took, the articles they parsed."""

    pool: cf.ProcessPoolExecutor
    n_process: int
    environment: dict[str, str]
    served: int = 0


# The workers between the runs of a long-lived process (`transforms.long_lived`), idle: a pool
# forked anew each run pays each worker's first touch of the model and the extractors' memory
# again (copy-on-write pages, first calls). Measured 2026-12-06, two workers forked from the warm
# fork server, 2 x 10 articles: 1.14-1.57 s on a new pool, 0.74-1.01 s on the same pool again
# (three pools).
_kept: _KeptPool | None = None


def _take_pool(n_process: int) -> _KeptPool:
    """The kept workers when they fit this run (at least `n_process` of them, started with this
    environment, none of them dead), else new ones (the kept ones stopped)."""
    global _kept
    kept, _kept = _kept, None
    if kept is not None:
        if (
            kept.n_process >= n_process
            and kept.environment == dict(os.environ)
            and _all_alive(kept.pool)
        ):
            return kept
        _stop_pool(kept.pool)
    return _KeptPool(_start_pool(n_process), n_process, dict(os.environ))


def _give_back(kept: _KeptPool, failed: bool) -> None:
    """Keep the workers for the next run of a long-lived process, else stop them. Workers of a
    failed run are killed: they may still be parsing."""
    global _kept
    if failed:
        _kill_workers(kept.pool)
    elif is_long_lived() and _warm and _all_alive(kept.pool):
        _kept = kept
        return
    _stop_pool(kept.pool)


def _all_alive(pool: cf.ProcessPoolExecutor) -> bool:
    """No worker of the pool has died (CPython's `_broken` flag is set only once the pool's
    manager thread has noticed; the processes themselves say it at once)."""
    processes = (getattr(pool, "_processes", None) or {}).values()
    return not getattr(pool, "_broken", False) and all(p.is_alive() for p in processes)


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    pool.shutdown(wait=True, cancel_futures=True)


def prestart_workers() -> None:
    """Start the workers a run of this many-core machine would use and have each parse a
    sentence, so that the next run finds them warm (`newsledger watch`, while idle)."""
    global _kept
    if not (is_long_lived() and _warm) or _kept is not None:
        return
    n_process = default_processes(MIN_POOLED_ARTICLES["forkserver"])
    kept = _take_pool(n_process)
    try:
        for future in [kept.pool.submit(_worker_warm_up) for _ in range(n_process)]:
            future.result()
    except BaseException:
        _give_back(kept, failed=True)
        raise
    _kept = kept


def _worker_warm_up() -> None:
    """A worker's first chunk, of one sentence, whose rows nobody reads."""
    import datetime as dt

    from transforms.nlp.preload import WARM_UP_TEXT

    _worker_chunk([WARM_UP_TEXT], [ArticleContext("warm-up", dt.date(2024, 11, 4), "-")], 1)


# --- the stage ----------------------------------------------------------------------------------
@dataclass
class _Part:
    key: str
    texts: list[str]
    contexts: list[ArticleContext]


def _parts(todo: pl.DataFrame, size: int, version: str) -> Iterator[_Part]:
    for offset in range(0, todo.height, size):
        part = todo.slice(offset, size)
        ids = part["article_id"].to_list()
        contexts = [
            ArticleContext(article_id, published, version)
            for article_id, published in zip(ids, part["published_date"].to_list(), strict=True)
        ]
        yield _Part(stable_id(version, *ids), part["text"].to_list(), contexts)


def _in_process(parts: Iterator[_Part], nlp: Language | None, batch_size: int, n_process: int):
    for part in parts:
        nlp = nlp or load_nlp()  # loaded only when there is something to parse
        docs = nlp.pipe(part.texts, batch_size=batch_size, n_process=n_process)
        yield part, extract_docs(zip(docs, part.contexts, strict=True)), True


def _pooled(parts: Iterator[_Part], n: int, batch_size: int, recycle_after: int):
    """(part, chunk rows, last chunk of its part?) in article order, one chunk per batch.

    Chunks of the next part are already queued while a part ends, so no worker waits for the
    slowest chunk of a part; at most `2 * n` chunks are queued or running at any time. After
    `recycle_after` articles the pool is replaced at a part boundary: a worker's memory grows
    slowly with what it has parsed (measured: from ~725 to ~850 MB over 2,000 articles), a
    fresh worker starts from the model's size again, for one more model load per worker.
    """
    kept = _take_pool(n)  # new workers, or those a long-lived process kept
    pending: deque[tuple[_Part, bool, cf.Future]] = deque()
    failed = True
    try:
        for part in parts:
            if kept.served >= recycle_after:
                while pending:
                    yield _result(*pending.popleft())
                _stop_pool(kept.pool)
                kept = _KeptPool(_start_pool(n), n, dict(os.environ))
            starts = range(0, len(part.texts), batch_size)
            for i in starts:
                texts, contexts = part.texts[i : i + batch_size], part.contexts[i : i + batch_size]
                future = kept.pool.submit(_worker_chunk, texts, contexts, batch_size)
                pending.append((part, i == starts[-1], future))
                if len(pending) >= 2 * n:
                    yield _result(*pending.popleft())
            kept.served += len(part.texts)
        while pending:
            yield _result(*pending.popleft())
        failed = False
    finally:
        # a failed run (or one stopped early: the generator closed) kills its workers
        _give_back(kept, failed=failed or bool(pending))


def _kill_workers(pool: cf.ProcessPoolExecutor) -> None:
    """A failed run stops its remaining workers at once with SIGKILL, which no worker can ignore
    or delay. (A broken pool's own clean-up sends SIGTERM and then waits for each worker without
    a timeout: once, under full-suite load, that wait hung for 300 s.) The executor keeps its
    processes in `_processes`, an attribute of CPython's ProcessPoolExecutor since 3.2."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()


def _result(part: _Part, last: bool, future: cf.Future) -> tuple[_Part, ChunkRows, bool]:
    try:
        return part, future.result(), last
    except cf.process.BrokenProcessPool as error:
        raise WorkerDied(
            f"an NLP worker process died while parsing a chunk of articles from "
            f"{part.contexts[0].article_id} to {part.contexts[-1].article_id} (killed, or out "
            "of memory?). Every part written so far is complete; run again to parse the rest."
        ) from error


def _write_part(lake_dir: Path, key: str, chunks: list[ChunkRows]) -> None:
    caches = [c.actor_cache for c in chunks if c.actor_cache is not None]
    if caches:  # before the commit file: a part re-parsed after a crash rewrites the same file
        lake.write_atomic(pl.concat(caches), lake.part_path(lake_dir, actors.CACHE_TABLE, key))
    for table in DOC_TABLES:  # COMMIT_TABLE is last in DOC_TABLES
        frame = pl.concat([c.frames[table] for c in chunks], how="vertical")
        lake.write_atomic(frame, lake.part_path(lake_dir, table, key))
        if table != COMMIT_TABLE:
            fault_point("nlp")  # test hook: a part written without its commit file


def run_nlp(
    lake_dir: Path,
    articles: pl.DataFrame,
    nlp: Language | None = None,
    part_size: int = 256,
    batch_size: int = 64,
    n_process: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    recycle_after: int = 5000,
    cleanup: bool = True,
) -> NlpStats:
    """Parse the articles not yet parsed and append their rows to the lake.

    With n_process > 1 the work goes to a pool of worker processes that load the pinned
    pipeline themselves (load_nlp); `nlp`, if given, is then that same pipeline (a custom one
    is run in this process, with spaCy's own n_process). Workers come from a fork server that
    imports only the pipeline (preload.py), not the caller's main module.

    cleanup=False leaves orphan and stale parts to the caller: runs of several shards at once on
    one lake must not delete each other's parts (transforms/nlp/shards.py).
    """
    version = extractor_version(nlp)
    for table, (schema, _) in DOC_TABLES.items():
        lake.ensure_schema_file(lake_dir, table, schema)
    stats = NlpStats(n_articles_total=articles.height)
    stats.n_orphans_removed = remove_orphan_parts(lake_dir) if cleanup else 0
    done = done_article_ids(lake_dir, version)
    todo = articles.filter(~pl.col("article_id").is_in(list(done))).sort("article_id")
    todo = todo.select("article_id", "published_date", "text")
    stats.n_skipped = articles.height - todo.height
    n_process = n_process or default_processes(todo.height)
    pinned = nlp is None or (load_nlp.cache_info().currsize > 0 and nlp is load_nlp())
    progress = Progress("NLP", todo.height, "articles")
    parts = _parts(todo, part_size, version)
    # With a warm fork server even one worker goes to the pool: it is forked holding the model
    # and the warmed extractors, where this process would first load them (~3 s of a rerun).
    if pinned and (n_process > 1 or _warm) and todo.height:
        chunk = _chunk_size(todo.height, n_process, batch_size)
        results = _pooled(parts, n_process, chunk, recycle_after)
    else:
        results = _in_process(parts, nlp, batch_size, n_process)
    chunks: list[ChunkRows] = []  # the rows of the part being collected: one part at most
    try:
        for part, chunk, last in results:
            _log_failures(chunk)
            chunks.append(chunk)
            stats.n_words_parsed += chunk.n_words
            progress.advance(chunk.n_articles, words=chunk.n_words)
            if last:
                _write_part(lake_dir, part.key, chunks)
                chunks = []
                stats.n_parsed += len(part.contexts)
                stats.n_parts_written += 1
                if on_progress:
                    on_progress(stats.n_parsed, todo.height)
    finally:
        results.close()  # stops the worker pool, also when this loop raised
    # `articles` may be a subset of the input (one shard): parts of articles outside it stay;
    # the Dagster nlp_commit step passes the live input ids instead.
    stats.n_stale_parts_removed = remove_stale_parts(lake_dir, version) if cleanup else 0
    return stats
