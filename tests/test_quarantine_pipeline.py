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
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
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
