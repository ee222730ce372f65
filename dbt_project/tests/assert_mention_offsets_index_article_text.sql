{{ config(meta={"dagster": {"ref": {"name": "fct_entity_mentions"}}}) }}
-- Every mention's offsets must cut exactly its text out of the stored article text. Only the
-- articles whose mentions this build wrote (macros/incremental_by_article.sql; every article on a
-- full refresh): an article's spans and text (article_id is a hash of the text) never change after.
-- The rule is macros/quarantine_rules.sql's: rows breaking it are set aside before this mart
-- (quarantined_rows), so a failure here means the quarantine missed one.
select m.mention_id, m.mention_text, substr(a.text, m.start_char + 1, m.end_char - m.start_char) as cut
from {{ ref('fct_entity_mentions') }} as m
inner join {{ ref('dim_articles') }} as a using (article_id)
where m.article_id in (select article_id from intermediate.int_entity_mentions__articles_built)
    and {{ mention_offsets_broken('m', 'a') }}
