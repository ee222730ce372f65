{{ config(meta={"dagster": {"ref": {"name": "fct_claims"}}}) }}
-- Every claim's content and speaker offsets must cut exactly its text out of the stored article text.
-- Only the articles whose claims this build read from the lake (macros/incremental_by_article.sql;
-- every article on a full refresh): a claim rebuilt for its actors keeps its stored offsets and
-- texts, and an article's text never changes (article_id is a hash of the text).
-- The rule is macros/quarantine_rules.sql's: rows breaking it are set aside before this mart
-- (quarantined_rows), so a failure here means the quarantine missed one.
select c.claim_id, c.content, c.speaker_text
from {{ ref('fct_claims') }} as c
inner join {{ ref('dim_articles') }} as a using (article_id)
where c.article_id in (select article_id from intermediate.fct_claims__articles_built)
    and {{ claim_offsets_broken('c', 'a') }}
