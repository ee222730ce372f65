-- Pairs of resolved actors mentioned in the same article, per publication day
-- (actor_id_a < actor_id_b, so each pair appears once). Incremental by pair and day
-- (macros/incremental_by_pair.sql): a rerun rebuilds only the pairs of the articles that changed.
-- Built after fct_claims, never beside it: on a full build both are the largest queries, and the
-- two together passed the 500 MB DuckDB memory limit at 21,000 articles (profiles.yml).
-- depends_on: {{ ref('fct_claims') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_pairs_to_build(ref('int_article_actors')) }}",
        "{{ delete_pairs_to_build() }}",
    ],
    post_hook="{{ record_built_articles(ref('int_article_actors')) }}",
) }}

with
{%- if has_built_articles() %}
groups as (
    select actor_id_a, actor_id_b, published_date from {{ pairs_built_relation() }}
),

group_actors as (
    select actor_id_a as actor_id, published_date from groups
    union
    select actor_id_b, published_date from groups
),
{%- endif %}

article_actors as (
    select i.article_id, i.actor_id, i.published_date, i.min_confidence as confidence,
        i.resolver_version
    from {{ ref('int_article_actors') }} as i
    {%- if has_built_articles() %}
    where exists (
        select 1 from group_actors as g
        where g.actor_id = i.actor_id and g.published_date = i.published_date
    )
    {%- endif %}
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
{%- if has_built_articles() %}
inner join groups as g
    on g.actor_id_a = a.actor_id
    and g.actor_id_b = b.actor_id
    and g.published_date = a.published_date
{%- endif %}
group by all
