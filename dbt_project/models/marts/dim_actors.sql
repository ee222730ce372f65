with mentions as (
    select
        actor_id,
        count(*) as n_mentions,
        count(distinct article_id) as n_articles,
        avg(confidence) as confidence
    from {{ ref('fct_entity_mentions') }}
    where actor_id is not null
    group by actor_id
)

select
    a.actor_id,
    a.canonical_name,
    a.actor_type,
    a.country_iso3,
    a.sector,
    a.country_source,
    coalesce(m.n_mentions, 0) as n_mentions,
    coalesce(m.n_articles, 0) as n_articles,
    m.confidence,
    a.resolver_version
from {{ ref('stg_actors') }} as a
left join mentions as m using (actor_id)
