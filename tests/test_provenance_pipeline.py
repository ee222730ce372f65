"""Provenance and event codes in the published warehouse built from all of seeds/ (issue 18)."""

from __future__ import annotations

import csv

import duckdb
import pytest

from tests.conftest import SEED_ARTICLE, SEEDS

pytestmark = pytest.mark.slow

# Public columns added by issue 18 (added, never renamed or dropped).
CONTRACT = {
    "dim_articles": ["url", "publisher", "author", "title"],
    "fct_events": ["cameo_root", "quad_class", "intensity"],
    "mart_actor_interactions": ["cameo_root", "quad_class", "sum_intensity", "avg_intensity"],
    "dim_event_codes": [
        "event_type",
        "mode",
        "cameo_root",
        "quad_class",
        "plover_score",
        "intensity_weight",
        "intensity",
        "codes_version",
    ],
}
# Every published fact table, and how it reaches dim_articles.
FACT_PATHS = {
    "fct_entity_mentions": "select article_id from fct_entity_mentions",
    "fct_place_mentions": "select article_id from fct_place_mentions",
    "fct_sentences": "select article_id from fct_sentences",
    "fct_claims": "select article_id from fct_claims",
    "fct_event_mentions": "select article_id from fct_event_mentions",
    "fct_aid_pledge_mentions": "select article_id from fct_aid_pledge_mentions",
    "fct_events": "select m.article_id from fct_events e join fct_event_mentions m using (event_id)",
    "fct_aid_pledges": (
        "select m.article_id from fct_aid_pledges p join fct_aid_pledge_mentions m using (pledge_id)"
    ),
}


@pytest.fixture(scope="module")
def con(seeds_warehouse):
    warehouse, _ = seeds_warehouse
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as c:
        yield c


def test_new_public_columns(con):
    for table, columns in CONTRACT.items():
        have = [r[0] for r in con.execute(f"describe {table}").fetchall()]
        assert set(columns) <= set(have), (table, set(columns) - set(have))


def test_dim_articles_has_the_side_files_urls_titles_and_publisher(con):
    with (SEEDS / "SOURCES.csv").open(encoding="utf-8", newline="") as fh:
        sources = {r["file"]: r for r in csv.DictReader(fh)}
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select source_path, url, title, publisher, author, title_source from dim_articles"
        ).fetchall()
    }
    assert len(rows) == 41
    for name, src in sources.items():
        assert rows[name] == (src["url"], src["title"], "Voice of America", None, "side_file")
    # the seed article: in no side file, no header: nulls, not a failure
    url, title, publisher, author, title_source = rows[SEED_ARTICLE.name]
    assert (url, publisher, author, title_source) == (None, None, None, "first_sentence")
    assert title.startswith("Russian President Vladimir Putin")


def test_every_fact_reaches_dim_articles_and_its_url(con):
    for table, sql in FACT_PATHS.items():
        n, orphans, with_url = con.execute(
            f"select count(*), count(*) filter (where a.article_id is null), count(a.url) "
            f"from ({sql}) f left join dim_articles a using (article_id)"
        ).fetchone()
        assert n > 0 and orphans == 0, table
        assert with_url > 0, table  # the VOA seeds have urls
    # the mention tables carry the url itself, equal to dim_articles'
    for table in ("fct_event_mentions", "fct_aid_pledge_mentions"):
        n, same = con.execute(
            f"select count(*), count(*) filter (where m.url is not distinct from a.url) "
            f"from {table} m join dim_articles a using (article_id)"
        ).fetchone()
        assert n > 0 and n == same, table


def test_events_carry_codes_of_their_type_and_mode(con):
    n, n_quad, n_version, mismatched = con.execute(
        """
        select count(*), count(e.quad_class), count(e.codes_version),
               count(*) filter (where e.intensity is distinct from c.plover_score * c.intensity_weight
                                or e.cameo_root is distinct from c.cameo_root
                                or e.quad_class is distinct from c.quad_class)
        from fct_events e join dim_event_codes c using (event_type, mode)
        """
    ).fetchone()
    assert n == con.execute("select count(*) from fct_events").fetchone()[0] > 100
    assert n_quad == n_version == n and mismatched == 0
    # the seed article's "the US accused Russia": ACCUSE, verbal conflict, CAMEO 11, -3.5
    row = con.execute(
        """
        select e.cameo_root, e.quad_class, e.quad_class_name, e.intensity
        from fct_events e join fct_event_mentions m using (event_id)
        join dim_articles a using (article_id)
        where a.source_path = ? and e.event_type = 'ACCUSE' and e.mode = 'asserted'
          and e.actor_country_iso3 = 'USA' and e.recipient_country_iso3 = 'RUS'
        limit 1
        """,
        [SEED_ARTICLE.name],
    ).fetchone()
    assert row == ("11", 3, "Verbal conflict", -3.5)
    # every mode's weight applies: an announced event scores half its type's score
    rows = con.execute(
        "select distinct e.event_type, e.intensity, c.plover_score from fct_events e "
        "join dim_event_codes c using (event_type, mode) where e.mode = 'announced'"
    ).fetchall()
    assert rows and all(i == pytest.approx(s * 0.5) for _, i, s in rows)


def test_actor_interactions_sum_each_event_once(con):
    mismatched = con.execute(
        """
        with per_group as (
            select actor_id, recipient_actor_id, event_type,
                   cast(date_trunc('month', event_date) as date) as month,
                   round(sum(intensity), 3) as s, count(*) as n, any_value(quad_class) as q
            from fct_events where actor_id is not null group by all
        )
        select count(*) from mart_actor_interactions i join per_group g
          on g.actor_id = i.actor_id
          and g.recipient_actor_id is not distinct from i.recipient_actor_id
          and g.event_type = i.event_type and g.month is not distinct from i.month
        where i.sum_intensity is distinct from g.s or i.n_events != g.n or i.quad_class != g.q
        """
    ).fetchone()[0]
    assert mismatched == 0
    n = con.execute("select count(*) from mart_actor_interactions").fetchone()[0]
    assert n > 0
