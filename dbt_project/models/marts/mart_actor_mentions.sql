-- Mentions per resolved actor per publication day.
select
    m.actor_id,
    a.canonical_name,
    a.country_iso3,
    d.published_date,
    count(*) as n_mentions,
    count(distinct m.article_id) as n_articles
from {{ ref('fct_entity_mentions') }} as m
inner join {{ ref('dim_actors') }} as a using (actor_id)
inner join {{ ref('dim_articles') }} as d using (article_id)
group by all
