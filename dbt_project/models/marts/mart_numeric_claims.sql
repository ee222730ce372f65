-- Numbers stated inside claims, with what they count and who stated them.
select
    n.subject,
    n.unit,
    n.value,
    c.speaker_name,
    n.article_id,
    n.claim_id,
    c.speaker_actor_id,
    n.number_text,
    n.number_start,
    n.number_end,
    a.published_date
from {{ ref('stg_claim_numbers') }} as n
inner join {{ ref('fct_claims') }} as c using (claim_id)
inner join {{ ref('dim_articles') }} as a on a.article_id = n.article_id
