-- One row per aid pledge, counted once across the articles that report it
-- (clusters of transforms/extract/cluster.py). Countries come from the resolved actors of the
-- member mentions when there are any, else from the extractor's own resolution (the most
-- frequent one; a tie goes to the smallest id: `mode(x order by x)`, see fct_events.sql).
-- amount_usd: the text's own conversion when given, else USD amounts as they are, else the
-- amount at the annual-average rate of the pledge's year (seed exchange_rates_usd; the last
-- year on file for later dates).
with pledges as (
    select * from {{ ref('stg_aid_pledges') }}
),

member_actors as (
    select
        mb.pledge_id,
        mode(m.donor_actor_id order by m.donor_actor_id) as donor_actor_id,
        mode(m.donor_country_iso3 order by m.donor_country_iso3) as donor_country_iso3,
        mode(m.recipient_actor_id order by m.recipient_actor_id) as recipient_actor_id,
        mode(m.recipient_country_iso3 order by m.recipient_country_iso3) as recipient_country_iso3,
        count(distinct m.article_id) as n_articles_current
    from {{ ref('stg_aid_pledge_members') }} as mb
    inner join {{ ref('int_aid_pledge_mention_actors') }} as m using (pledge_mention_id)
    group by mb.pledge_id
),

rates as (
    select currency, year, usd_per_unit from {{ ref('exchange_rates_usd') }}
),

priced as (
    -- the rate of the pledge's year; the nearest earlier year on file, else the earliest one
    select p.pledge_id, r.usd_per_unit, r.year as rate_year
    from pledges as p
    inner join rates as r on r.currency = p.currency
    qualify row_number() over (
        partition by p.pledge_id
        order by
            case
                when r.year <= year(p.announced_date) then year(p.announced_date) - r.year
                else 1000 + r.year - year(p.announced_date)
            end
    ) = 1
)

select
    p.pledge_id,
    coalesce(
        case when a.donor_country_iso3 is not null then c_d.name end, p.donor_name
    ) as donor_name,
    coalesce(a.donor_country_iso3, p.donor_iso3) as donor_iso3,
    a.donor_actor_id,
    coalesce(
        case when a.recipient_country_iso3 is not null then c_r.name end, p.recipient_name
    ) as recipient_name,
    coalesce(a.recipient_country_iso3, p.recipient_iso3) as recipient_iso3,
    a.recipient_actor_id,
    p.amount,
    p.currency,
    case
        when p.amount_usd_stated is not null then p.amount_usd_stated
        when p.currency = 'USD' then p.amount
        when x.usd_per_unit is not null then round(p.amount * x.usd_per_unit, 0)
    end as amount_usd,
    case
        when p.amount_usd_stated is not null then 'stated_in_text'
        when p.currency = 'USD' then 'usd_amount'
        when x.usd_per_unit is not null then 'annual_average_rate_' || x.rate_year
        when p.amount is not null then 'no_rate_for_currency'
    end as amount_usd_method,
    p.aid_type,
    p.stage,
    p.announced_date,
    p.date_precision,
    coalesce(a.n_articles_current, p.n_articles) as n_articles,
    p.n_mentions,
    p.cluster_reason,
    p.confidence
from pledges as p
inner join member_actors as a using (pledge_id)
left join priced as x using (pledge_id)
left join {{ ref('dim_countries') }} as c_d on c_d.iso3 = a.donor_country_iso3
left join {{ ref('dim_countries') }} as c_r on c_r.iso3 = a.recipient_country_iso3
