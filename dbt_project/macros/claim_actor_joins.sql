{#- fct_claims: a claim's speaker and target join their actor through the entity mention at the
    claim's resolved offsets (`sm`, `tm`: the `mentions` CTE), the speaker's actor fields through
    `actors` (`sa`). One definition for both the rows built and the check of rows built before. -#}
{% macro claim_actor_joins(claim) %}
left join mentions as sm
    on sm.article_id = {{ claim }}.article_id
    and sm.start_char = {{ claim }}.speaker_start
    and sm.end_char = {{ claim }}.speaker_end
left join actors as sa on sa.actor_id = sm.actor_id
left join mentions as tm
    on tm.article_id = {{ claim }}.article_id
    and tm.start_char = {{ claim }}.target_start
    and tm.end_char = {{ claim }}.target_end
{%- endmacro %}
