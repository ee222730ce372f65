{#- Rows of an NLP lake table (one part per batch, written by transforms/nlp/run.py) for the
    articles still in the input snapshot, from the newest extractor version that parsed each
    article, once per `unique_key` even if a part was ever written twice. Shared by the staging
    models of every table in DOC_TABLES. -#}
{% macro current_nlp_rows(table, unique_key) %}
select src.*
from {{ source('lake', table) }} as src
inner join {{ ref('stg_articles') }} as current_articles using (article_id)
qualify src.extractor_version = max(src.extractor_version) over (partition by src.article_id)
    and row_number() over (partition by {{ unique_key }} order by src.extractor_version desc) = 1
{% endmacro %}
