{{ config(meta={"dagster": {"ref": {"name": "fct_event_mentions"}}}) }}
-- The trigger offsets of every event mention cut the trigger out of the stored article text.
select m.event_mention_id
from {{ ref('fct_event_mentions') }} as m
inner join {{ ref('dim_articles') }} as a using (article_id)
where substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.trigger_text
