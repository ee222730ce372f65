with mentions as (
    select
        actor_id,
        count(*) as n_mentions,
        count(distinct article_id) as n_articles,
        avg(confidence) as confidence
    -- in a fixed order: fct_entity_mentions is stored in the order of the runs that built it, and
    -- a float average depends on the order of its terms (one DuckDB thread: the aggregate takes
    -- the rows in the order the sort gives them)
    from (
        select actor_id, article_id, confidence
        from {{ ref('fct_entity_mentions') }}
        where actor_id is not null
        order by article_id, start_char, end_char, mention_id
    )
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
