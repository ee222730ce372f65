-- Who does what to whom, per month: events between resolved actors.
with events as (
    select * from {{ ref('fct_events') }}
    where actor_id is not null
),

articles as (
    select event_id, article_id from {{ ref('fct_event_mentions') }}
)

select
    e.actor_id,
    e.recipient_actor_id,
    e.event_type,
    cast(date_trunc('month', e.event_date) as date) as month,
    count(distinct e.event_id) as n_events,
    count(distinct a.article_id) as n_articles
from events as e
left join articles as a using (event_id)
group by all
