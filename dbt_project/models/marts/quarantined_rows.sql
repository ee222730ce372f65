-- Lake rows set aside because they break a data test's row-level rule (macros/quarantine_rules.sql):
-- one row per (test, row), with the article and the row's key. The marts named in `model` leave
-- these rows out (and what is built on them: a quarantined event or pledge mention counts in no
-- event or pledge, a quarantined entity mention resolves no actor of an event, pledge or claim),
-- so the data test passes on the rest and the run publishes; the run summary, the Dagster check
-- `quarantined_rows_count` and this published table say what was set aside.
-- Event and pledge mentions are checked here, every lake row each run (their marts are rebuilt
-- whole). Sentences, entity mentions and claims are checked by their incremental models, for the
-- articles each build writes (their pre_hooks keep intermediate.<model>__quarantined): this
-- model lists those records.
-- depends_on: {{ ref('int_entity_mentions') }}, {{ ref('fct_claims') }} (their quarantine records)
with articles as (
    select article_id, text from {{ ref('stg_articles') }}
),

event_mentions as (
    select
        'assert_event_trigger_offsets_index_article_text' as test_name,
        'fct_event_mentions' as model,
        m.article_id,
        m.event_mention_id as row_key,
        'trigger offsets ' || m.start_char || '-' || m.end_char || ' do not cut "'
        || m.trigger_text || '" out of the article text (' || length(a.text) || ' characters)'
        as reason
    from {{ ref('stg_event_mentions') }} as m
    inner join articles as a using (article_id)
    where {{ event_trigger_offsets_broken('m', 'a') }}
),

pledge_mentions as (
    select
        'assert_pledge_evidence_inside_its_sentence' as test_name,
        'fct_aid_pledge_mentions' as model,
        m.article_id,
        m.pledge_mention_id as row_key,
        'evidence offsets ' || m.start_char || '-' || m.end_char
        || ' are not inside sentence ' || m.sentence_index || ' of the article text'
        || case when s.article_id is null then ' (the sentence is not published)' else '' end
        as reason
    from {{ ref('stg_aid_pledge_mentions') }} as m
    inner join articles as a using (article_id)
    -- a sentence set aside (fct_sentences' own rule) holds no evidence: its pledge mentions go too
    left join {{ ref('fct_sentences') }} as s
        on s.article_id = m.article_id and s.sentence_index = m.sentence_index
    where {{ pledge_evidence_outside_sentence('m', 'a', 's.sentence_text') }}
)

select * from event_mentions
union all
select * from pledge_mentions
union all
select * from intermediate.fct_sentences__quarantined
union all
select * from intermediate.int_entity_mentions__quarantined
union all
select * from intermediate.fct_claims__quarantined
order by test_name, article_id, row_key
