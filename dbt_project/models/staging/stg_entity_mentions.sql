with source as (
    select * from {{ source('lake', 'entity_mentions') }}
),

current_articles as (
    select article_id from {{ ref('stg_articles') }}
)

select
    m.mention_id,
    m.article_id,
    m.sentence_index,
    m.start_char,
    m.end_char,
    m.mention_text,
    m.entity_label,
    m.extractor_version
from source as m
inner join current_articles using (article_id)
-- only the latest extractor version of each article: older parts keep spans the new rules changed
qualify m.extractor_version = max(m.extractor_version) over (partition by m.article_id)
    and row_number() over (partition by m.mention_id order by m.extractor_version desc) = 1
