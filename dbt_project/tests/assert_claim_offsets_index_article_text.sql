{{ config(meta={"dagster": {"ref": {"name": "fct_claims"}}}) }}
-- Every claim's content and speaker offsets must cut exactly its text out of the stored article text.
-- Only the articles whose claims this build read from the lake (macros/incremental_by_article.sql;
-- every article on a full refresh): a claim rebuilt for its actors keeps its stored offsets and
-- texts, and an article's text never changes (article_id is a hash of the text).
select c.claim_id, c.content, c.speaker_text
from {{ ref('fct_claims') }} as c
inner join {{ ref('dim_articles') }} as a using (article_id)
where c.article_id in (select article_id from intermediate.fct_claims__articles_built)
    and (
        substr(a.text, c.content_start + 1, c.content_end - c.content_start) <> c.content
        or substr(a.text, c.speaker_text_start + 1, c.speaker_text_end - c.speaker_text_start)
        <> c.speaker_text
    )
