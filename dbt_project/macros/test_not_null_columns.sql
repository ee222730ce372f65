{# Generic test: none of `columns` is null. One scan of the model for all its required columns
   instead of one `not_null` test (one dbt node, one query) per column; a failing row names
   the column and how many of its values are null. #}
{% test not_null_columns(model, columns) %}
with counts as (
    select
    {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ model }}
)

select column_name, n_null
from counts
unpivot (n_null for column_name in (
    {%- for column in columns %}{{ adapter.quote(column) }}{% if not loop.last %}, {% endif %}{% endfor -%}
))
where n_null > 0
{% endtest %}
