{{ config(meta={"dagster": {"ref": {"name": "fct_sentences"}}}) }}
-- Every sentence's offsets cut its text out of the stored article text. Only the articles whose
-- sentences this build wrote (macros/incremental_by_article.sql; every article on a full refresh):
-- an article's sentences and text (article_id is a hash of the text) never change after.
-- The rule is macros/quarantine_rules.sql's: rows breaking it are set aside before this mart
-- (quarantined_rows), so a failure here means the quarantine missed one.
select s.article_id, s.sentence_index
from {{ ref('fct_sentences') }} as s
inner join {{ ref('dim_articles') }} as a using (article_id)
where s.article_id in (select article_id from intermediate.fct_sentences__articles_built)
    and {{ sentence_offsets_broken('s', 'a') }}
