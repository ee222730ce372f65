{#- Incremental models keyed by article (issue 6: a rerun after adding 1% of articles must not
    rebuild every row). A row of such a model depends only on its article's rows in one NLP lake
    table, and all of an article's rows come from one extractor version. So:
      - before the insert, `delete_stale_article_rows` deletes the rows of articles that left the
        input snapshot and of articles whose newest extractor version changed (re-parsed);
      - the model then selects only `articles_not_in_this()`: new, re-parsed or never-built
        articles (those with no rows cost a probe each run, not a wrong result); a model that
        reads the lake records them first (`record_articles_to_build`) and selects
        `articles_to_build_filter()`, the same articles.
    Anything joined from outside the article (actor ids, places, clusters) must stay out of these
    models: it is joined in the table models above them, rebuilt in full each run.
    `record_articles_to_build` (a pre_hook after the delete) writes the articles the build inserts
    to intermediate.<model>__articles_built (every current article without {{ this }}): the
    per-article data tests read it to test only the rows this build wrote (the other rows were
    tested when they were built, and nothing they are tested against has changed since).
    A --full-refresh build gives the same rows (tests/orchestration/test_dbt_incremental.py). -#}

{% macro current_article_versions(table) %}
select src.article_id, max(src.extractor_version) as extractor_version
from {{ source('lake', table) }} as src
inner join {{ ref('stg_articles') }} as current_articles using (article_id)
group by src.article_id
{% endmacro %}

{% macro delete_stale_article_rows(table) %}
{%- if is_incremental() %}
delete from {{ this }} as t
where not exists (
    select 1
    from ({{ current_article_versions(table) }}) as cur
    where cur.article_id = t.article_id and cur.extractor_version = t.extractor_version
)
{%- endif %}
{% endmacro %}

{% macro articles_not_in_this(alias) %}
{%- if is_incremental() %}
where not exists (
    select 1 from (select distinct article_id from {{ this }}) as t
    where t.article_id = {{ alias }}.article_id
)
{%- endif %}
{% endmacro %}

{% macro articles_built_relation() %}
{{- return(model_record_relation('articles_built')) -}}
{% endmacro %}

{% macro record_articles_to_build(table) %}
create or replace table {{ articles_built_relation() }} as
select cur.article_id
from ({{ current_article_versions(table) }}) as cur
{{ articles_not_in_this('cur') }}
{% endmacro %}

{#- The lake rows of the articles `record_articles_to_build` recorded (a `where` for
    current_nlp_rows): the same articles as `articles_not_in_this`, read from the recorded ids
    (one row per article) rather than by an anti join of the lake's rows with {{ this }}, which
    DuckDB may build its hash table on the lake side of: at 100,000 articles a +1% build of
    int_entity_mentions held all 4.3 million mention rows and failed under a 1,250 MB memory
    limit (session 22, benchmarks/warehouse_scale.py). -#}
{% macro articles_to_build_filter(alias) -%}
where {{ alias }}.article_id in (select article_id from {{ articles_built_relation() }})
{%- endmacro %}
