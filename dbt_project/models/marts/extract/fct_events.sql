-- One row per PLOVER event, counted once across the articles that report it
-- (clusters of transforms/extract/cluster.py). place_id is the geocoded place (dim_places) whose
-- mention overlaps the event's place span in its articles (the most frequent one across the
-- cluster's mentions); place_text holds the place as written. cameo_root, quad_class and
-- intensity come from dim_event_codes (the type's and mode's codes). The articles behind an
-- event: fct_event_mentions (article_id, url) -> dim_articles.
-- Most frequent values (macros/most_frequent.sql): a tie goes to the smallest value (plain mode()
-- takes the first value it meets, which depends on the join's row order: two builds of the same
-- lake gave other actors for ~50 of 36,000 events at 20,000 articles).
-- Incremental by event (issue 19; macros/incremental_by_fingerprint.sql): an event's row is built
-- again when its cluster row, its members, their actors or quarantine, or the place mentions of
-- their articles change.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_keys_to_build('event_id', events_fingerprints()) }}",
        "{{ delete_keys_to_build('event_id') }}",
    ],
    post_hook="{{ record_fingerprints() }}",
) }}

with events as (
    select * from {{ ref('stg_events') }} as e
    where {{ is_key_to_build('event_id', 'e.event_id') }}
),

-- the current (not quarantined) member mentions of the events this build makes, with actors
member_rows as (
    select
        mb.event_id,
        m.article_id,
        m.actor_id,
        m.actor_country_iso3,
        m.recipient_actor_id,
        m.recipient_country_iso3
    from {{ ref('stg_event_members') }} as mb
    inner join {{ ref('int_event_mention_actors') }} as m using (event_mention_id)
    -- a mention set aside (quarantined_rows) counts in no event
    where {{ not_quarantined('m.event_mention_id', 'fct_event_mentions', ref('quarantined_rows')) }}
        -- only the events this build makes (the `events` filter is not pushed into the joins)
        and {{ is_key_to_build('event_id', 'mb.event_id') }}
),

member_actors as (
    {{ most_frequent_per_key('member_rows', 'event_id', [
        'actor_id', 'actor_country_iso3', 'recipient_actor_id', 'recipient_country_iso3'
    ]) }}
),

-- the place mentions overlapping a current member mention's place span
member_place_rows as (
    select mb.event_id, p.place_id
    from {{ ref('stg_event_members') }} as mb
    inner join {{ ref('stg_event_mentions') }} as m using (event_mention_id)
    inner join {{ ref('fct_place_mentions') }} as p
        on p.article_id = m.article_id
        and p.start_char < m.place_end_char
        and p.end_char > m.place_start_char
    where {{ not_quarantined('m.event_mention_id', 'fct_event_mentions', ref('quarantined_rows')) }}
        and {{ is_key_to_build('event_id', 'mb.event_id') }}
),

member_places as {{ most_frequent('member_place_rows', 'event_id', 'place_id') }}

select
    e.event_id,
    e.event_type,
    e.mode,
    a.actor_id,
    a.recipient_actor_id,
    coalesce(a.actor_country_iso3, e.actor_iso3) as actor_country_iso3,
    coalesce(a.recipient_country_iso3, e.recipient_iso3) as recipient_country_iso3,
    e.event_date,
    e.event_date_end,
    e.date_precision,
    pl.place_id,
    e.place_text,
    e.actor_name,
    e.recipient_name,
    coalesce(a.n_articles_current, e.n_articles) as n_articles,
    e.n_mentions,
    e.cluster_reason,
    e.confidence,
    -- interoperable codes of the type and mode (dim_event_codes: seeds, versioned)
    c.cameo_root,
    c.quad_class,
    c.quad_class_name,
    c.intensity,
    c.codes_version
from events as e
inner join member_actors as a using (event_id)
left join member_places as pl using (event_id)
left join {{ ref('dim_event_codes') }} as c
    on c.event_type = e.event_type and c.mode = e.mode
