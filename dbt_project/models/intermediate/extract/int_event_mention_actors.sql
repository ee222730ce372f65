-- Each event mention with the resolved actors of its actor and recipient mentions (joined by
-- character offsets to int_entity_mention_actors); the extractor's own ISO3 is the fallback.
-- Incremental by article (issue 19; macros/incremental_by_fingerprint.sql): an article's rows
-- are built again when its event mentions (their extractor version) or the actor links and
-- actor countries of its entity mentions change; the other articles keep their rows.
-- depends_on: {{ ref('stg_articles') }}, {{ source('lake', 'event_mentions') }} (the hooks')
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_keys_to_build('article_id', event_mention_actors_fingerprints()) }}",
        "{{ delete_keys_to_build('article_id') }}",
    ],
    post_hook="{{ record_fingerprints() }}",
) }}

with mentions as (
    select * from {{ ref('stg_event_mentions') }} as p
    where {{ is_key_to_build('article_id', 'p.article_id') }}
),

entity_actors as (
    select m.article_id, m.start_char, m.end_char, m.actor_id, a.country_iso3
    from {{ ref('int_entity_mention_actors') }} as m
    inner join {{ ref('stg_actors') }} as a using (actor_id)
    where {{ is_key_to_build('article_id', 'm.article_id') }}
),

actor as (
    select p.event_mention_id, e.actor_id, e.country_iso3
    from mentions as p
    inner join entity_actors as e
        on e.article_id = p.article_id
        and e.start_char < p.actor_end_char
        and e.end_char > p.actor_start_char
    qualify row_number() over (partition by p.event_mention_id order by e.start_char) = 1
),

recipient as (
    select p.event_mention_id, e.actor_id, e.country_iso3
    from mentions as p
    inner join entity_actors as e
        on e.article_id = p.article_id
        and e.start_char < p.recipient_end_char
        and e.end_char > p.recipient_start_char
    qualify row_number() over (partition by p.event_mention_id order by e.start_char) = 1
)

select
    p.*,
    a.actor_id,
    coalesce(a.country_iso3, p.actor_iso3) as actor_country_iso3,
    {{ country_source('a.country_iso3', 'p.actor_iso3') }} as actor_country_source,
    r.actor_id as recipient_actor_id,
    coalesce(r.country_iso3, p.recipient_iso3) as recipient_country_iso3,
    {{ country_source('r.country_iso3', 'p.recipient_iso3') }} as recipient_country_source
from mentions as p
left join actor as a using (event_mention_id)
left join recipient as r using (event_mention_id)
