-- The per-article part of fct_entity_mentions (spaCy spans; no actor links, which change when
-- actors are re-resolved), kept incrementally by article (macros/incremental_by_article.sql),
-- read from the lake directly (macros/current_nlp_rows.sql) so that only new articles are ranked.
-- Mentions whose offsets do not cut their text out of the article are set aside here, for
-- fct_entity_mentions and everything built on the mentions (macros/quarantine_rules.sql:
-- intermediate.int_entity_mentions__quarantined, listed in quarantined_rows).
-- depends_on: {{ ref('stg_articles') }}, {{ source('lake', 'entity_mentions') }} (the pre_hook's)
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='article_id',
    on_schema_change='fail',
    pre_hook=[
        "{{ delete_stale_article_rows('entity_mentions') }}",
        "{{ delete_quarantined_article_rows() }}",
        "{{ record_articles_to_build('entity_mentions') }}",
        "{{ record_quarantined_rows(quarantined_entity_mentions()) }}",
    ],
) }}

-- Entity mentions of the articles still in the input snapshot, newest extractor version only
-- (older parts keep spans the new rules changed), of the articles not built yet.
with m as (
    {{ current_nlp_rows('entity_mentions', 'src.mention_id', where=articles_to_build_filter('src')) }}
)

select m.mention_id, m.article_id, m.sentence_index, m.start_char, m.end_char, m.mention_text,
    m.entity_label, m.extractor_version
from m
where {{ not_quarantined('m.mention_id', 'fct_entity_mentions', quarantine_relation()) }}
