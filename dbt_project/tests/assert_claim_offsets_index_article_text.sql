{{ config(meta={"dagster": {"ref": {"name": "fct_claims"}}}) }}
-- Every claim's content and speaker offsets must cut exactly its text out of the stored article text.
select c.claim_id, c.content, c.speaker_text
from {{ ref('fct_claims') }} as c
inner join {{ ref('dim_articles') }} as a using (article_id)
where substr(a.text, c.content_start + 1, c.content_end - c.content_start) <> c.content
    or substr(a.text, c.speaker_text_start + 1, c.speaker_text_end - c.speaker_text_start) <> c.speaker_text
