-- Event mentions of current articles, newest extractor version of each article only.
with source as (
    select * from {{ source('lake', 'event_mentions') }}
),

current_articles as (
    select article_id from {{ ref('stg_articles') }}
)

select m.*
from source as m
inner join current_articles using (article_id)
qualify m.extractor_version = max(m.extractor_version) over (partition by m.article_id)
