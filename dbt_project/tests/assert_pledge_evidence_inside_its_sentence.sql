{{ config(meta={"dagster": {"ref": {"name": "fct_aid_pledge_mentions"}}}) }}
-- The evidence span of every pledge mention lies inside the sentence it cites, in the stored text.
-- The rule is macros/quarantine_rules.sql's: rows breaking it are set aside before this mart
-- (quarantined_rows), so a failure here means the quarantine missed one.
select m.pledge_mention_id
from {{ ref('fct_aid_pledge_mentions') }} as m
inner join {{ ref('dim_articles') }} as a using (article_id)
where {{ pledge_evidence_outside_sentence('m', 'a', 'm.sentence_text') }}
