-- Questions an analyst asks the published warehouse (warehouse/analytics.duckdb).
--
-- Run one with the DuckDB CLI (read-only, so it never blocks the pipeline):
--     duckdb -readonly warehouse/analytics.duckdb -c "$(newsledger query --sql top_actors_this_month)"
-- or all of them, printed as tables:
--     newsledger query            (lists them)      newsledger query NAME
-- Each block starts with `-- name:`; `-- needs:` lists the tables it reads. tests/test_queries.py
-- runs every block on a warehouse built from seeds/, with Python duckdb and with the DuckDB CLI.

-- name: top_actors_this_month
-- question: Who was mentioned most this month?
-- needs: mart_actor_mentions, dim_articles
-- "This month" is the latest month with articles in the warehouse, so the query also answers on
-- an archive; on a live feed use date_trunc('month', current_date) instead.
with this_month as (
    select date_trunc('month', max(published_date)) as month from dim_articles
)
select
    m.canonical_name,
    m.country_iso3,
    strftime(any_value(t.month), '%Y-%m') as month,
    sum(m.n_mentions)::bigint as n_mentions,
    sum(m.n_articles)::bigint as n_articles
from mart_actor_mentions as m, this_month as t
where date_trunc('month', m.published_date) = t.month
group by m.actor_id, m.canonical_name, m.country_iso3
order by n_mentions desc, m.canonical_name
limit 10;

-- name: aid_to_ukraine_by_donor_and_type
-- question: How much aid was pledged to Ukraine, by donor and type, in USD and EUR, each pledge once?
-- needs: fct_aid_pledges
-- fct_aid_pledges holds one row per pledge however many articles report it (n_articles says
-- how many), so summing it counts each pledge once. Other stages (delivered, allocated,
-- requested, paused, denied) are separate rows: change the stage filter to see them.
-- total_eur: ECB daily reference rates of each announcement date (fct_aid_pledges.rate_date).
-- Running totals ("has provided more than $2 billion since 2022": is_cumulative) contain the
-- packages they sum and are left out. Across stages, sum only is_latest_stage rows (each package
-- once, at its latest stage), never the pledge and its own delivery.
select
    coalesce(donor_name, donor_iso3) as donor,
    donor_iso3,
    aid_type,
    count(*) as n_pledges,
    sum(n_articles)::bigint as n_reports,
    round(sum(amount_usd)) as total_usd,
    count(*) filter (where amount_usd is null) as n_without_usd_amount,
    round(sum(amount_eur)) as total_eur
from fct_aid_pledges
where recipient_iso3 = 'UKR' and stage = 'pledged' and not is_cumulative
group by all
order by total_usd desc nulls last, donor, aid_type;

-- name: who_accused_whom
-- question: Who accused whom, according to the claims?
-- needs: fct_claims, dim_actors
select
    coalesce(c.speaker_name, c.speaker_text) as accuser,
    coalesce(t.canonical_name, '(target not resolved)') as accused,
    count(*) as n_claims,
    count(distinct c.article_id) as n_articles,
    min(c.content) as example
from fct_claims as c
left join dim_actors as t on t.actor_id = c.target_actor_id
where c.stance = 'accuse'
group by all
order by n_claims desc, accuser, accused;

-- name: accusations_as_events
-- question: Who accused whom, as PLOVER ACCUSE events (actor -> recipient)?
-- needs: fct_events, dim_actors
select
    coalesce(a.canonical_name, e.actor_country_iso3) as accuser,
    coalesce(r.canonical_name, e.recipient_country_iso3) as accused,
    count(*) as n_events,
    sum(e.n_articles)::bigint as n_reports,
    min(e.event_date) as first_date
from fct_events as e
left join dim_actors as a on a.actor_id = e.actor_id
left join dim_actors as r on r.actor_id = e.recipient_actor_id
where e.event_type = 'ACCUSE'
    -- both parties known (by actor or at least by country)
    and coalesce(a.canonical_name, e.actor_country_iso3) is not null
    and coalesce(r.canonical_name, e.recipient_country_iso3) is not null
group by all
order by n_events desc, accuser, accused;

-- name: conflicting_troop_estimates
-- question: Where do sources disagree about how many troops there are?
-- needs: mart_numeric_claims, dim_articles
-- Every estimate of a troop count (same subject and unit) that at least two different speakers
-- put at different values, side by side with its article.
with troops as (
    select subject, unit, value, speaker_name, article_id, claim_id
    from mart_numeric_claims
    where (unit ilike '%troop%' or unit ilike '%soldier%') and speaker_name is not null
),

conflicted as (
    select subject, unit
    from troops
    group by subject, unit
    having count(distinct value) > 1 and count(distinct lower(speaker_name)) > 1
)

select
    t.subject,
    t.unit,
    t.value,
    t.speaker_name,
    a.published_date,
    a.title,
    t.article_id,
    t.claim_id
from troops as t
inner join conflicted using (subject, unit)
inner join dim_articles as a using (article_id)
order by t.subject, t.value, t.speaker_name;

-- name: conflict_and_cooperation_by_actor_pair
-- question: Which actor pairs cooperate or clash most, by QuadClass and PLOVER intensity?
-- needs: mart_actor_interactions, dim_actors
-- quad_class 1-2 is cooperation, 3-4 conflict (verbal, material); intensity is the PLOVER
-- conflict-cooperation score x the mode's weight (README "Event codes"), each event once.
select
    a.canonical_name as actor,
    coalesce(r.canonical_name, '(no resolved recipient)') as recipient,
    sum(i.n_events) filter (where i.quad_class in (1, 2))::bigint as n_cooperation,
    sum(i.n_events) filter (where i.quad_class in (3, 4))::bigint as n_conflict,
    round(sum(i.sum_intensity), 1) as net_intensity,
    sum(i.n_events)::bigint as n_events
from mart_actor_interactions as i
inner join dim_actors as a on a.actor_id = i.actor_id
left join dim_actors as r on r.actor_id = i.recipient_actor_id
group by all
order by n_events desc, actor, recipient
limit 20;

-- name: event_sources
-- question: Where on the web were the material conflict events reported?
-- needs: fct_events, fct_event_mentions, dim_articles
-- Every fact reaches its article: events through fct_event_mentions (which also carries the url).
select
    e.event_type,
    e.cameo_root,
    e.event_date,
    coalesce(e.actor_name, e.actor_country_iso3) as actor,
    coalesce(e.recipient_name, e.recipient_country_iso3) as recipient,
    m.trigger_text,
    a.title,
    a.publisher,
    a.url
from fct_events as e
inner join fct_event_mentions as m using (event_id)
inner join dim_articles as a on a.article_id = m.article_id
where e.quad_class = 4
order by e.event_date, e.event_type, a.url nulls last, m.start_char;
