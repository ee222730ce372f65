-- Only articles still in the input snapshot; one row per (article, sentence) even if a part
-- was ever written twice.
with source as (
    select * from {{ source('lake', 'sentences') }}
),

current_articles as (
    select article_id from {{ ref('stg_articles') }}
)

select
    s.article_id,
    s.sentence_index,
    s.start_char,
    s.end_char,
    s.sentence_text,
    s.extractor_version
from source as s
inner join current_articles using (article_id)
qualify row_number() over (partition by s.article_id, s.sentence_index order by s.extractor_version desc) = 1
