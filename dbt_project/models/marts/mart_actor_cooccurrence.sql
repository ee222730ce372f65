-- Pairs of resolved actors mentioned in the same article, per publication day
-- (actor_id_a < actor_id_b, so each pair appears once).
with article_actors as (
    select m.article_id, m.actor_id, d.published_date,
        min(m.confidence) as confidence, max(m.resolver_version) as resolver_version
    from {{ ref('fct_entity_mentions') }} as m
    inner join {{ ref('dim_articles') }} as d using (article_id)
    where m.actor_id is not null
    group by all
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
