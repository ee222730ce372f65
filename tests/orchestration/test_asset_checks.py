"""The asset checks of orchestration/defs/checks on real input, through Dagster (ingest only: fast).

The whole-pipeline run with every check is in tests/test_text_policy_pipeline.py.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import SEED_ARTICLE, SEEDS
from tests.hostile_corpus import build_hostile_corpus


def run_ingest_with_checks(input_dir: Path, warehouse: Path) -> dg.ExecuteInProcessResult:
    from orchestration.defs.checks.checks import rejected_share
    from orchestration.defs.ingest.assets import raw_articles
    from orchestration.settings import NewsledgerSettings

    settings = NewsledgerSettings(input_dir=str(input_dir), warehouse_dir=str(warehouse))
    defs = dg.Definitions(
        assets=[raw_articles], asset_checks=[rejected_share], resources={"settings": settings}
    )
    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def evaluation(result: dg.ExecuteInProcessResult, name: str):
    (found,) = [c for c in result.get_asset_check_evaluations() if c.check_name == name]
    return found


def test_rejected_share_passes_on_a_folder_of_good_files_and_one_duplicate(tmp_path):
    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    for name in ("voa_6181504.txt", "voa_8007271.txt", "voa_8010842.txt"):
        shutil.copy(SEEDS / name, folder / name)
    shutil.copy(SEEDS / "voa_8010842.txt", folder / "copy_of_8010842.txt")  # loaded once
    result = run_ingest_with_checks(folder, tmp_path / "wh")
    assert result.success
    check = evaluation(result, "rejected_share")
    assert check.passed
    assert check.metadata["n_files"].value == 5
    assert check.metadata["n_set_aside"].value == 0


def test_rejected_share_fails_with_error_on_a_folder_of_mostly_bad_files(tmp_path):
    """The hostile corpus: 16 of 23 files bad (one of them a duplicate, which loses nothing)."""
    folder = tmp_path / "input"
    folder.mkdir()
    corpus = build_hostile_corpus(folder, long_line_chars=2_000)
    result = run_ingest_with_checks(folder, tmp_path / "wh")
    assert result.success  # a check reports; it never stops the good files
    check = evaluation(result, "rejected_share")
    lost = [p for p, code in corpus.rejected.items() if code != "duplicate"]
    n_files = len(corpus.rejected) + len(corpus.loaded)
    assert check.metadata["n_set_aside"].value == len(lost)
    assert check.metadata["value"].value == pytest.approx(len(lost) / n_files)
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR  # above 0.50 (thresholds.yaml)
    assert check.metadata["by_reason_code"].value["not_utf8"] >= 1


def test_rejected_share_warns_between_the_limits(tmp_path):
    """Three good files and one bad one: 0.25 is not above the warn limit; two bad: 0.4 warns."""
    folder = tmp_path / "input"
    folder.mkdir()
    for name in ("voa_6181504.txt", "voa_8007271.txt", "voa_8010842.txt"):
        shutil.copy(SEEDS / name, folder / name)
    (folder / "broken.txt").write_bytes(b"caf\xe9 latin-1 without a date header")
    check = evaluation(run_ingest_with_checks(folder, tmp_path / "wh1"), "rejected_share")
    assert check.passed
    (folder / "empty.txt").write_bytes(b"")
    check = evaluation(run_ingest_with_checks(folder, tmp_path / "wh2"), "rejected_share")
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["value"].value == pytest.approx(2 / 5)


def test_thresholds_are_ordered_and_every_check_has_its_own():
    from orchestration.defs.checks.checks import CHECKS, thresholds

    limits = thresholds()
    assert set(limits) == {
        "rejected_share",
        "unresolved_place_share",
        "empty_nlp_share",
        "published_age_hours",
        "quarantined_share",
    }
    for name, limit in limits.items():
        assert 0 <= limit["warn"] < limit["error"], name
    assert len(CHECKS) == 5


def test_freshness_grades_the_published_files_own_record(tmp_path):
    """A published file written by publish(): fresh now, WARN after 30 h, ERROR after 4 days."""
    import duckdb

    from orchestration.defs.checks.checks import grade, measure_published_age_hours
    from transforms.warehouse import publish

    private = tmp_path / "private.duckdb"
    with duckdb.connect(str(private)) as con:
        con.execute("create table dim_articles (article_id varchar, text varchar)")
        con.execute("insert into dim_articles values ('a', 'Seoul said it would send observers.')")
    published = tmp_path / "analytics.duckdb"
    missing = grade("published_age_hours", measure_published_age_hours(published))
    assert not missing.passed and missing.severity == dg.AssetCheckSeverity.ERROR
    publish(private, published)
    now = dt.datetime.now(dt.UTC)
    assert grade("published_age_hours", measure_published_age_hours(published, now)).passed
    late = grade(
        "published_age_hours", measure_published_age_hours(published, now + dt.timedelta(hours=30))
    )
    assert not late.passed and late.severity == dg.AssetCheckSeverity.WARN
    stale = grade(
        "published_age_hours", measure_published_age_hours(published, now + dt.timedelta(days=4))
    )
    assert not stale.passed and stale.severity == dg.AssetCheckSeverity.ERROR


def test_the_freshness_check_has_its_own_hourly_schedule(dbt_manifest):
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("published_freshness_hourly")
    job = defs.resolve_job_def("published_freshness_job")
    assert schedule.job_name == job.name
    keys = job.asset_layer.asset_graph.asset_check_keys
    assert {k.name for k in keys} == {"published_freshness"}


def test_the_checks_are_attached_to_their_assets_in_the_definitions(dbt_manifest):
    """What the UI shows on each asset's Checks tab, and what newsledger_job runs."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def("newsledger_job")
    keys = {
        (k.asset_key.to_user_string(), k.name) for k in job.asset_layer.asset_graph.asset_check_keys
    }
    assert {
        ("lake/rejected_files", "rejected_share"),
        ("lake/place_mentions", "unresolved_place_share"),
        ("lake/sentences", "nlp_output_not_empty"),
        ("published/analytics_duckdb", "published_freshness"),
        ("quarantined_rows", "quarantined_rows_count"),
    } <= keys


def _published_with_quarantine(path: Path, quarantined: list[tuple]) -> Path:
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("create table fct_claims as select range::varchar as claim_id from range(60)")
        con.execute("create table fct_sentences as select range as i from range(200)")
        con.execute(
            "create table quarantined_rows (test_name varchar, model varchar, article_id varchar, "
            "row_key varchar, reason varchar)"
        )
        for row in quarantined:
            con.execute("insert into quarantined_rows values (?, ?, ?, ?, ?)", row)
    return path


def test_quarantine_check_passes_without_set_aside_rows_and_warns_per_table_and_rule(tmp_path):
    """No row set aside passes; one in 61 claims warns, saying how many per table and rule; a
    share above thresholds.yaml's error is ERROR; no published file is not judged."""
    from orchestration.defs.checks.checks import grade, measure_quarantined_share

    clean = grade(
        "quarantined_share",
        measure_quarantined_share(_published_with_quarantine(tmp_path / "clean.duckdb", [])),
    )
    assert clean.passed
    assert clean.metadata["summary"].value == "0 rows set aside as breaking a data test " + (
        "(quarantined_rows)"
    )
    claim = ("assert_claim_offsets_index_article_text", "fct_claims", "a1", "c1", "past the text")
    sentence = ("assert_sentence_offsets_index_article_text", "fct_sentences", "a2", "a2:3", "x")
    warned = grade(
        "quarantined_share",
        measure_quarantined_share(
            _published_with_quarantine(tmp_path / "one.duckdb", [claim, sentence])
        ),
    )
    assert not warned.passed
    assert warned.severity == dg.AssetCheckSeverity.WARN
    assert warned.metadata["n_set_aside"].value == 2
    assert warned.metadata["n_rows_checked"].value == 60 + 200 + 2
    assert warned.metadata["value"].value == pytest.approx(2 / 262)
    assert warned.metadata["by_table_and_rule"].value == {
        "fct_claims: assert_claim_offsets_index_article_text": 1,
        "fct_sentences: assert_sentence_offsets_index_article_text": 1,
    }
    assert warned.metadata["summary"].value == (
        "2 rows set aside as breaking a data test: 1 fct_claims "
        "(assert_claim_offsets_index_article_text), 1 fct_sentences "
        "(assert_sentence_offsets_index_article_text) (quarantined_rows)"
    )
    many = [(*claim[:3], f"c{i}", claim[4]) for i in range(5)]
    error = grade(
        "quarantined_share",
        measure_quarantined_share(_published_with_quarantine(tmp_path / "many.duckdb", many)),
    )
    assert not error.passed and error.severity == dg.AssetCheckSeverity.ERROR
    assert grade("quarantined_share", measure_quarantined_share(tmp_path / "missing.duckdb")).passed
