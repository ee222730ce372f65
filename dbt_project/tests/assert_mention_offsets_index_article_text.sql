{{ config(meta={"dagster": {"ref": {"name": "fct_entity_mentions"}}}) }}
-- Every mention's offsets must cut exactly its text out of the stored article text.
select m.mention_id, m.mention_text, substr(a.text, m.start_char + 1, m.end_char - m.start_char) as cut
from {{ ref('fct_entity_mentions') }} as m
inner join {{ ref('dim_articles') }} as a using (article_id)
where substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.mention_text
