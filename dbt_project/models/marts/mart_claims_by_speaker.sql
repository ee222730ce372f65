-- Claims per speaker, publication day and stance.
select
    c.speaker_actor_id,
    c.speaker_name,
    a.published_date,
    c.stance,
    count(*) as n_claims,
    count(distinct c.article_id) as n_articles
from {{ ref('fct_claims') }} as c
inner join {{ ref('dim_articles') }} as a using (article_id)
group by all
