"""Export: every published table of analytics.duckdb as Parquet or CSV files, plus a schema file.

`export_warehouse(analytics.duckdb, OUT, "parquet" | "csv")` opens the published file read-only
and writes, for each table of schema `main`, `OUT/<table>.parquet` (zstd) or `OUT/<table>.csv`
(header row, comma, `"` quoting, ISO dates and UTC timestamps, NULL as an empty field), and
`OUT/schema.json`: for every table its file, row count and columns (name, DuckDB type, the dbt
description when the dbt manifest is at hand), so that another engine (Spark, pandas, BigQuery,
Postgres...) can load the files with the right types.

The files are written into a temporary folder beside OUT and swapped in by rename, so OUT is
never half written: a reader sees the previous export or the new one. OUT must be absent, empty
or a previous export (it holds a schema.json written here): anything else is refused rather than
deleted. Each file's row count is checked against its table after writing.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

FORMATS = ("parquet", "csv")
SCHEMA_FILE = "schema.json"
GENERATOR = "newsledger export"
PUBLISHED_SCHEMA = "main"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class ExportResult:
    out_dir: Path
    fmt: str
    tables: dict[str, int]  # table -> rows written


class ExportError(Exception):
    """The export cannot be done as asked; the message says why and what to do."""


def _is_previous_export(folder: Path) -> bool:
    schema = folder / SCHEMA_FILE
    if not schema.is_file():
        return False
    try:
        return json.loads(schema.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError):
        return False


def _descriptions(manifest: Path | None) -> dict[str, dict]:
    """{table: {"description": str, "columns": {column: description}}} from dbt's manifest."""
    if manifest is None or not manifest.is_file():
        return {}
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    except (OSError, ValueError):
        return {}
    out: dict[str, dict] = {}
    for node in nodes.values():
        if node.get("resource_type") != "model":
            continue
        out[node["name"]] = {
            "description": node.get("description") or "",
            "columns": {c: v.get("description") or "" for c, v in node.get("columns", {}).items()},
        }
    return out


def export_warehouse(
    db_path: Path, out_dir: Path, fmt: str, manifest: Path | None = None
) -> ExportResult:
    """Write every published table of db_path into out_dir as `fmt` files plus schema.json."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    db_path, out_dir = Path(db_path), Path(out_dir).resolve()
    if not db_path.is_file():
        raise ExportError(f"no published warehouse at {db_path}; run `newsledger run` first")
    if out_dir.exists() and (
        not out_dir.is_dir() or (any(out_dir.iterdir()) and not _is_previous_export(out_dir))
    ):
        raise ExportError(
            f"{out_dir} exists and is not an empty folder or a previous export (no {SCHEMA_FILE} "
            "written by newsledger); choose another --out or empty it"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.export-{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir()
    docs = _descriptions(manifest)
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            tables = [
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
                    [PUBLISHED_SCHEMA],
                ).fetchall()
            ]
            if not tables:
                raise ExportError(f"{db_path} has no published tables; run `newsledger run`")
            counts: dict[str, int] = {}
            entries = []
            for table in tables:
                counts[table], entry = _export_table(con, table, tmp, fmt, docs.get(table, {}))
                entries.append(entry)
            runs = None
            if "pipeline_runs" in tables:
                runs = con.execute("select max(published_at) from pipeline_runs").fetchone()[0]
        schema = {
            "generator": GENERATOR,
            "format": fmt,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "warehouse": str(db_path.resolve()),
            "warehouse_published_at": runs.isoformat() if runs else None,
            "csv": {
                "header": True,
                "delimiter": ",",
                "quote": '"',
                "null": "empty field",
                "encoding": "UTF-8",
            }
            if fmt == "csv"
            else None,
            "tables": entries,
        }
        (tmp / SCHEMA_FILE).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        _swap_in(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ExportResult(out_dir=out_dir, fmt=fmt, tables=counts)


def _export_table(
    con: duckdb.DuckDBPyConnection, table: str, folder: Path, fmt: str, doc: dict
) -> tuple[int, dict]:
    columns = con.execute(
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [PUBLISHED_SCHEMA, table],
    ).fetchall()
    path = folder / f"{table}.{fmt}"
    if fmt == "parquet":
        con.execute(
            f"copy (select * from {_ident(PUBLISHED_SCHEMA)}.{_ident(table)}) "
            f"to {_sql_string(str(path))} (format parquet, compression zstd)"
        )
        written = con.execute(
            f"select count(*) from read_parquet({_sql_string(str(path))})"
        ).fetchone()[0]
    else:
        con.execute(
            f"copy (select * from {_ident(PUBLISHED_SCHEMA)}.{_ident(table)}) "
            f"to {_sql_string(str(path))} "
            "(format csv, header true, delimiter ',', quote '\"', "
            "dateformat '%Y-%m-%d', timestampformat '%Y-%m-%dT%H:%M:%S.%fZ')"
        )
        written = con.execute(
            f"select count(*) from read_csv({_sql_string(str(path))}, header = true, "
            "all_varchar = true, quote = '\"', escape = '\"')"
        ).fetchone()[0]
    n_rows = con.execute(
        f"select count(*) from {_ident(PUBLISHED_SCHEMA)}.{_ident(table)}"
    ).fetchone()[0]
    if written != n_rows:
        raise ExportError(f"{path.name}: wrote {written} rows of {n_rows}; export not swapped in")
    described = doc.get("columns", {})
    entry = {
        "table": table,
        "file": path.name,
        "rows": n_rows,
        "description": doc.get("description", ""),
        "columns": [
            {
                "name": name,
                "type": data_type,
                "nullable": nullable == "YES",
                "description": described.get(name, ""),
            }
            for name, data_type, nullable in columns
        ],
    }
    return n_rows, entry


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Put the finished export at out_dir: rename it in, the previous export (if any) out."""
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}"
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)  # put the previous export back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
