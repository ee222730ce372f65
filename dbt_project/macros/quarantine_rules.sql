-- Row-level rules of the data tests, each in one place: the singular test applies its rule to the
-- published mart (and must find nothing), models/marts/quarantined_rows.sql applies it to the
-- lake rows first and sets aside the rows that break it, so that one bad row never blocks the
-- publish (README, "One bad row never blocks the publish").

-- An event mention's trigger offsets do not cut its trigger out of the article text (an offset
-- past the text cuts '' or less than the trigger).
{% macro event_trigger_offsets_broken(m, a) -%}
    substr({{ a }}.text, {{ m }}.start_char + 1, {{ m }}.end_char - {{ m }}.start_char)
    <> {{ m }}.trigger_text
{%- endmacro %}

-- A pledge mention's evidence span (its offsets in the article text) is not inside the sentence
-- it cites.
{% macro pledge_evidence_outside_sentence(m, a, sentence_text) -%}
    strpos({{ sentence_text }}, substr({{ a }}.text, {{ m }}.start_char + 1, {{ m }}.end_char - {{ m }}.start_char)) = 0
{%- endmacro %}

-- The rows of `model` that quarantined_rows sets aside, as a filter on `key`.
{% macro not_quarantined(key, model, quarantine) -%}
    {{ key }} not in (select row_key from {{ quarantine }} where model = '{{ model }}')
{%- endmacro %}
