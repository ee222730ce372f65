{#- The most frequent non-null value of `column` per `key` over the rows of `rows` (a CTE or
    relation), a tie going to the smallest value; null when the key has no non-null value (so
    `left join` it to the keys). The same result as DuckDB's `mode(column order by column)`, which
    the marts used before: that ordered aggregate holds every row of every group in memory and
    cannot spill; at 100,000 articles fct_events needed ~700 MB for it and failed under a 1.5 GB
    memory limit (benchmarks/warehouse_scale.py). Here two hash aggregates, which spill: counts
    per (key, value), then per key the value of the greatest count, then the smallest value
    (arg_min over (-count, value)). Used as
    `left join {{ most_frequent('member_rows', 'event_id', 'actor_id') }} using (event_id)`. -#}
{% macro most_frequent(rows, key, column) %}
(
    select {{ key }}, arg_min({{ column }}, (-n, {{ column }})) as {{ column }}
    from (
        select {{ key }}, {{ column }}, count(*) as n
        from {{ rows }}
        where {{ column }} is not null
        group by {{ key }}, {{ column }}
    )
    group by {{ key }}
)
{%- endmacro %}


{#- Per `key` of `rows`: how many articles its rows come from (`n_articles_current`) and the most
    frequent value of each of `columns` (`most_frequent`); what an event or a pledge takes from
    its member mentions (fct_events, fct_aid_pledges). -#}
{% macro most_frequent_per_key(rows, key, columns) %}
select
    k.{{ key }},
    {%- for column in columns %}
    mf{{ loop.index }}.{{ column }},
    {%- endfor %}
    k.n_articles_current
from (
    select {{ key }}, count(distinct article_id) as n_articles_current
    from {{ rows }}
    group by {{ key }}
) as k
{%- for column in columns %}
left join {{ most_frequent(rows, key, column) }} as mf{{ loop.index }} using ({{ key }})
{%- endfor %}
{%- endmacro %}
