{{ config(meta={"dagster": {"ref": {"name": "fct_aid_pledge_mentions"}}}) }}
-- The evidence span of every pledge mention lies inside the sentence it cites, in the stored text.
select m.pledge_mention_id
from {{ ref('fct_aid_pledge_mentions') }} as m
inner join {{ ref('dim_articles') }} as a using (article_id)
where strpos(m.sentence_text, substr(a.text, m.start_char + 1, m.end_char - m.start_char)) = 0
