"""The analyst queries of docs/queries.sql on a warehouse built from seeds/.

Each query runs with the pipeline's Python duckdb (1.4 LTS, the writer) and with the real DuckDB
CLI from PyPI (duckdb-cli 1.5.x, a newer reader) opening analytics.duckdb read-only, so a storage
version the readers cannot open fails here. A query whose tables are not in the warehouse yet
(claims, events, pledges before their issues are merged) is skipped, naming the table.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from transforms.queries import load_queries

pytestmark = pytest.mark.slow

QUERIES = load_queries()
DUCKDB_CLI = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")


@pytest.fixture(scope="module")
def published(seeds_warehouse) -> Path:
    warehouse, _ = seeds_warehouse
    return warehouse / "analytics.duckdb"


@pytest.fixture(scope="module")
def tables(published) -> set[str]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("select table_name from information_schema.tables").fetchall()
    return {r[0] for r in rows}


def rows_of(published: Path, tables: set[str], name: str) -> tuple[list[str], list[tuple]]:
    query = QUERIES[name]
    missing = [t for t in query.needs if t not in tables]
    if missing:
        pytest.skip(f"no {', '.join(missing)} in this warehouse (query {name} needs it)")
    with duckdb.connect(str(published), read_only=True) as con:
        cur = con.execute(query.sql)
        return [d[0] for d in cur.description], cur.fetchall()


def test_the_file_holds_the_four_questions():
    assert {
        "top_actors_this_month",
        "aid_to_ukraine_by_donor_and_type",
        "who_accused_whom",
        "conflicting_troop_estimates",
    } <= set(QUERIES)
    assert all(q.needs and q.question for q in QUERIES.values())


def test_top_actors_this_month(published, tables):
    cols, rows = rows_of(published, tables, "top_actors_this_month")
    assert 0 < len(rows) <= 10
    got = [dict(zip(cols, r, strict=True)) for r in rows]
    months = {r["month"] for r in got}
    with duckdb.connect(str(published), read_only=True) as con:
        latest = con.execute("select strftime(max(published_date), '%Y-%m') from dim_articles")
        assert months == {latest.fetchone()[0]}
        # recount the leader from the mention facts, not from the mart the query reads
        leader = got[0]
        n = con.execute(
            "select count(*) from fct_entity_mentions m join dim_articles a using (article_id) "
            "join dim_actors d using (actor_id) where d.canonical_name = ? "
            "and strftime(a.published_date, '%Y-%m') = ?",
            [leader["canonical_name"], leader["month"]],
        ).fetchone()[0]
    assert leader["n_mentions"] == n
    assert [r["n_mentions"] for r in got] == sorted((r["n_mentions"] for r in got), reverse=True)


def test_aid_to_ukraine_counts_germanys_seed_pledge_once(published, tables):
    cols, rows = rows_of(published, tables, "aid_to_ukraine_by_donor_and_type")
    got = [dict(zip(cols, r, strict=True)) for r in rows]
    germany = [r for r in got if r["donor_iso3"] == "DEU"]
    assert germany, got
    # the seed article: 200 million euros ($218 million) from Germany, stated once
    assert any(abs((r["total_usd"] or 0) - 218e6) <= 218e6 * 0.01 for r in germany), germany
    # in euros: the amount as stated (EUR), not the text's dollar figure converted back
    assert any(r["total_eur"] == 200e6 for r in germany), germany


def test_who_accused_whom(published, tables):
    cols, rows = rows_of(published, tables, "who_accused_whom")
    assert rows
    accusers = {r[cols.index("accuser")] for r in rows}
    # the seed article: "the United States accused Russia and China of 'shamelessly protecting'"
    assert any(
        "united states" in (a or "").lower() or "u.s." in (a or "").lower() for a in accusers
    )


def test_accusations_as_events(published, tables):
    cols, rows = rows_of(published, tables, "accusations_as_events")
    assert rows and all(r[cols.index("n_events")] > 0 for r in rows)
    pairs = {(r[cols.index("accuser")], r[cols.index("accused")]) for r in rows}
    # the seed article: the United States accused Russia (and China), an ACCUSE event
    assert ("United States", "Russia") in pairs, pairs


def test_conflicting_troop_estimates_has_the_seed_articles_10000_vs_11000(published, tables):
    cols, rows = rows_of(published, tables, "conflicting_troop_estimates")
    by_subject: dict[str, dict[float, set[str]]] = {}
    for r in rows:
        d = dict(zip(cols, r, strict=True))
        by_subject.setdefault(d["subject"], {}).setdefault(d["value"], set()).add(d["speaker_name"])
    assert any({10_000, 11_000} <= set(values) for values in by_subject.values()), by_subject


def test_conflict_and_cooperation_by_actor_pair(published, tables):
    cols, rows = rows_of(published, tables, "conflict_and_cooperation_by_actor_pair")
    assert rows
    for r in rows:
        d = dict(zip(cols, r, strict=True))
        assert (d["n_cooperation"] or 0) + (d["n_conflict"] or 0) == d["n_events"]
    with duckdb.connect(str(published), read_only=True) as con:
        total = con.execute("select round(sum(sum_intensity), 1) from mart_actor_interactions")
        assert total.fetchone()[0] is not None


def test_event_sources_link_material_conflict_to_urls(published, tables):
    cols, rows = rows_of(published, tables, "event_sources")
    assert rows and {r[cols.index("cameo_root")] for r in rows} <= {"14", "15", "17", "18", None}
    urls = [r[cols.index("url")] for r in rows if r[cols.index("url")]]
    assert urls and all(u.startswith("https://www.voanews.com/") for u in urls)


@pytest.mark.parametrize("name", list(QUERIES))
def test_duckdb_cli_runs_each_query_read_only(published, tables, name):
    """The real CLI reads the file the pipeline wrote and returns the same rows as Python."""
    assert DUCKDB_CLI, "duckdb-cli (dev dependency) should provide a duckdb executable"
    cols, rows = rows_of(published, tables, name)
    out = subprocess.run(
        [DUCKDB_CLI, "-readonly", "-json", str(published), "-c", QUERIES[name].sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout) if out.stdout.strip() else []
    assert len(got) == len(rows)
    if rows:
        assert list(got[0]) == cols
        first = cols[0]
        assert [g[first] for g in got] == [str(r[0]) if r[0] is not None else None for r in rows]


def test_duckdb_cli_version_is_a_newer_reader_than_the_writer(published):
    out = subprocess.run([DUCKDB_CLI, "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.startswith("v1.5"), out.stdout
    assert duckdb.__version__.startswith("1.4")
    opened = subprocess.run(
        [
            DUCKDB_CLI,
            "-readonly",
            "-csv",
            str(published),
            "-c",
            "select count(*) from dim_articles",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.split()[-1] == "41"


def test_the_readme_queries_run_and_answer(published):
    """Every ```sql block of README.md runs on the seeds warehouse and returns rows."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    statements = [
        s for s in statements if not all(line.startswith("--") for line in s.splitlines())
    ]
    assert len(statements) >= 4
    with duckdb.connect(str(published), read_only=True) as con:
        for sql in statements:
            assert con.execute(sql).fetchall(), sql
