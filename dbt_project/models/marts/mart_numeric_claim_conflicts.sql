-- Claims that disagree about the same quantity: the same subject and unit, different values,
-- stated by different speakers in articles published within 7 days of each other.
-- Only qualified subjects ("North Korean troops", not bare "people" or "money") are compared, and
-- two names with the same last word count as one speaker ("Eguiluz" / "Luis Eguiluz").
-- One row per pair (value_a < value_b).
with n as (
    select *, lower(regexp_extract(speaker_name, '(\S+)$', 1)) as speaker_last_word
    from {{ ref('mart_numeric_claims') }}
    where speaker_name is not null and subject <> unit and subject <> 'money'
)

select
    a.subject,
    a.unit,
    a.value as value_a,
    a.speaker_name as speaker_a,
    a.claim_id as claim_id_a,
    a.article_id as article_id_a,
    b.value as value_b,
    b.speaker_name as speaker_b,
    b.claim_id as claim_id_b,
    b.article_id as article_id_b,
    b.value - a.value as difference,
    least(a.published_date, b.published_date) as first_published_date
from n as a
inner join n as b
    on a.subject = b.subject
    and a.unit = b.unit
    and a.value < b.value
    and lower(a.speaker_name) <> lower(b.speaker_name)
    and a.speaker_last_word <> b.speaker_last_word
    and abs(datediff('day', a.published_date, b.published_date)) <= 7
