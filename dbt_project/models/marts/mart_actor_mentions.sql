-- Mentions per resolved actor per publication day.
select
    m.actor_id,
    a.canonical_name,
    a.country_iso3,
    a.actor_type,
    d.published_date,
    count(*) as n_mentions,
    count(distinct m.article_id) as n_articles,
    avg(m.confidence) as mean_confidence,
    max(m.resolver_version) as resolver_version
from {{ ref('fct_entity_mentions') }} as m
inner join {{ ref('dim_actors') }} as a using (actor_id)
inner join {{ ref('dim_articles') }} as d using (article_id)
group by all
