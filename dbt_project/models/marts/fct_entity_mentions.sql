-- Rows in a fixed order: int_entity_mentions is incremental, so its storage order depends on the
-- runs that built it; the float averages built on this table (dim_actors, mart_actor_mentions,
-- mart_actor_cooccurrence) must not depend on it (a float sum depends on the order of its terms).
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
order by m.article_id, m.start_char, m.end_char, m.mention_id
