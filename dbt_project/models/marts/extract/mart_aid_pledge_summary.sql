-- Aid by donor, recipient, type, stage and month: what an analyst opens first.
-- Amounts are summed over pledges (each counted once); articles are counted separately so a
-- pledge reported twice does not count its amount twice.
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
        sum(amount_usd) as total_usd,
        count(*) as n_pledges,
        sum(amount_eur) as total_eur
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
    t.total_eur
from totals as t
left join articles as a
    on t.donor_iso3 is not distinct from a.donor_iso3
    and t.recipient_iso3 is not distinct from a.recipient_iso3
    and t.aid_type = a.aid_type
    and t.stage = a.stage
    and t.month = a.month
