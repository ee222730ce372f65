{#- Incremental models keyed by publication day (issue 6: a +1% rerun must not rebuild the marts
    that grow with the corpus). Such a model's rows of one `published_date` are a function of the
    rows of one small input table (`inputs`, e.g. int_article_actors) of that day only, and of
    nothing cross-article (no actor names, no clusters). So each build:
      - compares `inputs` with the copy of it recorded by the model's previous build
        (intermediate.<model>__built_from): the days whose input rows differ in any column (added,
        removed or changed) are the days to build;
      - deletes those days (`delete_days_to_build`, a pre_hook) and inserts them again from the
        model's SQL, which keeps only those days (`is_day_to_build`);
      - records `inputs` as built from (`record_built_from`, a post_hook, in the same transaction
        as the insert: a failed build keeps the previous record, and the next build redoes it).
    Without a record (a full refresh, or a record dropped) every day is built. A --full-refresh build
    gives the same rows (tests/orchestration/test_dbt_incremental.py). -#}

{% macro built_from_relation() %}
{{- return(api.Relation.create(
    database=this.database, schema='intermediate', identifier=this.identifier ~ '__built_from'
)) -}}
{% endmacro %}

{% macro has_built_from() %}
{%- set record = built_from_relation() -%}
{{- return(execute and is_incremental()
    and adapter.get_relation(record.database, record.schema, record.identifier) is not none) -}}
{% endmacro %}

{#- `inputs` has one row per key (e.g. article and actor), so set EXCEPT compares it exactly, and
    costs a fifth of EXCEPT ALL. -#}
{% macro days_to_build(inputs) %}
select distinct published_date from (
    (select * from {{ inputs }} except select * from {{ built_from_relation() }})
    union all
    (select * from {{ built_from_relation() }} except select * from {{ inputs }})
)
{% endmacro %}

{#- A predicate on `column`: true for the days to build (every day without a record). -#}
{% macro is_day_to_build(inputs, column) %}
{%- if has_built_from() -%}
{{ column }} in ({{ days_to_build(inputs) }})
{%- else -%}
true
{%- endif -%}
{% endmacro %}

{% macro delete_days_to_build(inputs) %}
{%- if is_incremental() %}
delete from {{ this }} where {{ is_day_to_build(inputs, 'published_date') }}
{%- endif %}
{% endmacro %}

{% macro record_built_from(inputs) %}
create or replace table {{ built_from_relation() }} as select * from {{ inputs }}
{% endmacro %}
