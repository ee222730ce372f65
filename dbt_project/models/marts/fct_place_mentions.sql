-- One row per GPE/LOC/FAC mention span of the current articles, linked to its place.
select
    p.article_id,
    p.sentence_index,
    p.start_char,
    p.end_char,
    p.place_id,
    p.mention_id,
    p.mention_text,
    p.confidence,
    p.geocoder_version
from {{ ref('stg_place_mentions') }} as p
inner join {{ ref('fct_entity_mentions') }} as m using (mention_id)
