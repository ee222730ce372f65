-- Mentions per resolved actor per publication day, without the actor's names (dim_actors is
-- cross-article and may change on any run: mart_actor_mentions joins it). Incremental by day.
-- depends_on: {{ ref('int_article_actors') }} (the hooks')
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

-- in a fixed order: fct_entity_mentions keeps the order of the runs that built it, and a
-- float average depends on the order of its terms (one DuckDB thread: the aggregate takes the
-- rows in the order the sort gives them)
with m as (
    select m.actor_id, d.published_date, m.article_id, m.confidence, m.resolver_version
    from {{ ref('int_entity_mention_actors') }} as m
    inner join {{ ref('stg_articles') }} as d using (article_id)
    where m.actor_id is not null
        and {{ is_day_to_build(ref('int_article_actors'), 'd.published_date') }}
    order by m.article_id, m.start_char, m.end_char, m.mention_id
)

select
    actor_id,
    published_date,
    count(*) as n_mentions,
    count(distinct article_id) as n_articles,
    avg(confidence) as mean_confidence,
    max(resolver_version) as resolver_version
from m
group by actor_id, published_date
