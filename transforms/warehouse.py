"""Publishing: the marts of the private database as a new analytics.duckdb, replaced atomically.

The pipeline's own DuckDB file (`newsledger.duckdb`, written by dbt) is private to it. SQL users
and BI tools read `analytics.duckdb`, which is never written in place: each publish builds a new
file beside it and renames it over the old one. A reader that opened the old file keeps reading
it; a reader that opens the path after the rename sees the whole new run, never half of one.
A publish killed before the rename leaves only its temporary file (`.analytics.duckdb.<hex>.tmp`),
which the next publish deletes; the published file itself is untouched.

SQL here is built from table names (quoted with `_ident`) and file paths (quoted with
`_sql_string`), never from article text: rows are copied table to table inside DuckDB, and the
few values written from Python go through `?` parameters.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import uuid
from pathlib import Path

import duckdb

from transforms.faults import fault_point
from transforms.text_policy import DEFAULT_POLICY, apply_text_policy, check_policy

PUBLISHED_SCHEMA = "main"
RUNS_TABLE = "pipeline_runs"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def remove_stale_temp_files(target: Path) -> int:
    """Delete temporary files of publishes that were killed before their rename."""
    removed = 0
    for tmp in Path(target).parent.glob(f".{Path(target).name}.*.tmp*"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed


def wait_until_unlocked(db: Path, timeout: float = 60.0) -> float:
    """Wait until no other process holds DuckDB's lock on `db`; returns the seconds waited.

    A run killed during `dbt build` can leave its dbt process running a few seconds more,
    still holding newsledger.duckdb (an orphan of the killed run). The next run's dbt step
    waits for it here instead of failing with "Could not set lock on file".
    """
    started = time.monotonic()
    while True:
        try:
            with duckdb.connect(str(db)):
                return time.monotonic() - started
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or time.monotonic() - started > timeout:
                raise
            time.sleep(0.25)


def mart_tables(private_db: Path) -> list[str]:
    """Tables dbt built in schema main of the private database (the marts)."""
    with duckdb.connect(str(private_db), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [PUBLISHED_SCHEMA],
        ).fetchall()
    return [r[0] for r in rows]


def _copy_database_file(private_db: Path, tmp: Path) -> None:
    """A byte copy of the private file (and of its write-ahead log, if dbt left one).

    Only called under the warehouse lock once dbt has finished, so no process writes the file.
    Copying bytes costs a fraction of a second where re-inserting every mart row into a new
    file cost seconds and the memory of DuckDB's insert buffers (5.5 s and ~350 MB at 20,000
    articles). The published file keeps the free blocks of what is dropped, so it is as large
    as the private one.
    """
    shutil.copyfile(private_db, tmp)
    wal = Path(str(private_db) + ".wal")
    if wal.exists():
        shutil.copyfile(wal, str(tmp) + ".wal")


def _keep_only(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Drop everything of the private database but the marts: other schemas and any view."""
    schemas = con.execute(
        "select schema_name from information_schema.schemata "
        "where catalog_name = current_database() and schema_name <> ?",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    for (schema,) in schemas:
        if schema not in ("information_schema", "pg_catalog"):
            con.execute(f"DROP SCHEMA {_ident(schema)} CASCADE")
    for name, kind in con.execute(
        "select table_name, table_type from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ?",
        [PUBLISHED_SCHEMA],
    ).fetchall():
        if name in tables:
            continue
        if kind == "VIEW":
            con.execute(f"DROP VIEW {_ident(name)}")
        else:
            con.execute(f"DROP TABLE {_ident(name)}")


def _rewrite_fresh(tmp: Path) -> Path:
    """A new file with the tables of `tmp` (comments and constraints included), without its
    free blocks: after a text policy has set columns to NULL, the byte copy still holds the
    withheld text in blocks DuckDB freed but did not erase."""
    fresh = tmp.with_name(tmp.name + ".fresh")
    with duckdb.connect() as con:
        con.execute(f"ATTACH {_sql_string(str(tmp))} AS src (READ_ONLY)")
        con.execute(f"ATTACH {_sql_string(str(fresh))} AS dst")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("DETACH dst")
        con.execute("DETACH src")
    return fresh


def publish(
    private_db: Path,
    target: Path,
    run_info: dict[str, object] | None = None,
    text_policy: str = DEFAULT_POLICY,
) -> dict[str, int]:
    """Copy the private file, keep only its marts, apply the text policy
    (transforms/text_policy.py) and atomically replace `target`.

    Returns the row count of each mart."""
    check_policy(text_policy)
    run_info = {**(run_info or {}), "text_policy": text_policy}
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(target)
    tables = mart_tables(private_db)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    counts: dict[str, int] = {}
    previous_runs: list[tuple] = []
    if target.exists():
        try:
            with duckdb.connect(str(target), read_only=True) as old:
                previous_runs = old.execute(f"select * from {RUNS_TABLE}").fetchall()
        except duckdb.Error:
            previous_runs = []  # an older layout or unreadable file: history restarts
    fresh: Path | None = None
    try:
        _copy_database_file(private_db, tmp)
        with duckdb.connect(str(tmp)) as con:
            _keep_only(con, tables)
            apply_text_policy(con, text_policy)
            for table in tables:
                counts[table] = con.execute(f"select count(*) from {_ident(table)}").fetchone()[0]
            con.execute(
                f"CREATE TABLE {RUNS_TABLE} (published_at TIMESTAMPTZ, n_articles BIGINT, "
                "n_rejected BIGINT, n_mentions BIGINT, n_actors BIGINT, details VARCHAR)"
            )
            if previous_runs:
                con.executemany(
                    f"insert into {RUNS_TABLE} values (?, ?, ?, ?, ?, ?)", previous_runs
                )
            con.execute(
                f"insert into {RUNS_TABLE} values (?, ?, ?, ?, ?, ?)",
                [
                    dt.datetime.now(dt.UTC),
                    counts.get("dim_articles", 0),
                    counts.get("rejected_files", 0),
                    counts.get("fct_entity_mentions", 0),
                    counts.get("dim_actors", 0),
                    repr(run_info),
                ],
            )
            con.execute("CHECKPOINT")
        if text_policy != "full":
            fresh = _rewrite_fresh(tmp)
        done = fresh or tmp
        with open(done, "rb") as fh:
            os.fsync(fh.fileno())
        fault_point("publish")  # test hook: the new file is complete, not yet renamed
        os.replace(done, target)
    finally:
        for path in (tmp, fresh):
            if path is not None:
                Path(path).unlink(missing_ok=True)
                Path(str(path) + ".wal").unlink(missing_ok=True)
    return counts
