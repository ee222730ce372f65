-- Incremental by article (macros/incremental_by_article.sql): rows of unchanged articles stay.
-- Sentences whose offsets do not cut their text out of the article are set aside
-- (macros/quarantine_rules.sql: intermediate.fct_sentences__quarantined, listed in quarantined_rows).
-- depends_on: {{ ref('stg_articles') }}, {{ source('lake', 'sentences') }} (the pre_hook's)
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='article_id',
    on_schema_change='fail',
    pre_hook=[
        "{{ delete_stale_article_rows('sentences') }}",
        "{{ delete_quarantined_article_rows() }}",
        "{{ record_articles_to_build('sentences') }}",
        "{{ record_quarantined_rows(quarantined_sentences()) }}",
    ],
) }}

-- Parser sentences of the current articles not built yet, read from the lake directly
-- (macros/current_nlp_rows.sql) so that only new articles are ranked.
with s as (
    {{ current_nlp_rows('sentences', 'src.article_id, src.sentence_index', where=articles_to_build_filter('src')) }}
)

select s.article_id, s.sentence_index, s.start_char, s.end_char, s.sentence_text,
    s.extractor_version
from s
where {{ not_quarantined(sentence_row_key('s'), 'fct_sentences', quarantine_relation()) }}
