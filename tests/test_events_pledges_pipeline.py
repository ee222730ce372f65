"""The whole asset graph on the seed article plus two short files: pledges and events published.

The second file reports the seed article's Germany pledge in other words, two days later; the
third reports another German pledge (another amount). The Germany pledge must be counted once
with n_articles = 2, the other apart. Issue 17: a package and its delivery (a White House fact
sheet of 2022-03-16, verbatim from the labelled corpus, with two running totals in the same
sentence; and a delivery report written for this test) must be one package, counted once.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.conftest import SEED_ARTICLE
from tests.test_pipeline import materialize_all

pytestmark = pytest.mark.slow
SAME_PLEDGE = (
    " date 2024-11-06 German Foreign Minister Annalena Baerbock said on Monday that Germany will "
    "provide Ukraine with 200 million euros ($218 million) in humanitarian aid for the coming "
    "winter.\n"
)
OTHER_PLEDGE = (
    " date 2024-11-05 Germany pledged 500 million euros in military aid to Ukraine, the defense "
    "ministry in Berlin said.\n"
)
# voa_8007271 (2025-03-05), verbatim: one plan for two purposes.
EU_PLAN = (
    " date 2025-03-05 The European Union’s executive arm has proposed an $873 billion plan for "
    "rearming Europe and supporting Ukraine.\n"
)

# whitehouse:2022-03-16-fact-sheet-on-u-s-security-assistance-for-ukraine (labelled corpus, public
# domain), verbatim: a new $800 million package and two running totals ($1 billion, $2 billion).
US_PACKAGE = (
    " date 2022-03-16 President Biden today announced an additional $800 million in security "
    "assistance to Ukraine, bringing the total U.S. security assistance committed to Ukraine to $1 "
    "billion in just the past week, and a total of $2 billion since the start of the Biden "
    "Administration.\n"
)
# Written for this test: the delivery of that package, dated "last month" (month precision).
US_DELIVERY = (
    " date 2022-04-20 The United States delivered the $800 million in weapons to Ukraine that "
    "President Biden announced last month, the Pentagon said.\n"
)

CONTRACT = {
    "fct_events": [
        "event_id",
        "event_type",
        "mode",
        "actor_id",
        "recipient_actor_id",
        "actor_country_iso3",
        "recipient_country_iso3",
        "event_date",
        "date_precision",
        "place_id",
        "n_articles",
        "confidence",
    ],
    "fct_event_mentions": [
        "event_id",
        "article_id",
        "sentence_index",
        "start_char",
        "end_char",
        "trigger_text",
    ],
    "fct_aid_pledges": [
        "pledge_id",
        "donor_name",
        "donor_iso3",
        "recipient_name",
        "recipient_iso3",
        "amount",
        "currency",
        "amount_usd",
        "aid_type",
        "stage",
        "announced_date",
        "n_articles",
        "amount_eur",
    ],
    "fct_aid_pledge_mentions": [
        "pledge_id",
        "article_id",
        "sentence_index",
        "sentence_text",
        "start_char",
        "end_char",
    ],
    "mart_aid_pledge_summary": [
        "donor_iso3",
        "recipient_iso3",
        "aid_type",
        "stage",
        "month",
        "total_usd",
        "n_pledges",
        "n_articles",
        "total_eur",
    ],
    "mart_actor_interactions": [
        "actor_id",
        "recipient_actor_id",
        "event_type",
        "month",
        "n_events",
        "n_articles",
    ],
}


@pytest.fixture(scope="module")
def published(tmp_path_factory, dbt_manifest):
    folder = tmp_path_factory.mktemp("input")
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    (folder / "baerbock_again.txt").write_text(SAME_PLEDGE, encoding="utf-8")
    (folder / "military_aid.txt").write_text(OTHER_PLEDGE, encoding="utf-8")
    (folder / "eu_plan.txt").write_text(EU_PLAN, encoding="utf-8")
    (folder / "us_package.txt").write_text(US_PACKAGE, encoding="utf-8")
    (folder / "us_delivery.txt").write_text(US_DELIVERY, encoding="utf-8")
    warehouse = tmp_path_factory.mktemp("warehouse")
    result = materialize_all(folder, warehouse)
    assert result.success
    failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert failed == []
    return warehouse / "analytics.duckdb"


def q(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_contract_columns(published):
    for table, columns in CONTRACT.items():
        have = [r[0] for r in q(published, f"describe {table}")]
        assert columns == [c for c in have if c in columns], table


def test_same_pledge_in_two_files_is_counted_once(published):
    rows = q(
        published,
        "select pledge_id, amount, currency, amount_usd, amount_usd_method, aid_type, "
        "announced_date, n_articles, cluster_reason from fct_aid_pledges "
        "where donor_iso3 = 'DEU' and recipient_iso3 = 'UKR' and stage = 'pledged' order by amount",
    )
    assert len(rows) == 2
    (pid, amount, cur, usd, method, aid_type, day, n_articles, reason), other = rows
    assert (amount, cur, usd, method) == (200e6, "EUR", 218e6, "stated_in_text")
    assert (aid_type, day.isoformat(), n_articles) == ("humanitarian", "2024-11-04", 2)
    assert "2 articles" in reason
    mentions = q(
        published,
        f"select article_id, sentence_text from fct_aid_pledge_mentions where pledge_id = '{pid}'",
    )
    assert len({a for a, _ in mentions}) == 2
    assert all("200 million euros" in s for _, s in mentions)
    # the other pledge: no stated conversion, so the ECB reference rate of its date
    # (2024-11-05: 1.0897 USD per EUR, ECB euro foreign exchange reference rates)
    assert other[1:5] == (500e6, "EUR", round(500e6 * 1.0897), "ecb_reference_rate")
    assert other[5] == "military" and other[7] == 1
    euros = q(
        published,
        "select amount, amount_eur, amount_eur_method, rate_date, amount_high from fct_aid_pledges "
        "where donor_iso3 = 'DEU' and recipient_iso3 = 'UKR' and stage = 'pledged' order by amount",
    )
    # EUR amounts stay as stated; the stated-USD pledge used no rate, the other the 5 November fixing
    assert [(a, e, m) for a, e, m, _, _ in euros] == [
        (200e6, 200e6, "eur_amount"),
        (500e6, 500e6, "eur_amount"),
    ]
    assert [d and d.isoformat() for _, _, _, d, _ in euros] == [None, "2024-11-05"]
    assert [h for *_, h in euros] == [None, None]
    totals = q(
        published,
        "select sum(total_usd), sum(total_eur) from mart_aid_pledge_summary "
        "where donor_iso3 = 'DEU' and recipient_iso3 = 'UKR' and stage = 'pledged'",
    )
    assert totals == [(218e6 + round(500e6 * 1.0897), 700e6)]


def test_a_plan_for_two_purposes_is_not_aid_to_one_of_them(published):
    """The EU's $873 billion plan "for rearming Europe and supporting Ukraine" goes to both
    together: the joint recipient keeps no ISO3, so it never counts as $873 billion to Ukraine
    (the group takes no actor from the "Ukraine" mention its words contain)."""
    rows = q(
        published,
        "select donor_name, recipient_name, recipient_iso3, amount_usd, aid_type, stage "
        "from fct_aid_pledges where amount = 873e9",
    )
    assert rows == [
        ("European Union", "EU member states and Ukraine", None, 873e9, "military", "pledged")
    ]
    # a USD amount in euros at the ECB fixing of its date (2025-03-05: 1.0694 USD per EUR)
    eur = q(
        published,
        "select amount_eur, amount_eur_method, rate_date, amount_usd_method from fct_aid_pledges "
        "where amount = 873e9",
    )
    ((amount_eur, method, rate_day, usd_method),) = eur
    assert amount_eur == pytest.approx(873e9 / 1.0694, abs=1)
    assert (method, rate_day.isoformat(), usd_method) == (
        "ecb_reference_rate",
        "2025-03-05",
        "usd_amount",
    )
    to_ukraine = q(
        published,
        "select coalesce(sum(total_usd), 0) from mart_aid_pledge_summary "
        "where recipient_iso3 = 'UKR' and month = '2025-03-01'",
    )
    assert to_ukraine == [(0,)]


def test_seed_article_weapons_delivered_and_denied(published):
    rows = set(
        q(
            published,
            "select donor_iso3, recipient_iso3, aid_type, stage, n_articles from fct_aid_pledges "
            "where donor_iso3 = 'PRK'",
        )
    )
    assert rows == {
        ("PRK", "RUS", "military", "delivered", 1),
        ("PRK", "RUS", "military", "denied", 1),
    }
    summary = q(
        published,
        "select total_usd, n_pledges, n_articles from mart_aid_pledge_summary "
        "where donor_iso3 = 'DEU' and aid_type = 'humanitarian' and month = '2024-11-01'",
    )
    assert summary == [(218e6, 1, 2)]


def test_a_package_and_its_delivery_are_one_package_counted_once(published):
    """The $800 million announced on 16 March and delivered in April: two pledges (one per
    stage) of one package; the running totals of the same sentence are flagged and kept out of
    the package sums. Summing package_total_usd over the stages counts $800 million once (the
    stage totals, total_usd, would add the pledge to its own delivery: $1.6 billion)."""
    rows = q(
        published,
        "select pledge_id, amount, stage, is_cumulative, package_id, supersedes_pledge_id, "
        "is_latest_stage from fct_aid_pledges where donor_iso3 = 'USA' and recipient_iso3 = 'UKR' "
        "order by is_cumulative, amount, stage",
    )
    new = [r for r in rows if not r[3]]
    assert [(r[1], r[2]) for r in new] == [(800e6, "delivered"), (800e6, "pledged")]
    (delivered, pledged) = new
    assert delivered[4] == pledged[4] == pledged[0]  # one package, named by its first stage
    assert (delivered[5], delivered[6], pledged[5], pledged[6]) == (pledged[0], True, None, False)
    assert sorted(r[1] for r in rows if r[3]) == [1e9, 2e9]
    reason = q(
        published, f"select package_reason from fct_aid_pledges where pledge_id = '{delivered[0]}'"
    )[0][0]
    assert "delivered stage of the pledged pledge" in reason
    mentions = q(
        published,
        "select m.amount, m.is_cumulative, m.cumulative_cue from fct_aid_pledge_mentions m "
        "join fct_aid_pledges p using (pledge_id) where p.donor_iso3 = 'USA' order by m.amount",
    )
    assert [(a, c) for a, c, _ in mentions] == [
        (800e6, False),
        (800e6, False),
        (1e9, True),
        (2e9, True),
    ]
    assert mentions[2][2] == "bringing the total"
    summary = q(
        published,
        "select sum(package_total_usd), sum(total_usd), sum(n_packages), "
        "max(cumulative_max_usd), sum(n_cumulative) from mart_aid_pledge_summary "
        "where donor_iso3 = 'USA' and recipient_iso3 = 'UKR'",
    )
    assert summary == [(800e6, 1600e6, 2, 2e9, 2)]


def test_seed_article_events(published):
    """What the learned event path finds in the seed article, through dbt to the published file.
    (Misses that are known and reported in README: the lead "Putin met Choe" is not found,
    "preparing to join the fight" is typed COOPERATE instead of MOBILIZE, and since the trigger
    classifier retrained in session 10 (threshold 0.1 on the dev fold) "he met youth volunteers"
    is not found either, where Putin's CONSULT was before.)"""
    events = set(
        q(
            published,
            "select event_type, actor_country_iso3, recipient_country_iso3 from fct_events",
        )
    )
    assert {
        ("ACCUSE", "USA", "RUS"),
        ("ACCUSE", "USA", "CHN"),
        ("DISAPPROVE", "KOR", "PRK"),
        ("DEMAND", "KOR", "PRK"),
    } <= events
    # the seed's Putin is resolved as the actor of what the classifier finds him doing
    putin = q(
        published,
        "select distinct e.event_type from fct_events e join dim_actors a on a.actor_id = e.actor_id "
        "where e.actor_id = 'person:vladimir-putin' and a.canonical_name = 'Vladimir Putin'",
    )
    assert putin
    methods = q(published, "select distinct method from fct_event_mentions")
    assert methods == [("learned+rules",)] or not methods
    interactions = q(
        published,
        "select n_events, n_articles from mart_actor_interactions "
        "where actor_id = 'country:USA' and recipient_actor_id = 'country:RUS' and event_type = 'ACCUSE'",
    )
    assert interactions == [(1, 1)]


def test_each_party_country_says_where_it_came_from(published):
    """Issue 16: a party's country in an event or pledge mention carries its evidence: whose it
    is (the resolved actor's or the extractor's), how the extractor found it and, where the
    learned chooser decided, its probability."""
    parties = q(
        published,
        """
        select 'actor', actor_text, actor_country_iso3, actor_country_source,
            actor_country_reason, actor_country_confidence from fct_event_mentions
        union all
        select 'recipient', recipient_text, recipient_country_iso3, recipient_country_source,
            recipient_country_reason, recipient_country_confidence from fct_event_mentions
        where recipient_text is not null
        union all
        select 'donor', donor_text, donor_country_iso3, donor_country_source,
            donor_country_reason, donor_country_confidence from fct_aid_pledge_mentions
        """,
    )
    assert len(parties) > 20
    for role, text, iso3, source, reason, confidence in parties:
        assert (source is None) == (iso3 is None), (role, text)
        if source == "extractor":
            assert reason is not None, (role, text)
        if reason is not None and reason.startswith("chooser:"):
            assert 0 < confidence <= 1, (role, text, confidence)
        else:
            assert confidence is None, (role, text, reason)
    assert {r[3] for r in parties} >= {"actor", "extractor"}
    # a country named by the mention itself ("Germany pledged ...") is the mention's own reading
    germany = [r for r in parties if r[0] == "donor" and r[1] == "Germany"]
    assert germany and all(r[2:5] == ("DEU", "actor", "mention") for r in germany)


def test_every_date_is_a_period_that_fits_its_precision(published):
    """event_date / announced_date start the period the text's date expression denotes and
    event_date_end / announced_date_end end it (dates.ResolvedDate.last_day): a day is itself, a
    week at most 7 days, a month within its month, a year (a decade) from its first day; a
    window back ("the past three months") ends on the article's publication date."""
    rows = q(
        published,
        "select m.event_date, m.event_date_end, m.date_precision, m.date_method, a.published_date "
        "from fct_event_mentions m join dim_articles a using (article_id) "
        "union all select m.announced_date, m.announced_date_end, m.date_precision, "
        "m.date_method, a.published_date "
        "from fct_aid_pledge_mentions m join dim_articles a using (article_id)",
    )
    assert rows and {"day", "month"} <= {r[2] for r in rows}
    for start, end, precision, method, published_date in rows:
        assert start <= end, method
        if method.endswith("window") or end == published_date and start < end:
            continue  # a window back or a period so far: to the publication date
        if precision == "day":
            assert end == start, method
        elif precision == "week":
            assert (end - start).days <= 6, method
        elif precision == "month":
            assert (end.year, end.month) == (start.year, start.month), method
        else:
            assert precision == "year" and start.month in (1, 5, 9), method
            assert (end - start).days < 3660, method
