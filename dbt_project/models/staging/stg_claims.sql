-- Claims of current articles, from the newest extractor version that parsed each article.
with source as (
    select * from {{ source('lake', 'claims') }}
),

current_articles as (
    select article_id from {{ ref('stg_articles') }}
),

latest as (
    select article_id, max(extractor_version) as extractor_version
    from source
    group by article_id
)

select s.*
from source as s
inner join current_articles using (article_id)
inner join latest using (article_id, extractor_version)
qualify row_number() over (partition by s.claim_id order by s.extractor_version desc) = 1
