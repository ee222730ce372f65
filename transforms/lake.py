"""The lake: Parquet files that Python stages write and dbt reads, under <warehouse>/lake or at
NEWSLEDGER_LAKE_URL (orchestration/settings.py). This module is the one place that reads, writes,
lists or deletes lake files; callers name tables and parts, never paths of their own.

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

Where: the root is a local folder (a path, or a `file://` URL), or any fsspec URL through
universal-pathlib (`memory://...`, `s3://...` with s3fs installed). A local root is a plain
`pathlib.Path`, and polars reads its files by path (memory-mapped, only the columns and row
groups a scan needs); a file elsewhere is fetched whole through fsspec and polars reads the bytes.

dbt reads the lake through DuckDB globs (`duckdb_source`): a local folder directly; any other
through the lake's fsspec filesystem, registered in DuckDB by dbt-duckdb (its `filesystems`
setting), since DuckDB's own httpfs extension cannot be installed on this machine (the duckdb
wheel links parquet, json and icu only). A memory:// lake is readable only while dbt runs in the
process that wrote it (`newsledger run`, in-process executor and dbt); an s3:// one needs s3fs,
which is not in the locked environment (the route is the same, untested here).

Writes are atomic: readers see the old file or the new one, never part of one.
- Local: the file is written to a temporary file in the same folder, fsynced and renamed over
  the target. Temporary files are named `.tmp-*.parquet.tmp`: no `*.parquet` glob (dbt's
  sources, `read_table`) ever reads one, even when a crash leaves it behind; `remove_temp_files`
  deletes such leftovers at the start of a run.
- Object storage (and any other non-local fsspec filesystem): the whole Parquet file is
  serialized in memory first, then stored with one whole-object put (`pipe_file`) at its final
  key. An object store makes a put visible whole or not at all, so there is no rename step and no
  temporary object; a write that fails before the put leaves the old object as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

import fsspec
import polars as pl
from upath import UPath

TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".parquet.tmp"  # not `*.parquet`: a leftover never matches a table's glob
SNAPSHOT = "current.parquet"
SCHEMA_FILE = "_empty.parquet"
PARTS = "part-*.parquet"  # the parts of an NLP or cache table (`table_files` pattern)
LOCAL_PROTOCOLS = ("", "file", "local")

LakePath = Path | UPath  # a local Path, or a UPath of another fsspec filesystem


class LakeNotReadable(RuntimeError):
    """dbt (DuckDB) cannot read the lake where it is, from where it runs."""


def location(lake: str | os.PathLike) -> LakePath:
    """The lake root: a `Path` for a local folder (a path or a `file://` URL), else a UPath."""
    if isinstance(lake, Path) and not isinstance(lake, UPath):
        return lake
    if isinstance(lake, str) and "://" not in lake:
        return Path(lake)
    upath = lake if isinstance(lake, UPath) else UPath(lake)
    return Path(upath.path) if upath.protocol in LOCAL_PROTOCOLS else upath


def is_local(lake: str | os.PathLike) -> bool:
    return not isinstance(location(lake), UPath)


def local_size_bytes(lake: str | os.PathLike) -> int:
    """The bytes of every file under a local lake's folder (what a full dbt build reads)."""
    root = location(lake)
    return sum(
        f.stat().st_size for f in Path(root).rglob("*") if f.is_file() and not f.is_symlink()
    )


def duckdb_source(lake: str | os.PathLike, one_process: bool) -> tuple[str, list[dict]]:
    """`where_duckdb_reads`, checked: raises LakeNotReadable, with the reason, when DuckDB cannot
    read the lake. `one_process`: DuckDB runs in the process that writes the lake (a memory://
    lake needs it)."""
    root = location(lake)
    if isinstance(root, UPath):
        _check_duckdb_reads(root, one_process)
    return where_duckdb_reads(root)


def where_duckdb_reads(lake: str | os.PathLike) -> tuple[str, list[dict]]:
    """Where DuckDB reads the lake (a folder or a URL) and the fsspec filesystems to register
    for it (dbt-duckdb's `filesystems`), unchecked."""
    root = location(lake)
    if not isinstance(root, UPath):
        return str(root), []
    return str(root), [{"fs": root.protocol, **root.storage_options}]


def _check_duckdb_reads(root: UPath, one_process: bool) -> None:
    if root.protocol == "memory" and not one_process:
        raise LakeNotReadable(
            f"the lake {root} lives in the memory of one process, and dbt would read it from "
            "another one: run it with the in-process executor and dbt in-process (no "
            "NEWSLEDGER_DBT_SUBPROCESS=1), or point NEWSLEDGER_LAKE_URL at a shared folder"
        )
    try:
        fsspec.get_filesystem_class(root.protocol)
    except (ImportError, ValueError) as err:
        raise LakeNotReadable(
            f"dbt cannot read the lake {root}: DuckDB reads a lake that is not on a local or "
            "mounted filesystem through fsspec (its httpfs extension cannot be installed on this "
            f"machine), and fsspec has no {root.protocol}:// filesystem here ({err}). Install "
            "it, point NEWSLEDGER_LAKE_URL at a folder every worker mounts, or unset it"
        ) from err


def dbt_threads(lake: str | os.PathLike) -> int | None:
    """The dbt threads that may read the lake at once, where the profile's (None) would not be
    safe: one for memory://, whose fsspec filesystem hands every reader of a file the same file
    object, so two DuckDB threads reading one Parquet file move each other's position ("No magic
    bytes found at end of file", seen in CI and reproduced with 4 threads reading one file)."""
    root = location(lake)
    return 1 if isinstance(root, UPath) and root.protocol == "memory" else None


def table_dir(lake: str | os.PathLike, table: str) -> LakePath:
    return location(lake) / table


def snapshot_path(lake: str | os.PathLike, table: str) -> LakePath:
    return table_dir(lake, table) / SNAPSHOT


def part_path(lake: str | os.PathLike, table: str, key: str) -> LakePath:
    return table_dir(lake, table) / f"part-{key}.parquet"


def source(path: LakePath) -> Path | bytes:
    """What polars reads for a lake file: a local path, or the bytes of a remote object."""
    return path if not isinstance(path, UPath) else path.fs.cat_file(path.path)


def scan_file(path: LakePath) -> pl.LazyFrame:
    return pl.scan_parquet(source(path))


def read_file(
    path: LakePath, columns: list[str] | None = None, n_rows: int | None = None
) -> pl.DataFrame:
    return pl.read_parquet(source(path), columns=columns, n_rows=n_rows)


def file_bytes(path: LakePath) -> bytes:
    return path.read_bytes()


def remove(path: LakePath) -> None:
    path.unlink(missing_ok=True)


def modified_ns(path: LakePath) -> int | None:
    """A local file's modification time in nanoseconds; None for a remote object."""
    return None if isinstance(path, UPath) else path.stat().st_mtime_ns


Frames = pl.DataFrame | pl.LazyFrame | Iterator[pl.DataFrame]


def write_atomic(frame: Frames, path: LakePath) -> None:
    """Write a Parquet file so that readers see the old file or the new one, never a partial one.

    A LazyFrame is streamed into the file (`sink_parquet`), without collecting it first; on
    object storage it is streamed into memory, then put whole (see the module docstring). An
    iterator of frames of one schema is written one frame after another (`_write`)."""
    _refuse_unwritable(frame, path)
    if isinstance(path, UPath):
        if path.protocol in LOCAL_PROTOCOLS:
            path = Path(path.path)
        else:
            buffer = io.BytesIO()
            _write(frame, buffer)
            path.fs.pipe_file(path.path, buffer.getvalue())
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        _write(frame, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _refuse_unwritable(frame: Frames, path: LakePath) -> None:
    """Refuse a frame whose columns Parquet cannot hold (Python objects) before any file exists.

    Polars finds it only inside its writer, and its writer task may still create the file after
    the error is back: a fresh-clone CI of fe79722 (2026-12-06) found the temporary file again
    after `write_atomic` had unlinked it. Checked on the schema, so a lazy frame is not run."""
    if isinstance(frame, pl.DataFrame | pl.LazyFrame):
        schema = frame.schema if isinstance(frame, pl.DataFrame) else frame.collect_schema()
        objects = [name for name, dtype in schema.items() if dtype == pl.Object]
        if objects:
            raise TypeError(f"{path}: Parquet cannot hold Python object columns {objects}")


def _write(frame: Frames, target: str | io.BytesIO) -> None:
    if isinstance(frame, pl.LazyFrame):
        frame.sink_parquet(target)
    elif isinstance(frame, pl.DataFrame):
        frame.write_parquet(target)
    else:
        _write_each(frame, target)


def _write_each(frames: Iterator[pl.DataFrame], target: str | io.BytesIO) -> None:
    """One frame after another into one Parquet file (row groups of each), holding one frame at a
    time, with pyarrow's writer: Polars' `sink_parquet` of several files' nested columns held
    them all. Measured 2026-12-06, the actor cache of 100,000 articles (250 parts of nested
    lists) rewritten as one part: 1,808-1,841 MB peak RSS with `sink_parquet`, 175 MB this way.
    The first frame's schema is the file's; each later frame is cast to it."""
    import pyarrow.parquet as pq

    writer, schema = None, None
    try:
        for frame in frames:
            schema = schema or dict(frame.schema)
            table = frame.cast(schema).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(target, table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:
            raise ValueError("no frame to write: the file's schema is unknown")
    finally:
        if writer is not None:
            writer.close()


def ensure_schema_file(lake: str | os.PathLike, table: str, schema: dict) -> None:
    """Keep a zero-row Parquet file with the table's schema so `table/*.parquet` always matches."""
    path = table_dir(lake, table) / SCHEMA_FILE
    empty = pl.DataFrame(schema=schema)
    if not path.exists() or pl.read_parquet_schema(source(path)) != empty.schema:
        write_atomic(empty, path)


def write_snapshot(lake: str | os.PathLike, table: str, frame: pl.DataFrame) -> LakePath:
    path = snapshot_path(lake, table)
    write_atomic(frame, path)
    ensure_schema_file(lake, table, dict(frame.schema))
    return path


def read_snapshot(
    lake: str | os.PathLike,
    table: str,
    columns: list[str] | None = None,
    missing_ok: bool = True,
) -> pl.DataFrame | None:
    """The table's snapshot (`current.parquet`), or None when there is none or it is unreadable
    (with `missing_ok=False`, for a step that cannot do without it: the error)."""
    try:
        return read_file(snapshot_path(lake, table), columns=columns)
    except (OSError, pl.exceptions.PolarsError):
        if missing_ok:
            return None
        raise


def scan_snapshot(lake: str | os.PathLike, table: str) -> pl.LazyFrame:
    return scan_file(snapshot_path(lake, table))


def remove_temp_files(lake: str | os.PathLike) -> int:
    """Delete temporary files a killed run left behind (call only while holding the run lock)."""
    root = location(lake)
    removed = 0
    for pattern in (f"*/{TEMP_PREFIX}*{TEMP_SUFFIX}", f"*/{TEMP_PREFIX}*.parquet"):  # + old name
        for tmp in list(root.glob(pattern)):
            remove(tmp)
            removed += 1
    return removed


def table_files(
    lake: str | os.PathLike, table: str, pattern: str = "[!.]*.parquet"
) -> list[LakePath]:
    """Every Parquet file of a lake table, in name order (the order `read_table` reads); `pattern`
    narrows it (`part-*.parquet`: the parts only)."""
    folder = table_dir(lake, table)
    return sorted(folder.glob(pattern), key=lambda p: p.name) if folder.exists() else []


def read_table(
    lake: str | os.PathLike, table: str, columns: list[str] | None = None
) -> pl.DataFrame:
    """Read every part of a lake table (zero rows when it has none)."""
    files = table_files(lake, table)
    if not files:
        return pl.DataFrame()
    return pl.concat([read_file(f, columns=columns) for f in files], how="vertical_relaxed")


def scan_files(files: Iterable[LakePath]) -> pl.LazyFrame:
    """One scan over several files of one schema (a table's parts)."""
    return pl.scan_parquet([source(f) for f in files])


def row_count(lake: str | os.PathLike, table: str) -> int:
    """Rows of every file of a table, from the Parquet footers (on object storage: whole files)."""
    files = table_files(lake, table)
    return scan_files(files).select(pl.len()).collect().item() if files else 0


def content_fingerprint(lake: str | os.PathLike, tables: Collection[str] | None = None) -> str:
    """A hash of the content of the lake's files, by their path in the lake (a few tenths of a
    second at 20,000 articles): of the named tables only, or of every table when `tables` is None.
    Files and folders whose name starts with a dot are left out: temporary files and lock
    folders."""
    root = location(lake)
    digest = hashlib.sha1()
    files = {path.relative_to(root): path for path in root.rglob("*.parquet")}
    for relative in sorted(files, key=lambda r: r.parts):
        if any(part.startswith(".") for part in relative.parts):
            continue
        if tables is not None and relative.parts[0] not in tables:
            continue
        digest.update(f"{relative}\0".encode())
        digest.update(hashlib.sha1(file_bytes(files[relative])).digest())
    return digest.hexdigest()


def _scan(lake: str | os.PathLike, table: str, columns: list[str]) -> pl.LazyFrame | None:
    files = table_files(lake, table)
    if not files:
        return None
    return pl.concat([scan_file(f).select(columns) for f in files], how="vertical_relaxed")


# The key of an article's rows in the NLP tables: one parse of one article by one extractor.
ARTICLE_KEY = ["article_id", "extractor_version"]


def latest_version_keys(
    lake: str | os.PathLike, table: str, article_ids: pl.Series
) -> pl.DataFrame:
    """(article_id, extractor_version) of one version of each article's rows in an NLP table, for
    the given articles only (those of the current articles snapshot).

    The greatest version string, as dbt's current_nlp_rows picks: versions end in a fingerprint
    (transforms/nlp/pipeline.py), so this is not the newest, only the same choice on both sides;
    an article has rows of two versions only until a complete NLP run removes the stale part."""
    empty = pl.DataFrame(schema={"article_id": pl.String, "extractor_version": pl.String})
    lazy = _scan(lake, table, ARTICLE_KEY)
    if lazy is None:
        return empty
    return (
        lazy.group_by("article_id")
        .agg(pl.col("extractor_version").max())
        .filter(pl.col("article_id").is_in(article_ids.implode()))
        .sort("article_id")
        .collect()
    )


def batches_of_rows(
    lake: str | os.PathLike,
    table: str,
    keys: pl.DataFrame,
    columns: list[str],
    size: int,
    where: pl.Expr | None = None,
    unique_on: str | None = None,
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """The rows of an NLP table whose (article_id, extractor_version) is in `keys`, `size` articles
    at a time: (the batch's keys, their rows), each key of `keys` in one batch.

    The rows of a batch are those a read of the whole table would give for it, in the order
    `read_table` gives, optionally filtered (`where`) and with one row per `unique_on` (the first).
    Each batch reads only the files that hold its articles, and the batches follow the files'
    order, so the table is read about once in all. Before (session 20), every batch of sorted
    keys read the whole table: with the per-article `group_by` of `places.article_places`, that
    made placing slower than linear (the 2,000-article lake replicated, 2026-12-06: 6.6 s at
    20,000 articles, 46.9 s at 100,000; 23.3 s now). So the batches' keys are in the table's
    file order (then article order), not in `keys`' order; a key with no row in the table comes
    in the last batches, with no rows."""
    keys = keys.select(ARTICLE_KEY).unique(maintain_order=True)
    files = table_files(lake, table)
    # Which files hold each wanted article: one pass over the key columns.
    found = pl.DataFrame(
        schema={**dict.fromkeys(ARTICLE_KEY, pl.String), "files": pl.List(pl.UInt32)}
    )
    if files:
        in_file = [
            scan_file(f).select(ARTICLE_KEY).unique().with_columns(file=pl.lit(i, pl.UInt32))
            for i, f in enumerate(files)
        ]
        found = (
            pl.concat(in_file, how="vertical_relaxed")
            .join(keys.lazy(), on=ARTICLE_KEY, how="semi")
            .group_by(ARTICLE_KEY)
            .agg(pl.col("file").unique().sort().alias("files"))
            .collect()
        )
    ordered = (
        keys.join(found, on=ARTICLE_KEY, how="left")
        .with_columns(first=pl.col("files").list.first())
        .sort("first", "article_id", nulls_last=True)
    )
    for offset in range(0, ordered.height, size):
        batch = ordered.slice(offset, size)
        wanted = sorted(set(batch["files"].explode().drop_nulls().to_list()))
        batch_keys = batch.select(ARTICLE_KEY)
        yield (
            batch_keys,
            _rows_of([files[i] for i in wanted], batch_keys, columns, where, unique_on),
        )


def _rows_of(
    files: list[LakePath],
    keys: pl.DataFrame,
    columns: list[str],
    where: pl.Expr | None,
    unique_on: str | None,
) -> pl.DataFrame:
    """The rows of `files` (of one table, in name order) whose article key is in `keys`."""
    if not files:
        return pl.DataFrame()
    wanted = sorted({*columns, *ARTICLE_KEY})
    lazy = pl.concat([scan_file(f).select(wanted) for f in files], how="vertical_relaxed")
    lazy = lazy.with_row_index("_order")
    if where is not None:
        lazy = lazy.filter(where)
    lazy = lazy.join(keys.lazy(), on=ARTICLE_KEY, how="semi").sort("_order")
    if unique_on:
        lazy = lazy.unique(unique_on, keep="first", maintain_order=True)
    return lazy.select(columns).collect()
