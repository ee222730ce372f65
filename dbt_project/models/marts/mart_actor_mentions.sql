-- Mentions per resolved actor per publication day (counts: int_actor_day_mentions, incremental).
select
    m.actor_id,
    a.canonical_name,
    a.country_iso3,
    a.actor_type,
    m.published_date,
    m.n_mentions,
    m.n_articles,
    m.mean_confidence,
    m.resolver_version
from {{ ref('int_actor_day_mentions') }} as m
inner join {{ ref('dim_actors') }} as a using (actor_id)
