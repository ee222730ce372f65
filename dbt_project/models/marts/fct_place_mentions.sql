-- One row per GPE/LOC/FAC mention span of the current articles, linked to its place.
-- Incremental by article (issue 19; macros/incremental_by_fingerprint.sql): an article's rows are
-- built again when its place mention rows, or which of them fct_entity_mentions publishes, change.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ record_keys_to_build('article_id', place_mentions_fingerprints()) }}",
        "{{ delete_keys_to_build('article_id') }}",
    ],
    post_hook="{{ record_fingerprints() }}",
) }}

select
    p.article_id,
    p.sentence_index,
    p.start_char,
    p.end_char,
    p.place_id,
    p.mention_id,
    p.mention_text,
    p.confidence,
    p.geocoder_version
from {{ ref('stg_place_mentions') }} as p
inner join {{ ref('fct_entity_mentions') }} as m using (mention_id)
where {{ is_key_to_build('article_id', 'p.article_id') }}
