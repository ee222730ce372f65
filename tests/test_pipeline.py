"""The whole asset graph in-process (ingest -> NLP -> actors -> dbt build -> publish)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.slow

CONTRACT = {
    "dim_articles": ["article_id", "published_date", "title", "source_path", "n_words"],
    "fct_entity_mentions": [
        "mention_id",
        "article_id",
        "sentence_index",
        "start_char",
        "end_char",
        "mention_text",
        "entity_label",
        "actor_id",
    ],
    "dim_actors": ["actor_id", "canonical_name", "actor_type", "country_iso3"],
    "mart_actor_mentions": [
        "actor_id",
        "canonical_name",
        "country_iso3",
        "published_date",
        "n_mentions",
        "n_articles",
    ],
    "rejected_files": ["source_path", "reason", "detected_at"],
    # issue 3
    "dim_actor_aliases": ["actor_id", "alias"],
    "dim_places": [
        "place_id",
        "name",
        "country_iso3",
        "latitude",
        "longitude",
        "feature_type",
        "precision",
        "geo_precision",  # issue 18
    ],
    "fct_place_mentions": ["article_id", "sentence_index", "start_char", "end_char", "place_id"],
    "mart_actor_cooccurrence": ["actor_id_a", "actor_id_b", "published_date", "n_articles"],
}


def materialize_all(input_dir: Path, warehouse: Path) -> dg.ExecuteInProcessResult:
    from dagster_dbt import DbtCliResource

    from orchestration.definitions import defs
    from orchestration.defs.dbt.project import dbt_project
    from orchestration.settings import NewsledgerSettings

    settings = NewsledgerSettings(input_dir=str(input_dir), warehouse_dir=str(warehouse))
    return dg.materialize(
        list(defs.assets),
        resources={"settings": settings, "dbt": DbtCliResource(project_dir=dbt_project)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_manifest):
    import shutil

    from tests.conftest import SEED_ARTICLE

    folder = tmp_path_factory.mktemp("input")
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    for name in ("voa_6181504.txt", "voa_8007271.txt", "voa_8010842.txt"):
        shutil.copy(SEEDS / name, folder / name)
    shutil.copy(SEEDS / "voa_8010842.txt", folder / "copy_of_8010842.txt")
    (folder / "broken.txt").write_bytes(b"caf\xe9 latin-1 without a date header")
    warehouse = tmp_path_factory.mktemp("warehouse")
    result = materialize_all(folder, warehouse)
    return folder, warehouse, result


def test_run_succeeds_and_dbt_tests_pass_as_asset_checks(built):
    _, _, result = built
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert len(checks) >= 20
    failed = [c.check_name for c in checks if not c.passed]
    assert failed == []


def test_contract_tables_and_counts(built):
    _, warehouse, _ = built
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        for table, columns in CONTRACT.items():
            have = [r[0] for r in con.execute(f"describe {table}").fetchall()]
            assert set(columns) <= set(have), table
        assert con.execute("select count(*) from dim_articles").fetchone()[0] == 4
        assert con.execute("select count(*) from dim_article_sources").fetchone()[0] == 5
        rejected = dict(
            con.execute("select source_path, reason_code from rejected_files").fetchall()
        )
        # files are read in path order: the first path of a duplicated text is the article's
        assert rejected == {"broken.txt": "not_utf8", "voa_8010842.txt": "duplicate"}
        assert (
            con.execute(
                "select n_sources from dim_articles where source_path = 'copy_of_8010842.txt'"
            ).fetchone()[0]
            == 2
        )
        # offsets cut the mention out of the stored text
        bad = con.execute(
            "select count(*) from fct_entity_mentions m join dim_articles a using (article_id) "
            "where substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.mention_text"
        ).fetchone()[0]
        assert bad == 0


def test_published_places_have_coordinates_acled_precision_and_no_people(built):
    _, warehouse, _ = built
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        by_type = con.execute(
            "select feature_type, geo_precision, count(*), count(latitude), count(longitude) "
            "from dim_places group by all"
        ).fetchall()
        people_as_places = con.execute(
            "select f.mention_text from fct_place_mentions f join fct_entity_mentions e "
            "on e.article_id = f.article_id and e.mention_text = f.mention_text "
            "and e.entity_label = 'PERSON'"
        ).fetchall()
    expected = {"city": 1, "admin1": 2, "country": 3, "region": 3, "continent": None, None: None}
    assert {t for t, *_ in by_type} >= {"city", "admin1", "country"}
    for feature_type, geo_precision, n, n_lat, n_lon in by_type:
        assert geo_precision == expected[feature_type], (feature_type, geo_precision)
        if geo_precision is not None:  # every resolved country and region has coordinates
            assert n_lat == n_lon == n, feature_type
    assert people_as_places == []


def test_known_facts_of_the_seed_article(built):
    _, warehouse, _ = built
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        names = {
            r[0]
            for r in con.execute(
                "select canonical_name from mart_actor_mentions where published_date = '2024-11-04'"
            ).fetchall()
        }
        by_country = dict(
            con.execute(
                "select country_iso3, sum(n_mentions) from mart_actor_mentions "
                "where published_date = '2024-11-04' and country_iso3 is not null group by 1"
            ).fetchall()
        )
        actors = {
            r[0]: r[1:]
            for r in con.execute(
                "select canonical_name, actor_type, country_iso3 from dim_actors"
            ).fetchall()
        }
        kursk = con.execute(
            "select p.country_iso3, p.latitude is not null from fct_place_mentions f "
            "join dim_places p using (place_id) join dim_articles a using (article_id) "
            "where substr(a.text, f.start_char + 1, f.end_char - f.start_char) = 'Kursk'"
        ).fetchall()
        pair = con.execute(
            "select n_articles from mart_actor_cooccurrence "
            "where actor_id_a = 'person:choe-son-hui' and actor_id_b = 'person:vladimir-putin' "
            "and published_date = '2024-11-04'"
        ).fetchall()
    assert {"Vladimir Putin", "Annalena Baerbock", "Choe Son Hui"} <= names
    assert {"RUS", "PRK", "UKR", "KOR", "DEU", "USA"} <= set(by_country)
    assert actors["Vladimir Putin"] == ("person", "RUS")
    assert actors["Choe Son Hui"] == ("person", "PRK")
    assert actors["United Nations"][0] == "organization"
    assert kursk and set(kursk) == {("RUS", True)}
    assert pair == [(1,)]


def test_rerun_while_a_reader_holds_the_published_file(built, tmp_path):
    folder, warehouse, _ = built
    published = warehouse / "analytics.duckdb"
    reader = duckdb.connect(str(published), read_only=True)
    before = reader.execute("select count(*) from pipeline_runs").fetchone()[0]
    (folder / "new.txt").write_text(" date 2024-11-05 Germany pledged more aid to Ukraine.\n")
    try:
        result = materialize_all(folder, warehouse)
        assert result.success
        # the open reader still sees its complete snapshot
        assert reader.execute("select count(*) from dim_articles").fetchone()[0] == 4
    finally:
        reader.close()
        (folder / "new.txt").unlink()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute("select count(*) from dim_articles").fetchone()[0] == 5
        assert fresh.execute("select count(*) from pipeline_runs").fetchone()[0] == before + 1


def test_a_rerun_with_nothing_new_skips_dbt_and_publish(built):
    folder, warehouse, _ = built
    assert materialize_all(folder, warehouse).success  # settles whatever earlier tests changed
    published = warehouse / "analytics.duckdb"
    stamp = published.stat().st_mtime_ns
    result = materialize_all(folder, warehouse)
    assert result.success
    ran = {e.step_key for e in result.get_step_success_events()}
    assert "raw_articles" in ran and "newsledger_dbt_models" in ran  # ran, and found no change
    from orchestration.cli import parsed_this_run

    assert parsed_this_run(result) == 0  # no article parsed again
    assert "published__analytics_duckdb" not in ran  # skipped: dbt materialized nothing
    assert result.get_asset_check_evaluations() == []
    assert published.stat().st_mtime_ns == stamp
    (folder / "new.txt").write_text(" date 2024-11-06 France pledged aid to Chad.\n")
    try:  # and a change is built and published again
        result = materialize_all(folder, warehouse)
        assert "published__analytics_duckdb" in {
            e.step_key for e in result.get_step_success_events()
        }
        assert published.stat().st_mtime_ns > stamp
        assert parsed_this_run(result) == 1  # the new article only
        # an incremental build with the dbt code of the last build: models and data tests, not
        # the unit tests (they passed on this code) nor the seeds (same CSV rows)
        built = _built_nodes(warehouse)
        kinds = {unique_id.split(".")[0] for unique_id in built}
        assert {"model", "test"} <= kinds and not kinds & {"unit_test", "seed"}
        # nor the models that read seeds only: not built, yet materialized (unchanged), so that
        # the publish step, which depends on every mart, ran
        assert "model.newsledger.fct_events" in built
        assert "model.newsledger.dim_countries" not in built
        materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
        assert {"dim_countries", "dim_event_codes", "fct_events"} <= materialized
    finally:
        (folder / "new.txt").unlink()


def _built_nodes(warehouse: Path) -> set[str]:
    """The dbt nodes the warehouse's last dbt build ran (its run_results.json)."""
    import hashlib
    import json

    from orchestration.settings import DBT_PROJECT_DIR

    key = hashlib.sha1(str(warehouse).encode()).hexdigest()[:8]
    results = json.loads(
        (DBT_PROJECT_DIR / "target" / f"run-{key}" / "run_results.json").read_text(encoding="utf-8")
    )
    return {r["unique_id"] for r in results["results"]}


def test_cli_runs_on_an_unseen_folder(tmp_path):
    """`newsledger run --input --warehouse` on raw files in header variants it has not seen."""
    folder = tmp_path / "drop"
    folder.mkdir()
    body = (SEEDS / "voa_6181504.txt").read_text(encoding="utf-8").split(" ", 3)[3]
    (folder / "crlf.txt").write_bytes(
        ("date 2019-12-23\r\n\r\n" + body).replace("\n", "\r\n").encode()
    )
    (folder / "nodate.txt").write_text("Just text, no header.\n")
    warehouse = tmp_path / "wh"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--input",
            str(folder),
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "articles loaded:   1 (from 1 files)" in out.stdout
    assert "nodate.txt [no_date]" in out.stdout
    status = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "status", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0 and "dim_articles" in status.stdout


CLAIMS_CONTRACT = {
    "fct_claims": [
        "claim_id",
        "article_id",
        "sentence_index",
        "speaker_text",
        "speaker_actor_id",
        "speaker_name",
        "speaker_type",
        "speaker_country_iso3",
        "cue",
        "cue_lemma",
        "content",
        "content_start",
        "content_end",
        "is_direct",
        "stance",
        "target_actor_id",
        "confidence",
    ],
    "mart_claims_by_speaker": [
        "speaker_actor_id",
        "speaker_name",
        "published_date",
        "stance",
        "n_claims",
        "n_articles",
    ],
    "mart_numeric_claims": ["subject", "unit", "value", "speaker_name", "article_id", "claim_id"],
    "mart_numeric_claim_conflicts": [
        "subject",
        "unit",
        "value_a",
        "speaker_a",
        "value_b",
        "speaker_b",
    ],
}


def test_claims_tables_hold_the_seeds_conflicting_troop_numbers(built):
    _, warehouse, _ = built
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        for table, columns in CLAIMS_CONTRACT.items():
            have = [r[0] for r in con.execute(f"describe {table}").fetchall()]
            assert set(columns) <= set(have), table
        seed_claims = con.execute(
            "select speaker_name, stance from fct_claims join dim_articles using (article_id) "
            "where published_date = '2024-11-04'"
        ).fetchall()
        assert len(seed_claims) >= 20
        assert ("Vladimir Putin", "deny_or_unconfirmed") in seed_claims
        # the speaker joins its actor through the entity mention offsets
        actor = con.execute(
            "select a.canonical_name from fct_claims c join dim_actors a "
            "on a.actor_id = c.speaker_actor_id where c.speaker_text = 'she' "
            "and c.content like 'Right here, right now%'"
        ).fetchone()
        assert actor is not None and "Baerbock" in actor[0]
        conflicts = con.execute(
            "select value_a, speaker_a, value_b, speaker_b from mart_numeric_claim_conflicts "
            "where subject = 'North Korean troops' and unit = 'troops'"
        ).fetchall()
    assert (10000.0, "Matthew Miller", 11000.0, "Volodymyr Zelenskyy") in conflicts
