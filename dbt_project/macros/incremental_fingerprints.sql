{#- The `fingerprints` of the models kept by macros/incremental_by_fingerprint.sql: one row per
    key, the sum of a hash of every input value the key's rows are built from. Each model names
    the relations read here in a `depends_on` comment (hooks add no dependency of their own). -#}

{#- int_event_mention_actors, by article: its event mentions are those of its newest extractor
    version (the rows of one version never change); its entity mentions' offsets, actor links and
    the actors' countries. -#}
{% macro event_mention_actors_fingerprints() %}
select article_id, sum(h) as fingerprint
from (
    select v.article_id, hash(v.article_id, v.extractor_version) as h
    from ({{ current_article_versions('event_mentions') }}) as v
    union all
    select m.article_id, hash(m.mention_id, m.start_char, m.end_char, m.actor_id, a.country_iso3)
    from {{ ref('int_entity_mention_actors') }} as m
    inner join {{ ref('stg_actors') }} as a using (actor_id)
)
group by article_id
{% endmacro %}

{#- int_article_actors, by article: its resolved mentions and its publication day. -#}
{% macro article_actors_fingerprints() %}
select m.article_id,
    sum(hash(m.mention_id, m.actor_id, m.confidence, m.resolver_version, d.published_date))
    as fingerprint
from {{ ref('int_entity_mention_actors') }} as m
inner join {{ ref('stg_articles') }} as d using (article_id)
where m.actor_id is not null
group by m.article_id
{% endmacro %}

{#- fct_place_mentions, by article: its place mention rows whose entity mention is published. -#}
{% macro place_mentions_fingerprints() %}
select p.article_id, sum(hash(p)) as fingerprint
from {{ ref('stg_place_mentions') }} as p
where p.mention_id in (select mention_id from {{ ref('fct_entity_mentions') }})
group by p.article_id
{% endmacro %}

{#- mart_actor_mentions, by actor: its rows of int_actor_day_mentions, its names, country and
    type in dim_actors. -#}
{% macro actor_mentions_fingerprints() %}
select m.actor_id,
    sum(hash(m)) + any_value(hash(a.canonical_name, a.country_iso3, a.actor_type)) as fingerprint
from {{ ref('int_actor_day_mentions') }} as m
inner join {{ ref('dim_actors') }} as a using (actor_id)
group by m.actor_id
{% endmacro %}

{#- fct_events, by event: its cluster row, its dim_event_codes row, its members (with whether
    quarantined_rows sets them aside), their actors (int_event_mention_actors), and the place
    mentions of their articles (fct_place_mentions, one hash per article). -#}
{% macro events_fingerprints() %}
with members as (
    select
        mb.event_id,
        m.article_id,
        hash(
            mb.event_mention_id, m.article_id, m.actor_id, m.actor_country_iso3,
            m.recipient_actor_id, m.recipient_country_iso3, m.place_start_char, m.place_end_char,
            {{ not_quarantined('m.event_mention_id', 'fct_event_mentions', ref('quarantined_rows')) }}
        ) as h
    from {{ ref('stg_event_members') }} as mb
    left join {{ ref('int_event_mention_actors') }} as m using (event_mention_id)
),

article_places as (
    select article_id, sum(hash(start_char, end_char, place_id)) as h
    from {{ ref('fct_place_mentions') }}
    group by article_id
),

parts as (
    select event_id, h from members
    union all
    select ea.event_id, hash(ea.article_id, p.h)
    from (select distinct event_id, article_id from members) as ea
    inner join article_places as p using (article_id)
    union all
    select e.event_id, hash(e, c)
    from {{ ref('stg_events') }} as e
    left join {{ ref('dim_event_codes') }} as c
        on c.event_type = e.event_type and c.mode = e.mode
)

select event_id, sum(h) as fingerprint
from parts
group by event_id
{% endmacro %}
