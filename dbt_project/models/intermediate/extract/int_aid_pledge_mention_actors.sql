-- Each pledge mention with the resolved actors of its donor and recipient mentions: the party
-- offsets written by the extractor are joined to int_entity_mention_actors (actor resolution of
-- transforms/actors.py); the extractor's own name/ISO3 stays as the fallback. A party of kind
-- 'group' (people, a joint "EU member states and Ukraine") is not the entity its words contain,
-- so it takes no actor by overlap: its own name and ISO3 stand.
with mentions as (
    select * from {{ ref('stg_aid_pledge_mentions') }}
),

entity_actors as (
    select m.article_id, m.start_char, m.end_char, m.actor_id, a.country_iso3
    from {{ ref('int_entity_mention_actors') }} as m
    inner join {{ ref('stg_actors') }} as a using (actor_id)
),

donor as (
    select p.pledge_mention_id, e.actor_id, e.country_iso3
    from mentions as p
    inner join entity_actors as e
        on e.article_id = p.article_id
        and p.donor_kind is distinct from 'group'
        and e.start_char < p.donor_end_char
        and e.end_char > p.donor_start_char
    qualify row_number() over (partition by p.pledge_mention_id order by e.start_char) = 1
),

recipient as (
    select p.pledge_mention_id, e.actor_id, e.country_iso3
    from mentions as p
    inner join entity_actors as e
        on e.article_id = p.article_id
        and p.recipient_kind is distinct from 'group'
        and e.start_char < p.recipient_end_char
        and e.end_char > p.recipient_start_char
    qualify row_number() over (partition by p.pledge_mention_id order by e.start_char) = 1
)

select
    p.*,
    d.actor_id as donor_actor_id,
    coalesce(d.country_iso3, p.donor_iso3) as donor_country_iso3,
    {{ country_source('d.country_iso3', 'p.donor_iso3') }} as donor_country_source,
    r.actor_id as recipient_actor_id,
    coalesce(r.country_iso3, p.recipient_iso3) as recipient_country_iso3,
    {{ country_source('r.country_iso3', 'p.recipient_iso3') }} as recipient_country_source
from mentions as p
left join donor as d using (pledge_mention_id)
left join recipient as r using (pledge_mention_id)
