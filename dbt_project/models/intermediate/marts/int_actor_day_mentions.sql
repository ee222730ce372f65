-- Mentions per resolved actor per publication day, without the actor's names (dim_actors is
-- cross-article and may change on any run: mart_actor_mentions joins it). Incremental by day.
-- depends_on: {{ ref('int_article_actors') }} (the hooks')
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_days_to_build(ref('int_article_actors')) }}",
    post_hook="{{ record_built_from(ref('int_article_actors')) }}",
) }}

select
    m.actor_id,
    d.published_date,
    count(*) as n_mentions,
    count(distinct m.article_id) as n_articles,
    avg(m.confidence) as mean_confidence,
    max(m.resolver_version) as resolver_version
from {{ ref('fct_entity_mentions') }} as m
inner join {{ ref('dim_articles') }} as d using (article_id)
where m.actor_id is not null
    and {{ is_day_to_build(ref('int_article_actors'), 'd.published_date') }}
group by m.actor_id, d.published_date
