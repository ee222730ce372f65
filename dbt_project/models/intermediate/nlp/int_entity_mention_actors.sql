-- Every current entity mention with its actor link (the actor stage's current resolution):
-- the one home of this join, read by fct_entity_mentions (which keeps it incrementally) and by
-- the intermediate models that need resolved mentions, so that no intermediate reads a mart.
select
    m.mention_id,
    m.article_id,
    m.sentence_index,
    m.start_char,
    m.end_char,
    m.mention_text,
    m.entity_label,
    l.actor_id,
    l.match_reason,
    l.role,
    l.mention_country_iso3,
    l.confidence,
    m.extractor_version,
    l.resolver_version
from {{ ref('int_entity_mentions') }} as m
left join {{ ref('stg_mention_actors') }} as l using (mention_id)
