-- The per-article part of fct_entity_mentions (spaCy spans; no actor links, which change when
-- actors are re-resolved), kept incrementally by article (macros/incremental_by_article.sql).
-- depends_on: {{ ref('stg_articles') }}, {{ source('lake', 'entity_mentions') }} (the pre_hook's)
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='article_id',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_article_rows('entity_mentions') }}",
) }}

select m.mention_id, m.article_id, m.sentence_index, m.start_char, m.end_char, m.mention_text,
    m.entity_label, m.extractor_version
from {{ ref('stg_entity_mentions') }} as m
{{ articles_not_in_this('m') }}
