-- Row-level rules of the data tests, each in one place: the singular test applies its rule to the
-- published mart (and must find nothing); the quarantine applies it to the lake rows first and sets
-- aside the rows that break it, so that one bad row never blocks the publish (README, "One bad row
-- never blocks the publish"). Two homes for the set-aside rows:
--   - tables rebuilt whole each run (event and pledge mentions): models/marts/quarantined_rows.sql
--     applies the rule to every lake row, and the marts filter with `not_quarantined(...)`;
--   - incremental tables (fct_sentences, int_entity_mentions for fct_entity_mentions, fct_claims):
--     each model's pre_hooks apply the rule to the articles it is about to build only
--     (`record_quarantined_rows`, into intermediate.<model>__quarantined), the model filters with
--     `not_quarantined(...)` on that record, and quarantined_rows unions the records. An article
--     with a row set aside is built again on the next run (`delete_quarantined_article_rows`), so
--     a repaired lake row gets in and a still broken one stays out, without a whole-lake scan.
-- A rule is null-safe where the test's columns are not_null-tested: an offset or a text that is
-- null cannot cut anything, and counts as broken.

-- An event mention's trigger offsets do not cut its trigger out of the article text (an offset
-- past the text cuts '' or less than the trigger).
{% macro event_trigger_offsets_broken(m, a) -%}
    substr({{ a }}.text, {{ m }}.start_char + 1, {{ m }}.end_char - {{ m }}.start_char)
    <> {{ m }}.trigger_text
{%- endmacro %}

-- A pledge mention's evidence span (its offsets in the article text) is not inside the sentence
-- it cites.
-- A sentence that is not published (set aside by its own rule) holds no evidence either.
{% macro pledge_evidence_outside_sentence(m, a, sentence_text) -%}
    coalesce(strpos({{ sentence_text }}, substr({{ a }}.text, {{ m }}.start_char + 1, {{ m }}.end_char - {{ m }}.start_char)), 0) = 0
{%- endmacro %}

-- The offsets `start`-`end` do not cut `span_text` out of the article text of `a` (null-safe:
-- a null offset or text counts as not cutting it). The rules below that compare a span with
-- the article text all use it.
{% macro span_not_in_text(a, start, end, span_text) -%}
    not coalesce(
        substr({{ a }}.text, {{ start }} + 1, {{ end }} - {{ start }}) = {{ span_text }},
        false
    )
{%- endmacro %}

-- A sentence's offsets do not cut its text out of the article text.
{% macro sentence_offsets_broken(s, a) -%}
    {{ span_not_in_text(a, s ~ '.start_char', s ~ '.end_char', s ~ '.sentence_text') }}
{%- endmacro %}

-- The key of a sentence in quarantined_rows.row_key (fct_sentences has no single-column key).
{% macro sentence_row_key(s) -%}
    ({{ s }}.article_id || ':' || {{ s }}.sentence_index)
{%- endmacro %}

-- An entity mention's offsets do not cut its mention text out of the article text.
{% macro mention_offsets_broken(m, a) -%}
    {{ span_not_in_text(a, m ~ '.start_char', m ~ '.end_char', m ~ '.mention_text') }}
{%- endmacro %}

-- A claim's content offsets do not cut its content out of the article text, or its speaker
-- offsets (when it has them) do not cut its speaker text.
{% macro claim_offsets_broken(c, a) -%}
    (
        {{ span_not_in_text(a, c ~ '.content_start', c ~ '.content_end', c ~ '.content') }}
        or {{ c }}.speaker_text is null
        or substr({{ a }}.text, {{ c }}.speaker_text_start + 1, {{ c }}.speaker_text_end - {{ c }}.speaker_text_start)
        <> {{ c }}.speaker_text
    )
{%- endmacro %}

-- The rows of `model` that quarantined_rows sets aside, as a filter on `key`.
{% macro not_quarantined(key, model, quarantine) -%}
    {{ key }} not in (
        select row_key from {{ quarantine }} where model = '{{ model }}' and row_key is not null
    )
{%- endmacro %}

{#- ---- Incremental tables: the quarantine of the articles a build writes ---- -#}

-- intermediate.<this model>__quarantined: the rows this incremental model set aside.
{% macro quarantine_relation() %}
{{- return(model_record_relation('quarantined')) -}}
{% endmacro %}

{#- pre_hook, before record_articles_to_build: the articles that had a row set aside by the last
    build lose all their rows, so that this build rebuilds them from the lake (a repaired row gets
    in; a row still broken is set aside again). They are few: this costs a handful of articles. -#}
{% macro delete_quarantined_article_rows() %}
{%- if is_incremental() and adapter.get_relation(
    database=this.database, schema='intermediate', identifier=this.identifier ~ '__quarantined'
) is not none %}
delete from {{ this }}
where article_id in (select article_id from {{ quarantine_relation() }})
{%- endif %}
{% endmacro %}

{#- pre_hook, after record_articles_to_build: intermediate.<model>__quarantined holds the lake rows
    of the articles this build writes that break the model's rule (`rows`: one of the macros
    below). Every other article was checked when it was built, and its rows have not changed since
    (an article's rows change only with its extractor version, which rebuilds it). -#}
{% macro record_quarantined_rows(rows) %}
create or replace table {{ quarantine_relation() }} as
{{ rows }}
{% endmacro %}

{#- The rows of the articles this build writes that break a rule: one select per model, the
    model's current lake rows (`lake_table`, deduplicated on `key`) joined to their article. -#}
{% macro quarantined_rows(test_name, model, alias, lake_table, key, row_key, reason, broken) %}
select
    '{{ test_name }}' as test_name,
    '{{ model }}' as model,
    {{ alias }}.article_id,
    {{ row_key }} as row_key,
    {{ reason }} as reason
from (
    {{ current_nlp_rows(lake_table, key, where=articles_to_build_filter('src')) }}
) as {{ alias }}
inner join {{ ref('stg_articles') }} as a using (article_id)
where {{ broken }}
{% endmacro %}

{% macro quarantined_sentences() %}
{%- set reason -%}
'sentence offsets ' || coalesce(s.start_char::varchar, 'null') || '-'
    || coalesce(s.end_char::varchar, 'null') || ' do not cut sentence ' || s.sentence_index
    || ' out of the article text (' || length(a.text) || ' characters)'
{%- endset -%}
{{ quarantined_rows(
    'assert_sentence_offsets_index_article_text', 'fct_sentences', 's', 'sentences',
    'src.article_id, src.sentence_index', sentence_row_key('s'), reason,
    sentence_offsets_broken('s', 'a')) }}
{% endmacro %}

{% macro quarantined_entity_mentions() %}
{%- set reason -%}
'mention offsets ' || coalesce(m.start_char::varchar, 'null') || '-'
    || coalesce(m.end_char::varchar, 'null') || ' do not cut "' || coalesce(m.mention_text, 'null')
    || '" out of the article text (' || length(a.text) || ' characters)'
{%- endset -%}
{{ quarantined_rows(
    'assert_mention_offsets_index_article_text', 'fct_entity_mentions', 'm', 'entity_mentions',
    'src.mention_id', 'm.mention_id', reason, mention_offsets_broken('m', 'a')) }}
{% endmacro %}

{% macro quarantined_claims() %}
{%- set reason -%}
'content offsets ' || coalesce(c.content_start::varchar, 'null') || '-'
    || coalesce(c.content_end::varchar, 'null') || ' or speaker offsets '
    || coalesce(c.speaker_text_start::varchar, 'null') || '-'
    || coalesce(c.speaker_text_end::varchar, 'null')
    || ' do not cut the claim''s content and speaker "' || coalesce(c.speaker_text, 'null')
    || '" out of the article text (' || length(a.text) || ' characters)'
{%- endset -%}
{{ quarantined_rows(
    'assert_claim_offsets_index_article_text', 'fct_claims', 'c', 'claims',
    'src.claim_id', 'c.claim_id', reason, claim_offsets_broken('c', 'a')) }}
{% endmacro %}
