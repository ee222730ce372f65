-- One row per attributed statement. The speaker (and target) join their actor through the entity
-- mention at the extractor's resolved offsets (for "she" that is the mention of the person named
-- before). With an actor, its canonical name and country are used; without one, the extractor's
-- own. speaker_type stays the extractor's six-way type (person, country, government,
-- organization, document, unnamed): dim_actors has no government, document or unnamed sources.
--
-- Incremental (issue 6): keyed by article for the extractor's columns
-- (macros/incremental_by_article.sql: the claims of new and re-parsed articles are read from the
-- lake), and by claim for the joined ones: a claim already built whose speaker or target actor,
-- or the speaker actor's name, type or country, is no longer what the current fct_entity_mentions
-- and dim_actors give (actors re-resolved, an actor's first mention changed) is built again from
-- its own stored extractor columns. delete+insert on claim_id replaces those rows.
-- Claims whose content or speaker offsets do not cut their text out of the article are set aside
-- (macros/quarantine_rules.sql: intermediate.fct_claims__quarantined, listed in quarantined_rows).
-- depends_on: {{ ref('stg_articles') }}, {{ source('lake', 'claims') }} (the pre_hooks')
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='claim_id',
    on_schema_change='fail',
    pre_hook=[
        "{{ delete_stale_article_rows('claims') }}",
        "{{ delete_quarantined_article_rows() }}",
        "{{ record_articles_to_build('claims') }}",
        "{{ record_quarantined_rows(quarantined_claims()) }}",
    ],
) }}

with mentions as (
    select article_id, start_char, end_char, actor_id
    from {{ ref('fct_entity_mentions') }}
    where actor_id is not null
),

actors as (
    select actor_id, canonical_name, actor_type, country_iso3 from {{ ref('dim_actors') }}
),

{%- if is_incremental() %}

-- the claims built before whose joined columns changed (only the join keys are read here: the
-- wide text columns are read for these claims only)
relinked as (
    select t.claim_id
    from {{ this }} as t
    {{ claim_actor_joins('t') }}
    where t.speaker_actor_id is distinct from sm.actor_id
        or t.target_actor_id is distinct from tm.actor_id
        or t.speaker_name is distinct from coalesce(sa.canonical_name, t.speaker_name_extracted)
        or t.speaker_country_iso3
        is distinct from coalesce(sa.country_iso3, t.speaker_country_extracted)
        or t.speaker_actor_type is distinct from sa.actor_type
),
{%- endif %}

-- the claims of the current articles not built yet, newest extractor version (as stg_claims)
new_claims as (
    {{ current_nlp_rows('claims', 'src.claim_id', where=articles_to_build_filter('src')) }}
),

claims as (
    select
        claim_id, article_id, sentence_index, speaker_text, speaker_name, speaker_type,
        speaker_country_iso3, cue, cue_lemma, content, content_start, content_end, is_direct,
        stance, confidence, speaker_text_start, speaker_text_end, speaker_start, speaker_end,
        cue_start, cue_end, target_text, target_start, target_end, method, rules_version,
        extractor_version
    from new_claims
    where {{ not_quarantined('new_claims.claim_id', 'fct_claims', quarantine_relation()) }}
    {%- if is_incremental() %}
    union all
    select
        t.claim_id, t.article_id, t.sentence_index, t.speaker_text,
        t.speaker_name_extracted as speaker_name, t.speaker_type,
        t.speaker_country_extracted as speaker_country_iso3, t.cue, t.cue_lemma, t.content,
        t.content_start, t.content_end, t.is_direct, t.stance, t.confidence,
        t.speaker_text_start, t.speaker_text_end, t.speaker_start, t.speaker_end, t.cue_start,
        t.cue_end, t.target_text, t.target_start, t.target_end, t.method, t.rules_version,
        t.extractor_version
    from {{ this }} as t
    where t.claim_id in (select claim_id from relinked)
    {%- endif %}
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
{{ claim_actor_joins('c') }}
