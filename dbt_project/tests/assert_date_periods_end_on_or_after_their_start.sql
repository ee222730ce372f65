{{ config(meta={"dagster": {"ref": {"name": "fct_events"}}}) }}
-- Every resolved date period ends on or after the day it starts (dates.ResolvedDate.last_day):
-- rows returned here are periods that run backwards. One test (one dbt node) for the four
-- tables that carry a period; Dagster shows it as a check of fct_events.
select 'fct_event_mentions' as model, event_mention_id as id from {{ ref('fct_event_mentions') }}
where event_date_end < event_date
union all
select 'fct_events', event_id from {{ ref('fct_events') }} where event_date_end < event_date
union all
select 'fct_aid_pledge_mentions', pledge_mention_id from {{ ref('fct_aid_pledge_mentions') }}
where announced_date_end < announced_date
union all
select 'fct_aid_pledges', pledge_id from {{ ref('fct_aid_pledges') }}
where announced_date_end < announced_date
