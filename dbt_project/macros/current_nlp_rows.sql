{#- Rows of an NLP lake table (one part per batch, written by transforms/nlp/run.py) for the
    articles still in the input snapshot, from one extractor version per article (the greatest
    string, as transforms/lake.py picks: versions end in a fingerprint, so not always the newest;
    an article has two only until a complete NLP run removes the stale part), once per
    `unique_key` even if a part was ever written twice. Shared by the staging models of every
    table in DOC_TABLES and by the incremental models (fct_sentences, int_entity_mentions),
    which pass `where` to keep only the articles they lack before the ranking: both windows
    rank rows of one article only (every unique_key holds the article's id, by construction of
    the ids in transforms/nlp/tables.py), so dropping whole articles first leaves the other
    articles' rows as they were, without ranking the whole lake each run. -#}
{% macro current_nlp_rows(table, unique_key, where='') %}
select src.*
from {{ source('lake', table) }} as src
inner join {{ ref('stg_articles') }} as current_articles using (article_id)
{{ where }}
qualify src.extractor_version = max(src.extractor_version) over (partition by src.article_id)
    and row_number() over (partition by {{ unique_key }} order by src.extractor_version desc) = 1
{% endmacro %}
