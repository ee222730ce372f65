-- Aid by donor, recipient, type, stage and month: what an analyst opens first.
-- Amounts are summed over pledges (each counted once); articles are counted separately so a
-- pledge reported twice does not count its amount twice.
-- Running totals (is_cumulative: "has provided more than $2 billion since 2022") are not new
-- packages: they stay out of total_usd / total_eur / package_total_*; the largest one stated in
-- the row is cumulative_max_usd / _eur (running totals overlap, so they are never summed).
-- One package per stage: n_packages counts distinct package_id. A total across stages must not
-- add a pledge to its own allocation or delivery: package_total_usd / _eur sum only the pledges
-- that are their package's latest known stage (is_latest_stage), so summing package_total_usd
-- over the stages of a donor counts each package once, at its latest stage's amount (and month).
with pledges as (
    select
        *,
        cast(date_trunc('month', announced_date) as date) as month
    from {{ ref('fct_aid_pledges') }}
),

totals as (
    select
        donor_iso3,
        recipient_iso3,
        aid_type,
        stage,
        month,
        sum(amount_usd) filter (where not is_cumulative) as total_usd,
        count(*) as n_pledges,
        sum(amount_eur) filter (where not is_cumulative) as total_eur,
        count(distinct package_id) filter (where not is_cumulative) as n_packages,
        sum(amount_usd) filter (where not is_cumulative and is_latest_stage) as package_total_usd,
        sum(amount_eur) filter (where not is_cumulative and is_latest_stage) as package_total_eur,
        count(*) filter (where is_cumulative) as n_cumulative,
        max(amount_usd) filter (where is_cumulative) as cumulative_max_usd,
        max(amount_eur) filter (where is_cumulative) as cumulative_max_eur
    from pledges
    group by all
),

articles as (
    select
        p.donor_iso3,
        p.recipient_iso3,
        p.aid_type,
        p.stage,
        p.month,
        count(distinct m.article_id) as n_articles
    from pledges as p
    inner join {{ ref('fct_aid_pledge_mentions') }} as m using (pledge_id)
    group by all
)

select
    t.donor_iso3,
    t.recipient_iso3,
    t.aid_type,
    t.stage,
    t.month,
    t.total_usd,
    t.n_pledges,
    coalesce(a.n_articles, 0) as n_articles,
    t.total_eur,
    t.n_packages,
    t.package_total_usd,
    t.package_total_eur,
    t.n_cumulative,
    t.cumulative_max_usd,
    t.cumulative_max_eur
from totals as t
left join articles as a
    on t.donor_iso3 is not distinct from a.donor_iso3
    and t.recipient_iso3 is not distinct from a.recipient_iso3
    and t.aid_type = a.aid_type
    and t.stage = a.stage
    and t.month = a.month
