"""Run the NLP stage incrementally: parse only articles not yet parsed by this extractor version.

Articles are processed in parts of `part_size` articles. For each part, every table of
DOC_TABLES is written as `lake/<table>/part-<key>.parquet`, `sentences` last; a part whose
sentences file exists is complete. A crash mid-part leaves other tables' files without their
sentences file: they are deleted at the start of the next run and the part is parsed again, so
a rerun repairs a crash without duplicating rows. Memory stays bounded by one part.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from spacy.language import Language

from transforms import lake
from transforms.faults import fault_point
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


def default_processes(n_articles: int) -> int:
    """Two processes only pay off on larger inputs; each worker loads its own copy of the model."""
    configured = os.environ.get("NEWSLEDGER_NLP_PROCESSES")
    if configured:
        return max(1, int(configured))
    return 2 if n_articles >= 400 and (os.cpu_count() or 1) >= 2 else 1


def done_article_ids(lake_dir: Path, version: str) -> set[str]:
    """Articles already parsed by this extractor version (their part's commit file exists)."""
    folder = Path(lake_dir) / COMMIT_TABLE
    if not folder.exists() or not any(folder.glob("part-*.parquet")):
        return set()
    frame = (
        pl.scan_parquet(folder / "part-*.parquet")
        .filter(pl.col("extractor_version") == version)
        .select("article_id")
        .unique()
        .collect()
    )
    return set(frame["article_id"].to_list())


def remove_orphan_parts(lake_dir: Path) -> int:
    """Delete part files whose batch never wrote its commit file (a crash mid-part)."""
    committed = {p.name for p in (Path(lake_dir) / COMMIT_TABLE).glob("part-*.parquet")}
    removed = 0
    for table in DOC_TABLES:
        if table == COMMIT_TABLE:
            continue
        for part in (Path(lake_dir) / table).glob("part-*.parquet"):
            if part.name not in committed:
                part.unlink()
                removed += 1
    return removed


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
    for commit_part in (Path(lake_dir) / COMMIT_TABLE).glob("part-*.parquet"):
        first = pl.scan_parquet(commit_part).select("extractor_version").head(1).collect()
        if first.height and first["extractor_version"][0] != version:  # one version per part
            ids = pl.read_parquet(commit_part, columns=["article_id"])["article_id"]
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
            (Path(lake_dir) / table / commit_part.name).unlink(missing_ok=True)
        removed += 1
    return removed


def _chunks(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size)


def run_nlp(
    lake_dir: Path,
    articles: pl.DataFrame,
    nlp: Language | None = None,
    part_size: int = 256,
    batch_size: int = 64,
    n_process: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cleanup: bool = True,
) -> NlpStats:
    """Parse the articles not yet parsed and append their rows to the lake.

    cleanup=False leaves orphan and stale parts to the caller: runs of several shards at once on
    one lake must not delete each other's parts (transforms/nlp/shards.py).
    """
    nlp = nlp or load_nlp()
    version = extractor_version(nlp)
    for table, (schema, _) in DOC_TABLES.items():
        lake.ensure_schema_file(lake_dir, table, schema)
    stats = NlpStats(n_articles_total=articles.height)
    stats.n_orphans_removed = remove_orphan_parts(lake_dir) if cleanup else 0
    done = done_article_ids(lake_dir, version)
    todo = articles.filter(~pl.col("article_id").is_in(list(done))).sort("article_id")
    stats.n_skipped = articles.height - todo.height
    n_process = n_process or default_processes(todo.height)
    progress = Progress("NLP", todo.height, "articles")
    for part in _chunks(todo.select("article_id", "published_date", "text"), part_size):
        ids = part["article_id"].to_list()
        rows: dict[str, list[dict]] = {table: [] for table in DOC_TABLES}
        contexts = [
            ArticleContext(article_id, published, version)
            for article_id, published in zip(ids, part["published_date"].to_list(), strict=True)
        ]
        pairs = zip(part["text"].to_list(), contexts, strict=True)
        docs = nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process)
        for doc, article in docs:
            # Guarded: an exception escaping this loop with n_process > 1 hangs spaCy's workers
            # (STACK_NOTES). A failing extractor costs only its own rows for this article.
            for table, (_, extract) in DOC_TABLES.items():
                try:
                    rows[table].extend(extract(doc, article))
                except Exception:  # noqa: BLE001
                    log.exception(
                        "%s extraction failed on article %s; its rows are skipped",
                        table,
                        article.article_id,
                    )
            stats.n_words_parsed += len(doc)
            progress.advance(words=len(doc))
        key = stable_id(version, *ids)
        for table, (schema, _) in DOC_TABLES.items():  # COMMIT_TABLE is last in DOC_TABLES
            frame = pl.DataFrame(rows[table], schema=schema)
            lake.write_atomic(frame, lake.part_path(lake_dir, table, key))
            if table != COMMIT_TABLE:
                fault_point("nlp")  # test hook: a part written without its commit file
        stats.n_parsed += len(ids)
        stats.n_parts_written += 1
        if on_progress:
            on_progress(stats.n_parsed, todo.height)
    stats.n_stale_parts_removed = remove_stale_parts(lake_dir, version) if cleanup else 0
    return stats
