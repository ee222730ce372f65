{#- Incremental models keyed by one column (an article, an actor, an event) whose rows of one key
    are a function of a few input rows of that key (issue 19: a +1% rerun must not rebuild the
    tables that used to rebuild whole: int_event_mention_actors, int_article_actors,
    fct_place_mentions, fct_events, mart_actor_mentions). The model passes `fingerprints`: one
    row per key of its inputs, `(<key>, fingerprint)`, the sum of a hash of every input row (and
    of every cross-article value, such as an actor's name) the key's rows are built from. Each
    build:
      - computes the fingerprints of the inputs once, into intermediate.<model>__fingerprints_next
        (`record_keys_to_build`, the first pre_hook), and the keys whose fingerprint differs from
        the one the previous build recorded (intermediate.<model>__fingerprints), or that are on
        one side only, into intermediate.<model>__<key>s_built: the keys to build, which the
        delete, the model's SQL (`is_key_to_build`) and the model's key-wise tests read;
      - deletes those keys (`delete_keys_to_build`, a pre_hook) and inserts them again from the
        model's SQL (append);
      - records the fingerprints (`record_fingerprints`, a post_hook, in the same transaction as
        the insert: a failed build keeps the previous record, and the next build redoes it).
    Without a record (a first build, a --full-refresh, a record dropped) every key is built.
    A --full-refresh build gives the same rows (tests/orchestration/test_dbt_incremental.py).
    A key whose inputs change yet keep their hash sum would be missed: a 64-bit hash collision,
    not a case to expect. -#}

{% macro fingerprints_relation() %}
{{- return(model_record_relation('fingerprints')) -}}
{% endmacro %}

{% macro fingerprints_next_relation() %}
{{- return(model_record_relation('fingerprints_next')) -}}
{% endmacro %}

{% macro keys_built_relation(key) %}
{{- return(model_record_relation(key.replace('_id', '') ~ 's_built')) -}}
{% endmacro %}

{% macro has_fingerprints() %}
{#- a dbt unit test renders the model without `this` (is_incremental() would fail) -#}
{%- if this is none or not (execute and is_incremental()) -%}
{{- return(false) -}}
{%- endif -%}
{%- set record = fingerprints_relation() -%}
{{- return(adapter.get_relation(record.database, record.schema, record.identifier) is not none) -}}
{% endmacro %}

{% macro record_keys_to_build(key, fingerprints) %}
create or replace table {{ fingerprints_next_relation() }} as {{ fingerprints }};
create or replace table {{ keys_built_relation(key) }} as
{%- if has_fingerprints() %}
select {{ key }}
from {{ fingerprints_next_relation() }} as cur
full outer join {{ fingerprints_relation() }} as rec using ({{ key }})
where cur.fingerprint is distinct from rec.fingerprint
{%- else %}
select {{ key }} from {{ fingerprints_next_relation() }}
{%- endif %}
{% endmacro %}

{#- A predicate on `column`: true for the keys to build (every key without a record). -#}
{% macro is_key_to_build(key, column) %}
{%- if has_fingerprints() -%}
{{ column }} in (select {{ key }} from {{ keys_built_relation(key) }})
{%- else -%}
true
{%- endif -%}
{% endmacro %}

{% macro delete_keys_to_build(key) %}
{%- if is_incremental() %}
delete from {{ this }} where {{ is_key_to_build(key, key) }}
{%- endif %}
{% endmacro %}

{% macro record_fingerprints() %}
create or replace table {{ fingerprints_relation() }} as
select * from {{ fingerprints_next_relation() }};
drop table {{ fingerprints_next_relation() }}
{% endmacro %}
