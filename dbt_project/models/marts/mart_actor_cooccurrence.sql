-- Pairs of resolved actors mentioned in the same article, per publication day
-- (actor_id_a < actor_id_b, so each pair appears once). Incremental by day
-- (macros/incremental_by_day.sql): a rerun rebuilds only the days whose articles changed.
-- Built after fct_claims, never beside it: on a full build both are the largest queries, and the
-- two together passed the 500 MB DuckDB memory limit at 21,000 articles (profiles.yml).
-- depends_on: {{ ref('fct_claims') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_days_to_build(ref('int_article_actors')) }}",
        "{{ delete_days_to_build(ref('int_article_actors')) }}",
    ],
    post_hook="{{ record_built_from(ref('int_article_actors')) }}",
) }}

with article_actors as (
    select article_id, actor_id, published_date, min_confidence as confidence, resolver_version
    from {{ ref('int_article_actors') }}
    where {{ is_day_to_build(ref('int_article_actors'), 'published_date') }}
)

select
    a.actor_id as actor_id_a,
    b.actor_id as actor_id_b,
    a.published_date,
    -- article_actors has one row per (article, actor): each article counts once per pair, so
    -- count(*) equals count(distinct article_id) without its hash set (the largest mart).
    count(*) as n_articles,
    avg(least(a.confidence, b.confidence)) as mean_confidence,
    max(a.resolver_version) as resolver_version
from article_actors as a
inner join article_actors as b
    on a.article_id = b.article_id and a.actor_id < b.actor_id
group by all
