-- Every statement of a pledge, with its evidence (article, sentence, offsets) and the pledge it
-- was counted in. The sentence text comes from the fct_sentences table (not from the lake, whose
-- sentences would all be ranked again for a few hundred rows).
select
    mb.pledge_id,
    m.article_id,
    m.sentence_index,
    s.sentence_text,
    m.start_char,
    m.end_char,
    m.pledge_mention_id,
    m.trigger_text,
    m.rule,
    m.donor_text,
    m.donor_actor_id,
    m.donor_country_iso3,
    m.recipient_text,
    m.recipient_actor_id,
    m.recipient_country_iso3,
    m.amount_text,
    m.amount,
    m.currency,
    m.amount_usd_stated,
    m.aid_type,
    m.stage,
    m.stage_cue,
    m.date_text,
    m.announced_date,
    m.announced_date_end,
    m.date_precision,
    m.date_method,
    mb.join_reason,
    m.extractor_version,
    m.amount_high,
    coalesce(m.is_cumulative, false) as is_cumulative,
    m.cumulative_cue,
    art.url,  -- where the article came from on the web (dim_articles.url), null if unknown
    m.donor_country_source,
    m.donor_country_reason,
    m.donor_country_confidence,
    m.recipient_country_source,
    m.recipient_country_reason,
    m.recipient_country_confidence
from {{ ref('int_aid_pledge_mention_actors') }} as m
inner join (
    select pledge_id, pledge_mention_id, join_reason from {{ ref('stg_aid_pledge_members') }}
) as mb using (pledge_mention_id)
left join {{ ref('fct_sentences') }} as s
    on s.article_id = m.article_id and s.sentence_index = m.sentence_index
left join (select article_id, url from {{ ref('stg_articles') }}) as art
    on art.article_id = m.article_id
where {{ not_quarantined('m.pledge_mention_id', 'fct_aid_pledge_mentions', ref('quarantined_rows')) }}
