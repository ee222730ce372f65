"""One bad row never blocks the publish: rows that break a data test's rule are set aside.

A copy of the seeds/ warehouse gets two broken rows written into its lake, in place, the way a
faulty extractor would leave them: a real event mention whose trigger offsets run past its
article's text, and a real pledge mention whose evidence span is the whole article (not inside its
sentence). `newsledger run` on the same input then publishes every other row, lists the two in
`quarantined_rows` with their test, article and key, and says so in its summary.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.slow


def _rewrite_row(lake: Path, table: str, key: str, value: str, set_sql: str) -> None:
    """Rewrite the lake part holding row `key = value` of `table` in place, with `set_sql`."""
    con = duckdb.connect()
    for part in sorted((lake / table).glob("part-*.parquet")):
        found = con.execute(
            f"select count(*) from read_parquet(?) where {key} = ?", [str(part), value]
        ).fetchone()[0]
        if not found:
            continue
        con.execute(f"create table t as select * from read_parquet('{part}')")
        con.execute(f"update t set {set_sql} where {key} = ?", [value])
        tmp = part.with_suffix(".tmp")
        con.execute(f"copy t to '{tmp}' (format parquet)")
        tmp.rename(part)
        return
    raise AssertionError(f"no {table} row {key} = {value}")


def _ids(db: Path, sql: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute(sql).fetchall()}


def test_rows_breaking_a_data_test_are_quarantined_and_the_rest_publishes(
    seeds_warehouse, tmp_path
):
    source, _ = seeds_warehouse
    warehouse = tmp_path / "warehouse"
    shutil.copytree(source / "lake", warehouse / "lake")
    shutil.copy(source / "analytics.duckdb", warehouse / "analytics.duckdb")
    shutil.copy(source / "newsledger.duckdb", warehouse / "newsledger.duckdb")
    lake = warehouse / "lake"
    before = warehouse / "analytics.duckdb"
    with duckdb.connect(str(before), read_only=True) as con:
        assert con.execute("select count(*) from quarantined_rows").fetchone()[0] == 0
        # a mention of an event reported twice, and of a pledge reported twice: both stay
        event_mention, event_id, event_article = con.execute(
            "select event_mention_id, event_id, article_id from fct_event_mentions "
            "where event_id in (select event_id from fct_event_mentions group by 1 "
            "having count(*) > 1) order by event_mention_id limit 1"
        ).fetchone()
        pledge_mention, pledge_id, pledge_article = con.execute(
            "select pledge_mention_id, pledge_id, article_id from fct_aid_pledge_mentions "
            "where sentence_index > 0 and pledge_id in (select pledge_id from "
            "fct_aid_pledge_mentions group by 1 having count(*) > 1) "
            "order by pledge_mention_id limit 1"
        ).fetchone()
        n_articles = con.execute("select count(*) from dim_articles").fetchone()[0]
    events_before = _ids(before, "select event_mention_id from fct_event_mentions")
    pledges_before = _ids(before, "select pledge_mention_id from fct_aid_pledge_mentions")

    # an offset past the text; an evidence span that is the whole article, not its sentence
    _rewrite_row(
        lake,
        "event_mentions",
        "event_mention_id",
        event_mention,
        "start_char = start_char + 1000000, end_char = end_char + 1000000",
    )
    with duckdb.connect(str(before), read_only=True) as con:
        length = con.execute(
            "select length(text) from dim_articles where article_id = ?", [pledge_article]
        ).fetchone()[0]
    _rewrite_row(
        lake,
        "aid_pledge_mentions",
        "pledge_mention_id",
        pledge_mention,
        f"start_char = 0, end_char = {int(length)}",
    )

    run = _run(warehouse)
    assert "rows set aside:    2 " in run.stdout, run.stdout[-3000:]
    assert "fct_event_mentions: assert_event_trigger_offsets_index_article_text" in run.stdout

    published = warehouse / "analytics.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        quarantined = set(
            con.execute(
                "select test_name, model, article_id, row_key from quarantined_rows"
            ).fetchall()
        )
        assert con.execute("select count(*) from dim_articles").fetchone()[0] == n_articles
        assert (
            con.execute(
                "select count(*) from fct_events where event_id = ?", [event_id]
            ).fetchone()[0]
            == 1
        )
        assert (
            con.execute(
                "select count(*) from fct_aid_pledges where pledge_id = ?", [pledge_id]
            ).fetchone()[0]
            == 1
        )
    assert quarantined == {
        (
            "assert_event_trigger_offsets_index_article_text",
            "fct_event_mentions",
            event_article,
            event_mention,
        ),
        (
            "assert_pledge_evidence_inside_its_sentence",
            "fct_aid_pledge_mentions",
            pledge_article,
            pledge_mention,
        ),
    }
    # every other row published, the bad ones not
    assert _ids(published, "select event_mention_id from fct_event_mentions") == (
        events_before - {event_mention}
    )
    assert _ids(published, "select pledge_mention_id from fct_aid_pledge_mentions") == (
        pledges_before - {pledge_mention}
    )


def _break_row(lake: Path, table: str, key: str, value: str, set_sql: str, keep: Path) -> None:
    """_rewrite_row, after copying the part that holds the row to `keep` (to repair it later)."""
    con = duckdb.connect()
    for part in sorted((lake / table).glob("part-*.parquet")):
        found = con.execute(
            f"select count(*) from read_parquet(?) where {key} = ?", [str(part), value]
        ).fetchone()[0]
        if found:
            (keep / table).mkdir(parents=True, exist_ok=True)
            shutil.copy(part, keep / table / part.name)
            break
    _rewrite_row(lake, table, key, value, set_sql)


def _run(warehouse: Path, **env: str) -> subprocess.CompletedProcess:
    import os

    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "newsledger"),
            "run",
            "--input",
            str(SEEDS),
            "--warehouse",
            str(warehouse),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **env},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


INCREMENTAL_TABLES = {
    "sentences": "select article_id || ':' || sentence_index from fct_sentences",
    "mentions": "select mention_id from fct_entity_mentions",
    "claims": "select claim_id from fct_claims",
    "claim_speakers": "select claim_id || ' ' || coalesce(speaker_actor_id, '-') from fct_claims",
}


def test_rows_of_the_incremental_tables_are_quarantined_kept_out_and_let_in_once_repaired(
    seeds_warehouse, tmp_path
):
    """A sentence, an entity mention and a claim whose offsets run past their article's text, in
    the lake a new warehouse builds from (a full build), then an incremental rebuild with the same
    lake (they stay out), then the lake repaired (an incremental build lets them in)."""
    from orchestration.defs.checks.checks import measure_quarantined_share

    source, _ = seeds_warehouse
    warehouse = tmp_path / "warehouse"
    shutil.copytree(source / "lake", warehouse / "lake")
    lake = warehouse / "lake"
    before = source / "analytics.duckdb"
    with duckdb.connect(str(before), read_only=True) as con:
        # a sentence no pledge mention cites (a pledge's evidence needs its sentence: it would go too)
        sentence_article, sentence_index = con.execute(
            "select article_id, sentence_index from fct_sentences as s where sentence_index > 0 "
            "and not exists (select 1 from fct_aid_pledge_mentions as p "
            "where p.article_id = s.article_id and p.sentence_index = s.sentence_index) "
            "order by article_id, sentence_index limit 1"
        ).fetchone()
        # a mention of a resolved person that is no place mention, in another article
        mention, mention_article = con.execute(
            "select mention_id, article_id from fct_entity_mentions where entity_label = 'PERSON' "
            "and actor_id is not null and article_id <> ? "
            "and mention_id not in (select mention_id from fct_place_mentions) "
            "order by mention_id limit 1",
            [sentence_article],
        ).fetchone()
        claim, claim_article = con.execute(
            "select claim_id, article_id from fct_claims where article_id not in (?, ?) "
            "and claim_id not in (select claim_id from mart_numeric_claims) "
            "order by claim_id limit 1",
            [sentence_article, mention_article],
        ).fetchone()
    published_before = {name: _ids(before, sql) for name, sql in INCREMENTAL_TABLES.items()}
    sentence_key = f"{sentence_article}:{sentence_index}"

    keep = tmp_path / "good_parts"
    past = "start_char = start_char + 1000000, end_char = end_char + 1000000"
    con = duckdb.connect()
    sentence_part = next(
        part
        for part in sorted((lake / "sentences").glob("part-*.parquet"))
        if con.execute(
            "select count(*) from read_parquet(?) where article_id = ? and sentence_index = ?",
            [str(part), sentence_article, sentence_index],
        ).fetchone()[0]
    )
    (keep / "sentences").mkdir(parents=True)
    shutil.copy(sentence_part, keep / "sentences" / sentence_part.name)
    con.execute(f"create table t as select * from read_parquet('{sentence_part}')")
    con.execute(
        f"update t set {past} where article_id = ? and sentence_index = ?",
        [sentence_article, sentence_index],
    )
    con.execute(f"copy t to '{sentence_part}.tmp' (format parquet)")
    Path(f"{sentence_part}.tmp").rename(sentence_part)
    _break_row(lake, "entity_mentions", "mention_id", mention, past, keep)
    _break_row(
        lake,
        "claims",
        "claim_id",
        claim,
        "content_start = content_start + 1000000, content_end = content_end + 1000000",
        keep,
    )
    expected = {
        (
            "assert_sentence_offsets_index_article_text",
            "fct_sentences",
            sentence_article,
            sentence_key,
        ),
        (
            "assert_mention_offsets_index_article_text",
            "fct_entity_mentions",
            mention_article,
            mention,
        ),
        ("assert_claim_offsets_index_article_text", "fct_claims", claim_article, claim),
    }
    published = warehouse / "analytics.duckdb"

    def published_now() -> dict[str, set[str]]:
        return {name: _ids(published, sql) for name, sql in INCREMENTAL_TABLES.items()}

    def quarantined() -> set[tuple]:
        with duckdb.connect(str(published), read_only=True) as con:
            return set(
                con.execute(
                    "select test_name, model, article_id, row_key from quarantined_rows"
                ).fetchall()
            )

    # 1. a new warehouse (full build): the three rows are set aside, everything else publishes
    # 2. the same lake again, built incrementally: they stay out
    for env in ({}, {"NEWSLEDGER_REBUILD": "1"}):
        run = _run(warehouse, **env)
        assert "rows set aside:    3 " in run.stdout, run.stdout[-3000:]
        for model, test in (
            ("fct_sentences", "assert_sentence_offsets_index_article_text"),
            ("fct_entity_mentions", "assert_mention_offsets_index_article_text"),
            ("fct_claims", "assert_claim_offsets_index_article_text"),
        ):
            assert f"    1 {model}: {test}" in run.stdout, run.stdout[-3000:]
        # the Dagster check warns, with the count per table and rule; every dbt test passed
        assert "checks: 4 of 5 Dagster asset checks, " in run.stdout, run.stdout[-3000:]
        (dbt_line,) = [line for line in run.stdout.splitlines() if line.startswith("checks: ")]
        n_dbt = dbt_line.split(", ")[1].split(" of ")
        assert n_dbt[0] == n_dbt[1].split()[0], dbt_line
        assert (
            "  WARN quarantined_rows quarantined_rows_count: 3 rows set aside as breaking a "
            "data test: 1 fct_claims (assert_claim_offsets_index_article_text), 1 "
            "fct_entity_mentions (assert_mention_offsets_index_article_text), 1 fct_sentences "
            "(assert_sentence_offsets_index_article_text)"
        ) in run.stdout, run.stdout[-3000:]
        assert quarantined() == expected
        now = published_now()
        assert now["sentences"] == published_before["sentences"] - {sentence_key}
        assert now["mentions"] == published_before["mentions"] - {mention}
        assert now["claims"] == published_before["claims"] - {claim}
    measure = measure_quarantined_share(published)
    assert measure.metadata["by_table_and_rule"].value == {
        "fct_claims: assert_claim_offsets_index_article_text": 1,
        "fct_entity_mentions: assert_mention_offsets_index_article_text": 1,
        "fct_sentences: assert_sentence_offsets_index_article_text": 1,
    }
    assert 0 < measure.value < 0.01

    # 3. the lake repaired: an incremental build lets the three rows in, and nothing is set aside
    for table in ("sentences", "entity_mentions", "claims"):
        for part in (keep / table).iterdir():
            shutil.copy(part, lake / table / part.name)
    run = _run(warehouse)
    assert "rows set aside:    0 " in run.stdout, run.stdout[-3000:]
    assert "checks: 5 of 5 Dagster asset checks, " in run.stdout, run.stdout[-3000:]
    assert quarantined() == set()
    assert published_now() == published_before
