"""The text policy through the whole pipeline, and the asset checks on a real run.

One warehouse, three runs on seed articles: `full`, then `sentences`, then `none`. The reruns
find nothing new in the input and still publish (the policy is part of what the dbt asset
compares), so each published file is the same build under another policy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from tests.conftest import SEED_ARTICLE, SEEDS

pytestmark = pytest.mark.slow

OUR_CHECKS = {"rejected_share", "unresolved_place_share", "nlp_output_not_empty"}
OUR_CHECKS |= {"published_freshness", "quarantined_rows_count"}


def materialize_with_checks(input_dir: Path, warehouse: Path, policy: str):
    from dagster_dbt import DbtCliResource

    from orchestration.definitions import defs
    from orchestration.defs.dbt.project import dbt_project
    from orchestration.settings import NewsledgerSettings

    settings = NewsledgerSettings(
        input_dir=str(input_dir), warehouse_dir=str(warehouse), text_policy=policy
    )
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources={"settings": settings, "dbt": DbtCliResource(project_dir=dbt_project)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def read(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        q = {
            "articles": "select article_id, text, title, title_source from dim_articles "
            "order by article_id",
            "sentences": "select article_id, sentence_index, start_char, end_char, sentence_text "
            "from fct_sentences order by all",
            "mentions": "select mention_id, article_id, start_char, end_char, mention_text "
            "from fct_entity_mentions order by mention_id",
            "claims": "select claim_id, content, content_start, content_end from fct_claims "
            "order by claim_id",
            "pledge_mentions": "select pledge_mention_id, sentence_text, start_char "
            "from fct_aid_pledge_mentions order by all",
            "facts": "select article_id, sentence_index from fct_claims union "
            "select article_id, sentence_index from fct_event_mentions union "
            "select article_id, sentence_index from fct_aid_pledge_mentions",
            "runs": "select details from pipeline_runs order by published_at",
        }
        return {k: con.execute(sql).fetchall() for k, sql in q.items()}


def article_text_in_columns(db: Path, lake: Path, min_chars: int) -> list[tuple[str, str]]:
    """(table.column, value) of every published text value of min_chars or more that is a piece
    of an input article: prose a text policy must withhold (80 characters is longer than any
    actor name or alias the seeds yield, the longest being 66)."""
    texts = pl.read_parquet(lake / "articles" / "current.parquet")["text"].to_list()
    leaks = []
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'main' "
            "and data_type = 'VARCHAR' and not internal"
        ).fetchall()
        for table, column in columns:
            values = con.execute(
                f'select distinct "{column}" from "{table}" where length("{column}") >= ?',
                [min_chars],
            ).fetchall()
            for (value,) in values:
                if any(value in text for text in texts):
                    leaks.append((f"{table}.{column}", value))
    return leaks


@pytest.fixture(scope="module")
def runs(tmp_path_factory, dbt_manifest):
    folder = tmp_path_factory.mktemp("input")
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    for name in ("voa_6181504.txt", "voa_8007271.txt", "voa_8010842.txt"):
        shutil.copy(SEEDS / name, folder / name)
    warehouse = tmp_path_factory.mktemp("warehouse")
    out = {}
    for policy in ("full", "sentences", "none"):
        result = materialize_with_checks(folder, warehouse, policy)
        assert result.success, policy
        db = warehouse / "analytics.duckdb"
        keep = warehouse / f"published-{policy}.duckdb"
        shutil.copy(db, keep)
        out[policy] = (result, read(keep), keep)
    return warehouse, out


def test_every_asset_check_ran_and_passed_on_the_seeds(runs):
    _, out = runs
    result = out["full"][0]
    evaluations = result.get_asset_check_evaluations()
    ran = {c.check_name for c in evaluations}
    assert OUR_CHECKS <= ran
    assert [c.check_name for c in evaluations if not c.passed] == []
    ours = {c.check_name: c for c in evaluations if c.check_name in OUR_CHECKS}
    assert ours["nlp_output_not_empty"].metadata["value"].value == 0.0
    assert ours["unresolved_place_share"].metadata["n_place_mentions"].value > 20
    assert ours["published_freshness"].metadata["value"].value < 0.1  # hours
    assert ours["quarantined_rows_count"].metadata["n_set_aside"].value == 0


def test_full_publishes_the_text(runs):
    _, out = runs
    full = out["full"][1]
    assert all(text for _, text, _, _ in full["articles"])
    assert all(s[4] for s in full["sentences"])
    assert "'text_policy': 'full'" in full["runs"][-1][0]


def test_a_policy_change_alone_publishes_again(runs):
    _, out = runs
    assert len(out["none"][1]["runs"]) == 3
    assert "'text_policy': 'none'" in out["none"][1]["runs"][-1][0]


def test_sentences_publishes_only_the_sentences_that_carry_a_fact(runs):
    warehouse, out = runs
    full, sent = out["full"][1], out["sentences"][1]
    facts = set(sent["facts"])
    assert facts  # the seed article has claims, events and a pledge
    assert all(text is None for _, text, _, _ in sent["articles"])
    # the same sentences with the same offsets; text only where a fact is
    assert [s[:4] for s in sent["sentences"]] == [s[:4] for s in full["sentences"]]
    kept = {s[:2] for s in sent["sentences"] if s[4] is not None}
    assert kept == facts & {s[:2] for s in full["sentences"]}
    assert len(kept) < len(sent["sentences"])  # some sentences carry no fact
    full_text = {s[:2]: s[4] for s in full["sentences"]}
    assert all(s[4] == full_text[s[:2]] for s in sent["sentences"] if s[4] is not None)
    # claim content and pledge sentences are facts: kept
    assert sent["claims"] == full["claims"]
    assert sent["pledge_mentions"] == full["pledge_mentions"]
    # no sentence without a fact is anywhere else in the published file (a claim's content
    # may run into the next sentence: it is a fact, published whole)
    withheld = [full_text[k] for k in full_text if k not in kept and len(full_text[k]) >= 80]
    leaks = article_text_in_columns(out["sentences"][2], warehouse / "lake", 80)
    elsewhere = [
        (col, v)
        for col, v in leaks
        if col != "fct_claims.content" and any(v in w or w in v for w in withheld)
    ]
    assert elsewhere == []
    assert {col for col, _ in leaks} == {
        "fct_sentences.sentence_text",
        "fct_aid_pledge_mentions.sentence_text",
        "fct_claims.content",
    }


def test_none_publishes_ids_and_offsets_only(runs):
    warehouse, out = runs
    full, none = out["full"][1], out["none"][1]
    assert all(text is None for _, text, _, _ in none["articles"])
    for (aid, _, title, source), (aid_full, _, title_full, _) in zip(
        none["articles"], full["articles"], strict=True
    ):
        assert aid == aid_full
        # a header's or side file's title is provenance; a first sentence is the article's text
        assert title == (None if source == "first_sentence" else title_full)
    assert all(s[4] is None for s in none["sentences"])
    assert [s[:4] for s in none["sentences"]] == [s[:4] for s in full["sentences"]]
    assert none["mentions"] == full["mentions"]  # ids, offsets and names stay
    assert [c[0] for c in none["claims"]] == [c[0] for c in full["claims"]]
    assert all(c[1] is None for c in none["claims"])
    assert [c[2:] for c in none["claims"]] == [c[2:] for c in full["claims"]]
    assert all(p[1] is None for p in none["pledge_mentions"])


def test_under_none_no_published_column_holds_a_piece_of_an_article(runs):
    """The guard over every text column of the file, including columns added later: a new
    column of prose must be listed in transforms/text_policy.py. The same guard finds the text
    under `full`, so it can fail."""
    warehouse, out = runs
    lake = warehouse / "lake"
    assert article_text_in_columns(out["full"][2], lake, 80)
    assert article_text_in_columns(out["none"][2], lake, 80) == []
