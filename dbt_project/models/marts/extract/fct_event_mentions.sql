-- Every mention of an event: the trigger's offsets in its sentence and the event it counts in.
select
    mb.event_id,
    m.article_id,
    m.sentence_index,
    m.start_char,
    m.end_char,
    m.trigger_text,
    m.event_mention_id,
    m.event_type,
    m.mode,
    m.actor_text,
    m.actor_id,
    m.actor_country_iso3,
    m.recipient_text,
    m.recipient_actor_id,
    m.recipient_country_iso3,
    m.place_text,
    m.date_text,
    m.event_date,
    m.event_date_end,
    m.date_precision,
    m.date_method,
    m.is_main,
    m.confidence,
    m.method,
    mb.join_reason,
    m.extractor_version,
    art.url,  -- where the article came from on the web (dim_articles.url), null if unknown
    m.actor_country_source,
    m.actor_country_reason,
    m.actor_country_confidence,
    m.recipient_country_source,
    m.recipient_country_reason,
    m.recipient_country_confidence
from {{ ref('int_event_mention_actors') }} as m
inner join {{ ref('stg_event_members') }} as mb using (event_mention_id)
left join (select article_id, url from {{ ref('stg_articles') }}) as art
    on art.article_id = m.article_id
where {{ not_quarantined('m.event_mention_id', 'fct_event_mentions', ref('quarantined_rows')) }}
