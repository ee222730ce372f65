{{ config(meta={"dagster": {"ref": {"name": "fct_event_mentions"}}}) }}
-- The trigger offsets of every event mention cut the trigger out of the stored article text.
-- The rule is macros/quarantine_rules.sql's: rows breaking it are set aside before this mart
-- (quarantined_rows), so a failure here means the quarantine missed one.
select m.event_mention_id
from {{ ref('fct_event_mentions') }} as m
inner join {{ ref('dim_articles') }} as a using (article_id)
where {{ event_trigger_offsets_broken('m', 'a') }}
