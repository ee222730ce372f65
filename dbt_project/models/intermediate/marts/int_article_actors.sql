-- One row per (article, resolved actor): what the day-keyed incremental marts are built from
-- (macros/incremental_by_day.sql). A table, so that comparing it with the copy recorded by a
-- mart's previous build is cheap. mentions_fingerprint changes when any mention of the actor in
-- the article comes or goes or changes its confidence.
-- Incremental by article (issue 19; macros/incremental_by_fingerprint.sql): an article's rows are
-- built again when its resolved mentions or its publication day change.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_keys_to_build('article_id', article_actors_fingerprints()) }}",
        "{{ delete_keys_to_build('article_id') }}",
    ],
    post_hook="{{ record_fingerprints() }}",
) }}

select
    m.article_id,
    d.published_date,
    m.actor_id,
    count(*) as n_mentions,
    min(m.confidence) as min_confidence,
    max(m.resolver_version) as resolver_version,
    sum(hash(m.mention_id, m.confidence)) as mentions_fingerprint
from {{ ref('int_entity_mention_actors') }} as m
inner join {{ ref('stg_articles') }} as d using (article_id)
where m.actor_id is not null
    and {{ is_key_to_build('article_id', 'm.article_id') }}
group by m.article_id, d.published_date, m.actor_id
