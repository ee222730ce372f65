{{ config(meta={"dagster": {"ref": {"name": "mart_aid_pledge_summary"}}}) }}
-- Issue 17: a total across stages must never add a pledge to its own allocation or delivery.
-- Every package has exactly one latest stage; a link joins two stages of one package, the
-- later superseding an earlier one, never a running total; and per donor
-- and recipient, package_total_usd summed over the summary's stages equals one amount per
-- package (its latest stage's). Rows returned are violations.
with p as (
    select * from {{ ref('fct_aid_pledges') }}
),

stage_rank as (
    select * from (values ('pledged', 0), ('allocated', 1), ('delivered', 2)) as t(stage, rnk)
),

bad_latest as (
    select package_id as id, 'package without exactly one latest stage' as problem
    from p
    group by package_id
    having count(*) filter (where is_latest_stage) <> 1
),

bad_link as (
    select later.pledge_id as id, 'supersedes a pledge of another package or party or stage' as problem
    from p as later
    inner join p as earlier on earlier.pledge_id = later.supersedes_pledge_id
    left join stage_rank as rl on rl.stage = later.stage
    left join stage_rank as re on re.stage = earlier.stage
    where later.package_id <> earlier.package_id
        or earlier.is_latest_stage
        or later.is_cumulative or earlier.is_cumulative
        or rl.rnk is null or re.rnk is null or rl.rnk <= re.rnk
),

per_package as (
    select donor_iso3, recipient_iso3, sum(amount_usd) as usd
    from p
    where is_latest_stage and not is_cumulative
    group by all
),

per_summary as (
    select donor_iso3, recipient_iso3, sum(package_total_usd) as usd
    from {{ ref('mart_aid_pledge_summary') }}
    group by all
),

bad_sum as (
    select coalesce(a.donor_iso3, b.donor_iso3) as id, 'package totals differ from one amount per package' as problem
    from per_package as a
    full outer join per_summary as b
        on a.donor_iso3 is not distinct from b.donor_iso3
        and a.recipient_iso3 is not distinct from b.recipient_iso3
    where abs(coalesce(a.usd, 0) - coalesce(b.usd, 0)) > 0.5
)

select * from bad_latest
union all
select * from bad_link
union all
select * from bad_sum
