"""The lake: Parquet files under <warehouse>/lake that Python stages write and dbt reads.

Layout (one folder per table, so dbt sources read `<table>/*.parquet`):
    lake/articles/current.parquet          snapshot of the input folder, rewritten each ingest
    lake/article_sources/current.parquet
    lake/rejected_files/current.parquet
    lake/ingest_manifest/current.parquet   what ingest knows of each file (private: no dbt source)
    lake/sentences/part-<key>.parquet      one part per NLP batch, never rewritten
    lake/entity_mentions/part-<key>.parquet
    lake/<table>/_empty.parquet            a zero-row file with the schema, so globs never miss
    lake/actor_cache/part-<key>.parquet    per-article actor resolutions (transforms/actors.py)
    lake/geocode_cache/current.parquet     one geocode per distinct place text (places.py)
    lake/event_cluster_input/current.parquet  what the last event clustering read, stamped with
                                           its outputs (private; extract/cluster.py)

Every write goes to a temporary file in the same folder and is renamed over the target, so a
crash leaves either the old file or the new one, never half of one. Temporary files are named
`.tmp-*.parquet.tmp`: no `*.parquet` glob (dbt's sources, `read_table`) ever reads one, even when
a crash leaves it behind; `remove_temp_files` deletes such leftovers at the start of a run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl

TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".parquet.tmp"  # not `*.parquet`: a leftover never matches a table's glob


def table_dir(lake: Path, table: str) -> Path:
    path = Path(lake) / table
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomic(frame: pl.DataFrame | pl.LazyFrame, path: Path) -> None:
    """Write a Parquet file so that readers see the old file or the new one, never a partial one.

    A LazyFrame is streamed into the file (`sink_parquet`), without collecting it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        if isinstance(frame, pl.LazyFrame):
            frame.sink_parquet(tmp)
        else:
            frame.write_parquet(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_schema_file(lake: Path, table: str, schema: dict) -> None:
    """Keep a zero-row Parquet file with the table's schema so `table/*.parquet` always matches."""
    path = table_dir(lake, table) / "_empty.parquet"
    empty = pl.DataFrame(schema=schema)
    if not path.exists() or pl.read_parquet_schema(path) != empty.schema:
        write_atomic(empty, path)


def write_snapshot(lake: Path, table: str, frame: pl.DataFrame) -> Path:
    path = table_dir(lake, table) / "current.parquet"
    write_atomic(frame, path)
    ensure_schema_file(lake, table, dict(frame.schema))
    return path


def read_snapshot(lake: Path, table: str) -> pl.DataFrame | None:
    """The table's snapshot (`current.parquet`), or None when there is none or it is unreadable."""
    path = Path(lake) / table / "current.parquet"
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError):
        return None


def remove_temp_files(lake: Path) -> int:
    """Delete temporary files a killed run left behind (call only while holding the run lock)."""
    removed = 0
    for pattern in (f"*/{TEMP_PREFIX}*{TEMP_SUFFIX}", f"*/{TEMP_PREFIX}*.parquet"):  # + old name
        for tmp in Path(lake).glob(pattern):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def table_files(lake: Path, table: str) -> list[Path]:
    """Every Parquet file of a lake table, in name order (the order `read_table` reads)."""
    folder = Path(lake) / table
    return sorted(folder.glob("[!.]*.parquet")) if folder.exists() else []


def read_table(lake: Path, table: str, columns: list[str] | None = None) -> pl.DataFrame:
    """Read every part of a lake table (zero rows when it has none)."""
    files = table_files(lake, table)
    if not files:
        return pl.DataFrame()
    return pl.concat([pl.read_parquet(f, columns=columns) for f in files], how="vertical_relaxed")


def part_path(lake: Path, table: str, key: str) -> Path:
    return table_dir(lake, table) / f"part-{key}.parquet"


def _scan(lake: Path, table: str, columns: list[str]) -> pl.LazyFrame | None:
    files = table_files(lake, table)
    if not files:
        return None
    return pl.concat([pl.scan_parquet(f).select(columns) for f in files], how="vertical_relaxed")


def latest_version_keys(lake: Path, table: str, article_ids: pl.Series) -> pl.DataFrame:
    """(article_id, extractor_version) of one version of each article's rows in an NLP table, for
    the given articles only (those of the current articles snapshot).

    The greatest version string, as dbt's current_nlp_rows picks: versions end in a fingerprint
    (transforms/nlp/pipeline.py), so this is not the newest, only the same choice on both sides;
    an article has rows of two versions only until a complete NLP run removes the stale part."""
    empty = pl.DataFrame(schema={"article_id": pl.String, "extractor_version": pl.String})
    lazy = _scan(lake, table, ["article_id", "extractor_version"])
    if lazy is None:
        return empty
    return (
        lazy.group_by("article_id")
        .agg(pl.col("extractor_version").max())
        .filter(pl.col("article_id").is_in(article_ids.implode()))
        .sort("article_id")
        .collect()
    )


def read_rows_of(
    lake: Path,
    table: str,
    keys: pl.DataFrame,
    columns: list[str],
    where: pl.Expr | None = None,
    unique_on: str | None = None,
) -> pl.DataFrame:
    """The rows of an NLP table whose (article_id, extractor_version) is in `keys`, in the order
    `read_table` gives, optionally filtered and with one row per `unique_on` (the first)."""
    lazy = _scan(lake, table, sorted({*columns, "article_id", "extractor_version"}))
    if lazy is None:
        return pl.DataFrame()
    lazy = lazy.with_row_index("_order")
    if where is not None:
        lazy = lazy.filter(where)
    lazy = lazy.join(keys.lazy(), on=["article_id", "extractor_version"], how="semi").sort("_order")
    if unique_on:
        lazy = lazy.unique(unique_on, keep="first", maintain_order=True)
    return lazy.select(columns).collect()
