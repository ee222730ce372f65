-- Mentions per resolved actor per publication day (counts: int_actor_day_mentions, incremental).
-- Incremental by actor (issue 19; macros/incremental_by_fingerprint.sql): an actor's rows are built
-- again when its rows of int_actor_day_mentions, or its name, country or type, change.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_keys_to_build('actor_id', actor_mentions_fingerprints()) }}",
        "{{ delete_keys_to_build('actor_id') }}",
    ],
    post_hook="{{ record_fingerprints() }}",
) }}

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
where {{ is_key_to_build('actor_id', 'm.actor_id') }}
