"""An incremental dbt build gives exactly the tables a --full-refresh build gives.

The lake of a real seeds/ build is edited the way reruns change it: articles added, one article
gone from the input, one article re-parsed by a newer extractor version (other spans), actor ids
re-resolved for mentions of an unchanged article, one actor renamed (a speaker of claims), one article
moved to another publication day.
dbt builds incrementally on top of the first build; then a --full-refresh build of the same lake
must give the same rows in every table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.prepare import dbt_executable
from orchestration.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

# Incremental by article: fct_sentences, int_entity_mentions; by article and actor links:
# fct_entity_mentions, fct_claims; by (actor pair, day): mart_actor_cooccurrence; by publication
# day: int_actor_day_mentions (and the __built_articles / __built_days records they keep in schema
# intermediate); by the fingerprint of their inputs per key (issue 19,
# macros/incremental_by_fingerprint.sql): int_event_mention_actors, int_article_actors,
# fct_place_mentions (by article), mart_actor_mentions (by actor), fct_events (by event), with the
# __fingerprints records they keep. The rest are the tables built on them. The __articles_built /
# __days_built / __pairs_built / __actors_built / __events_built tables list what one build wrote
# (for the data tests and for the fingerprint models' delete): they differ between the two builds
# by design.
COMPARED_SCHEMAS = ("main", "intermediate")
PER_BUILD = (
    "__articles_built",
    "__days_built",
    "__pairs_built",
    "__actors_built",
    "__events_built",
)
INCREMENTAL = (
    ("main", "fct_sentences"),
    ("intermediate", "int_entity_mentions"),
    ("main", "fct_entity_mentions"),
    ("main", "fct_claims"),
    ("main", "mart_actor_cooccurrence"),
    ("intermediate", "int_actor_day_mentions"),
    ("intermediate", "int_event_mention_actors"),
    ("intermediate", "int_article_actors"),
    ("main", "fct_place_mentions"),
    ("main", "mart_actor_mentions"),
    ("main", "fct_events"),
)
# model -> the table that lists the keys (articles, actors, events) one build wrote
BY_FINGERPRINT = {
    "int_event_mention_actors": "int_event_mention_actors__articles_built",
    "int_article_actors": "int_article_actors__articles_built",
    "fct_place_mentions": "fct_place_mentions__articles_built",
    "mart_actor_mentions": "mart_actor_mentions__actors_built",
    "fct_events": "fct_events__events_built",
}


def _dbt_build(warehouse: Path, *args: str) -> None:
    subprocess.run(
        [
            dbt_executable(),
            "build",
            "--quiet",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(warehouse / "dbt_target"),
            *args,
        ],
        cwd=DBT_PROJECT_DIR,
        check=True,
        env={
            **os.environ,
            "NEWSLEDGER_WAREHOUSE_DIR": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
    )


def _rewrite(lake: Path, table: str, sql: str) -> None:
    """Replace lake/<table> by one part holding `sql` over its current rows (view `t`)."""
    folder = lake / table
    con = duckdb.connect()
    con.execute(
        f"create table t as select * from read_parquet('{folder}/*.parquet', union_by_name = true)"
    )
    con.execute(f"copy ({sql}) to '{folder}/new.parquet.tmp' (format parquet)")
    con.close()
    for part in folder.glob("*.parquet"):
        if part.name != "_empty.parquet":
            part.unlink()
    (folder / "new.parquet.tmp").rename(folder / "current.parquet")


def _append_part(lake: Path, table: str, sql: str, name: str) -> None:
    """Add a part to lake/<table> holding `sql` over its current rows (view `t`)."""
    folder = lake / table
    with duckdb.connect() as con:
        con.execute(
            f"create table t as select * from read_parquet('{folder}/*.parquet', "
            "union_by_name = true)"
        )
        con.execute(f"copy ({sql}) to '{folder}/{name}.parquet' (format parquet)")


def _tables(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema in "
            f"({', '.join(repr(s) for s in COMPARED_SCHEMAS)}) order by all"
        ).fetchall()


def _comparable(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """Columns to compare; doubles rounded: an avg() over rows stored in another order differs
    in its last bits (floating-point addition is not associative), not in its value."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [f'round("{c}", 9) as "{c}"' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in rows]


def test_incremental_build_equals_full_refresh(seeds_warehouse, tmp_path):
    source_warehouse, _ = seeds_warehouse
    warehouse = tmp_path / "warehouse"
    shutil.copytree(source_warehouse / "lake", warehouse / "lake")
    lake = warehouse / "lake"
    with duckdb.connect() as con:
        ids = [
            r[0]
            for r in con.execute(
                f"select article_id from read_parquet('{lake}/articles/*.parquet') order by 1"
            ).fetchall()
        ]
    added, gone, reparsed, reresolved, moved = ids[:2], ids[2], ids[3], ids[4], ids[5]

    # first build: `added` not in the input yet
    snapshot = ("articles", "article_sources")
    for table in snapshot:
        shutil.copytree(lake / table, tmp_path / table)
        _rewrite(lake, table, f"select * from t where article_id not in {tuple(added)}")
    _dbt_build(warehouse)
    with duckdb.connect(str(warehouse / "newsledger.duckdb"), read_only=True) as con:
        renamed = con.execute(
            "select min(speaker_actor_id) from fct_claims where speaker_actor_id is not null"
        ).fetchone()[0]
    assert renamed is not None

    # the rerun's lake: two articles added, one gone, one re-parsed, one re-resolved
    for table in snapshot:
        shutil.rmtree(lake / table)
        shutil.copytree(tmp_path / table, lake / table)
        _rewrite(lake, table, f"select * from t where article_id <> '{gone}'")
    # a day-keyed mart must rebuild both the day the article left and the day it joined
    _rewrite(
        lake,
        "articles",
        f"select * replace (case when article_id = '{moved}' then published_date + 1 "
        "else published_date end as published_date) from t",
    )
    newer = "extractor_version || '-newer' as extractor_version"
    _append_part(
        lake,
        "sentences",
        f"select * replace ({newer}) from t where article_id = '{reparsed}' and sentence_index > 0",
        "part-reparsed",
    )
    _append_part(
        lake,
        "entity_mentions",
        f"select * replace ({newer}, 'ORG' as entity_label) from t "
        f"where article_id = '{reparsed}' and mention_id not in "
        f"(select min(mention_id) from t where article_id = '{reparsed}')",
        "part-reparsed",
    )
    with duckdb.connect() as con:
        other_actor = con.execute(
            f"select min(actor_id) from read_parquet('{lake}/actors/*.parquet')"
        ).fetchone()[0]
    _rewrite(
        lake,
        "mention_actors",
        f"select * replace (case when mention_id in (select mention_id from "
        f"read_parquet('{lake}/entity_mentions/*.parquet') where article_id = '{reresolved}') "
        f"then '{other_actor}' else actor_id end as actor_id) from t",
    )
    _rewrite(
        lake,
        "actors",
        "select * replace (case when actor_id = '"
        + renamed
        + "' then canonical_name || ' (renamed)' "
        "else canonical_name end as canonical_name) from t",
    )
    # what the pipeline's rerun selects (orchestration/defs/dbt/assets.py): no unit tests, seeds,
    # views or models of seeds only, which the first build made from the same code
    from orchestration.defs.dbt.assets import INCREMENTAL_BUILD_EXCLUDES, unchanged_nodes_exclude

    _dbt_build(warehouse, *INCREMENTAL_BUILD_EXCLUDES, *unchanged_nodes_exclude())
    with duckdb.connect(str(warehouse / "newsledger.duckdb"), read_only=True) as con:
        built = {
            r[0]
            for r in con.execute(
                "select article_id from intermediate.int_entity_mentions__articles_built"
            ).fetchall()
        }
        pairs = con.execute(
            "select count(*), count(published_date) "
            "from intermediate.mart_actor_cooccurrence__pairs_built"
        ).fetchone()
        n_rows = con.execute("select count(*) from mart_actor_cooccurrence").fetchone()[0]
        # the models kept by fingerprint built the keys whose inputs changed, not every key
        n_built = {}
        for model, record in BY_FINGERPRINT.items():
            n_built[model] = con.execute(
                f"select count(*), (select count(*) from intermediate.{model}__fingerprints) "
                f"from intermediate.{record}"
            ).fetchone()
        article_actors_built = {
            r[0]
            for r in con.execute(
                "select article_id from intermediate.int_article_actors__articles_built"
            ).fetchall()
        }
    # the data tests of this build looked at the new and re-parsed articles (and at articles
    # without mentions: no rows), not at every article; at the changed groups only
    assert set(added) | {reparsed} <= built and gone not in built and reresolved not in built
    assert 0 < pairs[0] == pairs[1] < n_rows
    assert all(0 < n < of for n, of in n_built.values()), n_built
    # added, gone (its rows deleted), re-resolved, moved to another day; not an unchanged article
    assert {*added, gone, reresolved, moved} <= article_actors_built
    assert ids[6] not in article_actors_built
    incremental = tmp_path / "incremental.duckdb"
    shutil.copy(warehouse / "newsledger.duckdb", incremental)

    _dbt_build(warehouse, "--full-refresh")
    full = warehouse / "newsledger.duckdb"
    tables = [t for t in _tables(full) if not t[1].endswith(PER_BUILD)]
    assert all(table in tables for table in INCREMENTAL)
    assert _tables(incremental) == _tables(full)
    with duckdb.connect(str(full), read_only=True) as con:
        con.execute(f"attach '{incremental}' as inc (read_only)")
        for schema, table in tables:
            name = f'"{schema}"."{table}"'
            columns = ", ".join(_comparable(con, schema, table))
            for a, b in ((name, f"inc.{name}"), (f"inc.{name}", name)):
                n = con.execute(
                    f"select count(*) from (select {columns} from {a} "
                    f"except all select {columns} from {b})"
                ).fetchone()
                assert n[0] == 0, f"{schema}.{table}: {n[0]} rows of {a} not in {b}"
        # the scenario did change what it meant to change
        sentences = dict(
            con.execute("select article_id, count(*) from fct_sentences group by all").fetchall()
        )
        assert gone not in sentences and all(a in sentences for a in added)
        versions = con.execute(
            "select distinct extractor_version from intermediate.int_entity_mentions where article_id = ?",
            [reparsed],
        ).fetchall()
        assert len(versions) == 1 and versions[0][0].endswith("-newer")
        relinked = con.execute(
            "select count(*) from fct_entity_mentions where article_id = ? and actor_id = ?",
            [reresolved, other_actor],
        ).fetchone()[0]
        assert relinked > 0
        names = con.execute(
            "select distinct speaker_name from fct_claims where speaker_actor_id = ?", [renamed]
        ).fetchall()
        assert names and all(n[0].endswith(" (renamed)") for n in names)


def test_dbt_code_fingerprint_follows_model_and_macro_code_only(dbt_manifest, tmp_path):
    import json

    from orchestration.defs.dbt.assets import dbt_code_fingerprint

    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    base = dbt_code_fingerprint(dbt_manifest)

    def fingerprint_after(change) -> str:
        edited = json.loads(json.dumps(manifest))
        change(edited)
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps(edited), encoding="utf-8")
        return dbt_code_fingerprint(path)

    def model_sql(m):
        m["nodes"]["model.newsledger.fct_sentences"]["checksum"]["checksum"] = "changed"

    def macro_sql(m):
        m["macros"]["macro.newsledger.delete_stale_article_rows"]["macro_sql"] += " "

    def run_metadata(m):
        m["metadata"]["generated_at"] = "2000-01-01T00:00:00Z"

    assert fingerprint_after(run_metadata) == base
    assert fingerprint_after(model_sql) != base
    assert fingerprint_after(macro_sql) != base


def test_the_dbt_build_is_fingerprinted_on_the_lake_tables_dbt_reads_only(
    seeds_warehouse, tmp_path
):
    """The dbt asset skips a build when nothing dbt reads has changed. What dbt reads is the
    `lake` source (models/staging/_sources.yml): every lake table except the private ones of the
    Python steps (the ingest manifest, the event clusterer's input and the actor, geocode and
    place caches), which change on
    their own (a file read again inside ingest's racy window, a cache compacted) and must not
    rebuild and republish the warehouse."""
    from orchestration.defs.dbt.project import lake_source_tables
    from orchestration.defs.extract.assets import EVENT_CLUSTER_INPUT
    from orchestration.defs.ingest.assets import MANIFEST_TABLE
    from transforms import actor_lake, actors, lake

    warehouse, _ = seeds_warehouse
    read = lake_source_tables()
    # (and its dbt artifacts' folder records which warehouse it serves: assets.WAREHOUSE_OF)
    targets = list((DBT_PROJECT_DIR / "target").glob("run-*/newsledger_warehouse.txt"))
    assert str(warehouse) in {t.read_text(encoding="utf-8") for t in targets}
    folders = {p.name for p in (warehouse / "lake").iterdir() if p.is_dir()}
    assert set(read) <= folders  # every source is a table the Python steps wrote
    private = {
        MANIFEST_TABLE,
        EVENT_CLUSTER_INPUT,
        actors.CACHE_TABLE,
        actor_lake.GEOCODE_CACHE,
        actor_lake.PLACE_CACHE,
    }
    assert folders - set(read) <= private | {p for p in folders if p.startswith(".")}
    assert not private & set(read)

    copy = tmp_path / "lake"
    shutil.copytree(warehouse / "lake", copy)
    before = lake.content_fingerprint(copy, tables=read)
    # a private table changes (a new part of the place cache): dbt's fingerprint does not
    cache = lake.read_file(lake.table_files(copy, actor_lake.PLACE_CACHE)[0])
    lake.write_atomic(cache, lake.part_path(copy, actor_lake.PLACE_CACHE, "added"))
    assert lake.content_fingerprint(copy, tables=read) == before
    assert lake.content_fingerprint(copy) != lake.content_fingerprint(warehouse / "lake")
    articles = lake.snapshot_path(copy, "articles")  # a table dbt reads changes: it does
    lake.write_atomic(lake.read_file(articles).head(1), articles)
    assert lake.content_fingerprint(copy, tables=read) != before
