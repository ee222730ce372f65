-- Who does what to whom, per month: events between resolved actors. cameo_root and quad_class
-- follow from event_type (dim_event_codes); sum_intensity / avg_intensity add up the events'
-- intensity (PLOVER score x mode weight), each event counted once however many articles report it.
with events as (
    select * from {{ ref('fct_events') }}
    where actor_id is not null
),

articles as (
    -- rn = 1 on one row per event: the event's intensity is counted on that row only
    select
        event_id,
        article_id,
        row_number() over (partition by event_id order by article_id) as rn
    from (select distinct event_id, article_id from {{ ref('fct_event_mentions') }})
)

select
    e.actor_id,
    e.recipient_actor_id,
    e.event_type,
    cast(date_trunc('month', e.event_date) as date) as month,
    count(distinct e.event_id) as n_events,
    count(distinct a.article_id) as n_articles,
    any_value(e.cameo_root) as cameo_root,
    any_value(e.quad_class) as quad_class,
    any_value(e.quad_class_name) as quad_class_name,
    round(sum(e.intensity) filter (where a.rn = 1 or a.rn is null), 3) as sum_intensity,
    round(avg(e.intensity) filter (where a.rn = 1 or a.rn is null), 3) as avg_intensity,
    any_value(e.codes_version) as codes_version
from events as e
left join articles as a using (event_id)
group by e.actor_id, e.recipient_actor_id, e.event_type, cast(date_trunc('month', e.event_date) as date)
