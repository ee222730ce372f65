{{ config(meta={"dagster": {"ref": {"name": "fct_sentences"}}}) }}
select s.article_id, s.sentence_index
from {{ ref('fct_sentences') }} as s
inner join {{ ref('dim_articles') }} as a using (article_id)
where substr(a.text, s.start_char + 1, s.end_char - s.start_char) <> s.sentence_text
