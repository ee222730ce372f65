{#- Where a party's country in an event or pledge mention comes from: 'actor' (the resolved
    actor's country, dim_actors.country_iso3; dim_actors.country_source says how it was found),
    'extractor' (the extractor's own for this mention: its *_country_reason and
    *_country_confidence say how and how sure), null without a country. -#}
{% macro country_source(actor_iso3, extracted_iso3) %}
    case
        when {{ actor_iso3 }} is not null then 'actor'
        when {{ extracted_iso3 }} is not null then 'extractor'
    end
{%- endmacro %}
