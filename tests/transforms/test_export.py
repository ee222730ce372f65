"""`newsledger export`: every published table as Parquet or CSV plus schema.json (issue 18)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import duckdb
import pytest

from transforms.export import SCHEMA_FILE, ExportError, export_warehouse


@pytest.fixture
def small_db(tmp_path):
    """A published-like file: two tables with the awkward values (quotes, newlines, nulls)."""
    db = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table dim_articles as select * from (values "
            "('a1', date '2024-11-04', 'Putin \"meets\" Choe, again', 'x\ny', null::varchar), "
            "('a2', date '2024-11-05', null, '', 'https://example.org/a')) "
            "t(article_id, published_date, title, text, url)"
        )
        con.execute(
            "create table fct_events as select 'e1' as event_id, 'ACCUSE' as event_type, "
            "3 as quad_class, -3.5 as intensity, [1, 2] as ids"
        )
    return db


def test_parquet_export_round_trips_every_table(small_db, tmp_path):
    out = tmp_path / "out"
    result = export_warehouse(small_db, out, "parquet")
    assert result.tables == {"dim_articles": 2, "fct_events": 1}
    assert sorted(p.name for p in out.iterdir()) == [
        "dim_articles.parquet",
        "fct_events.parquet",
        SCHEMA_FILE,
    ]
    with duckdb.connect() as con:
        for table in result.tables:
            want = duckdb.connect(str(small_db), read_only=True).execute(
                f"select * from {table} order by all"
            )
            got = con.execute(
                "select * from read_parquet(?) order by all", [str(out / f"{table}.parquet")]
            )
            assert got.fetchall() == want.fetchall()
    schema = json.loads((out / SCHEMA_FILE).read_text())
    assert schema["format"] == "parquet" and schema["generator"] == "newsledger export"
    arts = next(t for t in schema["tables"] if t["table"] == "dim_articles")
    assert [(c["name"], c["type"]) for c in arts["columns"]] == [
        ("article_id", "VARCHAR"),
        ("published_date", "DATE"),
        ("title", "VARCHAR"),
        ("text", "VARCHAR"),
        ("url", "VARCHAR"),
    ]
    assert arts["rows"] == 2 and arts["file"] == "dim_articles.parquet"


def test_csv_export_is_plain_csv_with_a_header(small_db, tmp_path):
    out = tmp_path / "out"
    export_warehouse(small_db, out, "csv")
    with (out / "dim_articles.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["article_id", "published_date", "title", "text", "url"]
    assert rows[1] == ["a1", "2024-11-04", 'Putin "meets" Choe, again', "x\ny", ""]
    assert rows[2][0] == "a2" and rows[2][4] == "https://example.org/a"
    schema = json.loads((out / SCHEMA_FILE).read_text())
    assert schema["csv"]["null"] == "empty field"


def test_a_rerun_replaces_a_previous_export_but_never_a_foreign_folder(small_db, tmp_path):
    out = tmp_path / "out"
    export_warehouse(small_db, out, "parquet")
    export_warehouse(small_db, out, "csv")  # a previous export: replaced whole
    assert not list(out.glob("*.parquet")) and (out / "dim_articles.csv").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not an empty folder or a previous export"):
        export_warehouse(small_db, foreign, "csv")
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary folder left behind
    with pytest.raises(ExportError, match="unknown format"):
        export_warehouse(small_db, tmp_path / "x", "xlsx")
    with pytest.raises(ExportError, match="no published warehouse"):
        export_warehouse(tmp_path / "missing.duckdb", tmp_path / "y", "csv")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_cli_exports_the_seeds_warehouse(seeds_warehouse, tmp_path, fmt):
    warehouse, _ = seeds_warehouse
    out = tmp_path / fmt
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "export",
            "--format",
            fmt,
            "--out",
            str(out),
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        tables = {
            r[0]: con.execute(f'select count(*) from "{r[0]}"').fetchone()[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        urls = sorted(
            r[0]
            for r in con.execute("select url from dim_articles where url is not null").fetchall()
        )
    assert {"dim_articles", "fct_events", "dim_event_codes", "mart_actor_interactions"} <= set(
        tables
    )
    schema = json.loads((out / SCHEMA_FILE).read_text())
    assert {t["table"]: t["rows"] for t in schema["tables"]} == tables
    arts = next(t for t in schema["tables"] if t["table"] == "dim_articles")
    assert arts["description"] and {"url", "publisher", "author"} <= {
        c["name"] for c in arts["columns"]
    }
    for table in tables:
        assert (out / f"{table}.{fmt}").is_file(), table
    with duckdb.connect() as con:
        reader = "read_parquet(?)" if fmt == "parquet" else "read_csv(?, header = true)"
        got = con.execute(
            f"select url from {reader} where url is not null order by url",
            [str(out / f"dim_articles.{fmt}")],
        ).fetchall()
    assert sorted(r[0] for r in got) == urls and len(urls) == 40
    assert f"{len(tables)} tables" in done.stdout
