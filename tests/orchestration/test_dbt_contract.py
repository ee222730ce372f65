"""dbt holds the public contract: enforced column types, comments in the published file, unit
tests in every build, exposures of who reads the tables, and intermediates that never read marts.

The fast tests read the parsed manifest or build the seeds-only corner of the project
(dim_event_codes: two seed CSVs, no lake) in a copy of the dbt project; the slow ones read the
whole pipeline's build of seeds/.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import DBT_PROJECT_DIR
from tests.conftest import REPO, run_dbt


def _manifest(dbt_manifest: Path) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def _models(manifest: dict, layer: str) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1] == layer
    }


def test_every_published_table_has_an_enforced_contract_with_a_type_per_column(dbt_manifest):
    marts = _models(_manifest(dbt_manifest), "marts")
    # the contract tables of the README are all marts (all of schema main is published)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The public contract")[1].split("\n## ")[0]
    named = set(re.findall(r"^\| `((?:dim|fct|mart)_[a-z_]+|rejected_files)`", section, re.M))
    assert len(named) >= 20 and named <= set(marts), named - set(marts)
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"] is True, name
        assert node["config"]["persist_docs"] == {"relation": True, "columns": True}, name
        assert node["columns"], name
        untyped = [c for c, col in node["columns"].items() if not col.get("data_type")]
        assert not untyped, (name, untyped)


def test_intermediate_models_read_only_staging_or_intermediates(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    layer_of = {
        uid: n["fqn"][1] if n["resource_type"] == "model" else n["resource_type"]
        for uid, n in {**manifest["nodes"], **manifest["sources"]}.items()
    }
    intermediates = _models(manifest, "intermediate")
    assert len(intermediates) >= 5
    for name, node in intermediates.items():
        parents = {layer_of[p] for p in node["depends_on"]["nodes"]}
        # never a mart; a lake source only where a pre_hook ranks the new articles' rows
        # in the lake itself (int_entity_mentions: macros/current_nlp_rows.sql)
        assert "marts" not in parents, (name, node["depends_on"]["nodes"])
        assert parents <= {"staging", "intermediate", "seed", "source"}, name


def _tables_read(path: Path) -> set[str]:
    return set(re.findall(r"\b((?:dim|fct|mart)_[a-z_]+)\b", path.read_text(encoding="utf-8")))


def _tables_of_superset_bundle(bundle: Path) -> set[str]:
    """The tables the datasets of a Superset bundle read: a physical dataset's table, the tables
    named in a virtual dataset's SQL."""
    import yaml

    tables = set()
    for f in (bundle / "datasets").rglob("*.yaml"):
        dataset = yaml.safe_load(f.read_text(encoding="utf-8"))
        if dataset.get("sql"):
            tables |= set(re.findall(r"\b((?:dim|fct|mart)_[a-z_]+)\b", dataset["sql"]))
        else:
            tables.add(dataset["table_name"])
    return tables


def test_exposures_name_exactly_the_tables_their_readers_query(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    exposures = {
        e["name"]: {manifest["nodes"][uid]["name"] for uid in e["depends_on"]["nodes"]}
        for e in manifest["exposures"].values()
    }
    assert exposures["report"] == _tables_read(REPO / "transforms" / "report.py")
    assert exposures["analyst_queries"] == _tables_read(REPO / "docs" / "queries.sql")
    # Superset adds the whole published file as one database: every mart is a datasource
    assert exposures["superset"] == set(_models(manifest, "marts"))
    # the dashboard imported by `make bi`: the tables its datasets read
    dashboard = _tables_of_superset_bundle(REPO / "bi" / "superset" / "dashboard")
    assert len(dashboard) >= 5
    assert exposures["superset_dashboard"] == dashboard


def test_unit_tests_cover_pricing_tie_breaks_and_numeric_conflicts(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    tested = {u["model"] for u in manifest["unit_tests"].values()}
    # `model` is the tested model's name in the manifest's unit test nodes
    assert {"fct_aid_pledges", "fct_events", "mart_numeric_claim_conflicts"} <= {
        t.rsplit(".", 1)[-1] for t in tested
    }


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    return project


CODES = Path("models") / "marts" / "extract" / "dim_event_codes.sql"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        # a type change: quad_class becomes text
        (("    c.quad_class,\n", "    c.quad_class::varchar as quad_class,\n"), "quad_class"),
        # a column disappears (slow: the same path as above, one more dbt build)
        pytest.param(("    c.cameo_root_name,\n", ""), "cameo_root_name", marks=pytest.mark.slow),
    ],
    ids=["type_changed", "column_dropped"],
)
def test_a_build_whose_sql_breaks_the_contract_fails_and_writes_nothing(
    project_copy, tmp_path, edit, expected
):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    ok = run_dbt(project_copy, warehouse, "build", "--select", "+dim_event_codes")
    assert ok.returncode == 0, ok.stdout[-3000:]
    with duckdb.connect(str(warehouse / "newsledger.duckdb"), read_only=True) as con:
        before = con.execute("select count(*) from main.dim_event_codes").fetchone()[0]
        # persist_docs: the model's description and its columns' are comments in the file
        comment = con.execute(
            "select comment from duckdb_tables() where table_name = 'dim_event_codes'"
        ).fetchone()[0]
        n_column_comments = con.execute(
            "select count(*) from duckdb_columns() "
            "where table_name = 'dim_event_codes' and comment is not null"
        ).fetchone()[0]
    assert before == 100
    assert comment and "PLOVER" in comment
    assert n_column_comments >= 1

    sql = project_copy / CODES
    text = sql.read_text(encoding="utf-8")
    assert edit[0] in text
    sql.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    broken = run_dbt(project_copy, warehouse, "build", "--select", "dim_event_codes")
    assert broken.returncode != 0
    assert "contract" in broken.stdout.lower() and expected in broken.stdout, broken.stdout[-3000:]
    with duckdb.connect(str(warehouse / "newsledger.duckdb"), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where table_name = 'dim_event_codes'"
            ).fetchall()
        )
    # the table of the last good build stands, with its contract's columns and types
    assert types["quad_class"] == "INTEGER" and "cameo_root_name" in types


@pytest.mark.slow
def test_published_file_carries_comments_types_as_contracted_and_unit_tests_ran(
    seeds_warehouse, dbt_manifest
):
    warehouse, result = seeds_warehouse
    marts = _models(_manifest(dbt_manifest), "marts")
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns() "
            "where schema_name = 'main'"
        ).fetchall()
        table_comments = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'main'"
            ).fetchall()
        )
    assert sum(1 for c in columns if c[3]) > 50
    for name, node in marts.items():
        assert table_comments[name] == node["description"], name
        published = {c[1]: (c[2], c[3]) for c in columns if c[0] == name}
        assert list(published) == list(node["columns"]), name
        for col, spec in node["columns"].items():
            assert published[col][0] == spec["data_type"].upper(), (name, col)
            assert (published[col][1] or "") == spec.get("description", ""), (name, col)
    if result is None:
        return  # a reused build: no target folder of this run to read
    # the pipeline's own dbt build ran the unit tests (its run_results.json)
    target = (
        DBT_PROJECT_DIR / "target" / f"run-{hashlib.sha1(str(warehouse).encode()).hexdigest()[:8]}"
    )
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(unit) >= 3 and set(unit.values()) == {"pass"}, unit
