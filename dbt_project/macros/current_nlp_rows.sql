{#- Rows of an NLP lake table (one part per batch, written by transforms/nlp/run.py) for the
    articles still in the input snapshot, from one extractor version per article (the greatest
    string, as transforms/lake.py picks: versions end in a fingerprint, so not always the newest;
    an article has two only until a complete NLP run removes the stale part), once per
    `unique_key` even if a part was ever written twice. Shared by the staging models of every
    table in DOC_TABLES and by the incremental models (fct_sentences, int_entity_mentions),
    which pass `where` to keep only the articles they lack before the version and key are
    picked: both picks look at the rows of one article only (the version is per article, and
    every unique_key holds the article's id, by construction of the ids in
    transforms/nlp/tables.py), so dropping whole articles first leaves the other articles' rows
    as they were, without reading the whole lake each run.
    No window function: the newest version is a grouped aggregate joined back (`candidate` not
    materialized: read twice rather than held in memory), the one row per key a DISTINCT ON
    (rows of one key and version are the same rows: the writers are deterministic), both of
    which DuckDB spills to disk under its memory limit. The two windows this replaced (`qualify
    max(...) over (partition by article_id)` and `row_number() over (partition by unique_key)`)
    held the whole table in memory on a full build: at 100,000 articles the build failed at the
    500 MB limit (profiles.yml) in fct_sentences and int_entity_mentions (session 17's bench);
    this form gives the same rows in half the time (entity mentions of 100,000 articles, alone:
    3.0 s and 584 MB against 5.8 s and 1,360 MB). -#}
{% macro current_nlp_rows(table, unique_key, where='') %}
with candidate as not materialized (
    select src.*
    from {{ source('lake', table) }} as src
    inner join {{ ref('stg_articles') }} as current_articles using (article_id)
    {{ where }}
),

newest_version as (
    select article_id, max(extractor_version) as extractor_version
    from candidate
    group by article_id
)

select distinct on ({{ unique_key }}) src.*
from candidate as src
inner join newest_version
    on newest_version.article_id = src.article_id
    and newest_version.extractor_version = src.extractor_version
{% endmacro %}
