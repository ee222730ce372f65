-- One row per attributed statement. The speaker (and target) join their actor through the entity
-- mention at the extractor's resolved offsets (for "she" that is the mention of the person named
-- before). With an actor, its canonical name and country are used; without one, the extractor's
-- own. speaker_type stays the extractor's six-way type (person, country, government,
-- organization, document, unnamed): dim_actors has no government, document or unnamed sources.
with claims as (
    select * from {{ ref('stg_claims') }}
),

mentions as (
    select article_id, start_char, end_char, actor_id
    from {{ ref('fct_entity_mentions') }}
    where actor_id is not null
),

actors as (
    select actor_id, canonical_name, actor_type, country_iso3 from {{ ref('dim_actors') }}
)

select
    c.claim_id,
    c.article_id,
    c.sentence_index,
    c.speaker_text,
    sm.actor_id as speaker_actor_id,
    coalesce(sa.canonical_name, c.speaker_name) as speaker_name,
    c.speaker_type,
    coalesce(sa.country_iso3, c.speaker_country_iso3) as speaker_country_iso3,
    c.cue,
    c.cue_lemma,
    c.content,
    c.content_start,
    c.content_end,
    c.is_direct,
    c.stance,
    tm.actor_id as target_actor_id,
    c.confidence,
    c.speaker_name as speaker_name_extracted,
    c.speaker_country_iso3 as speaker_country_extracted,
    sa.actor_type as speaker_actor_type,
    c.speaker_text_start,
    c.speaker_text_end,
    c.speaker_start,
    c.speaker_end,
    c.cue_start,
    c.cue_end,
    c.target_text,
    c.target_start,
    c.target_end,
    c.method,
    c.rules_version,
    c.extractor_version
from claims as c
left join mentions as sm
    on sm.article_id = c.article_id
    and sm.start_char = c.speaker_start
    and sm.end_char = c.speaker_end
left join actors as sa on sa.actor_id = sm.actor_id
left join mentions as tm
    on tm.article_id = c.article_id
    and tm.start_char = c.target_start
    and tm.end_char = c.target_end
