-- Entity mentions with their actor links. Incremental (issue 6): by article for the spans
-- (int_entity_mentions: new and re-parsed articles; macros/incremental_by_article.sql), and for
-- the links: an article already built any of whose stored links (the stg_mention_actors columns)
-- is no longer the current one (the actor stage re-resolved it) is built again, all its rows
-- (delete+insert on article_id). int_entity_mentions sets aside the mentions whose offsets are
-- broken (macros/quarantine_rules.sql); the articles it builds are built here too.
-- Storage order: rows come in the runs' order, not sorted; the float averages built on this table
-- (dim_actors, int_actor_day_mentions) sum their terms in the order of
-- (article_id, start_char, end_char, mention_id) themselves, so they do not depend on it (a float
-- sum depends on the order of its terms).
-- depends_on: {{ ref('stg_articles') }}, {{ source('lake', 'entity_mentions') }} (the pre_hook's),
-- {{ ref('stg_mention_actors') }} (the incremental link check's)
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='article_id',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_article_rows('entity_mentions') }}",
) }}

with articles_to_build as (
    select m.article_id
    from {{ ref('int_entity_mentions') }} as m
    {{ articles_not_in_this('m') }}
    {%- if is_incremental() %}
    union
    -- every article int_entity_mentions built again (one had a mention set aside: a repaired
    -- mention gets in, and the others are rebuilt with it)
    select article_id from intermediate.int_entity_mentions__articles_built
    union
    select t.article_id
    from {{ this }} as t
    left join {{ ref('stg_mention_actors') }} as l using (mention_id)
    where t.actor_id is distinct from l.actor_id
        or t.match_reason is distinct from l.match_reason
        or t.role is distinct from l.role
        or t.mention_country_iso3 is distinct from l.mention_country_iso3
        or t.confidence is distinct from l.confidence
        or t.resolver_version is distinct from l.resolver_version
    {%- endif %}
)

select *
from {{ ref('int_entity_mention_actors') }} as m
{%- if is_incremental() %}
where m.article_id in (select article_id from articles_to_build)
{%- endif %}
order by m.article_id, m.start_char, m.end_char, m.mention_id
