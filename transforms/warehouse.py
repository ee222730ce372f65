"""Publishing: copy the marts of the private database into a new analytics.duckdb, atomically.

The pipeline's own DuckDB file (`newsledger.duckdb`, written by dbt) is private to it. SQL users
and BI tools read `analytics.duckdb`, which is never written in place: each publish builds a new
file beside it and renames it over the old one. A reader that opened the old file keeps reading
it; a reader that opens the path after the rename sees the whole new run, never half of one.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "main"
RUNS_TABLE = "pipeline_runs"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mart_tables(private_db: Path) -> list[str]:
    """Tables dbt built in schema main of the private database (the marts)."""
    with duckdb.connect(str(private_db), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [PUBLISHED_SCHEMA],
        ).fetchall()
    return [r[0] for r in rows]


def publish(
    private_db: Path, target: Path, run_info: dict[str, object] | None = None
) -> dict[str, int]:
    """Copy every mart into a fresh file and atomically replace `target`. Returns row counts."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
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
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(f"ATTACH {_sql_string(str(private_db))} AS src (READ_ONLY)")
            for table in tables:
                con.execute(
                    f"CREATE TABLE {PUBLISHED_SCHEMA}.{_ident(table)} AS "
                    f"SELECT * FROM src.{PUBLISHED_SCHEMA}.{_ident(table)}"
                )
                counts[table] = con.execute(f"select count(*) from {_ident(table)}").fetchone()[0]
            con.execute("DETACH src")
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
                    repr(run_info or {}),
                ],
            )
            con.execute("CHECKPOINT")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return counts
