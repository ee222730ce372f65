-- Numbers inside claims, for the claims kept by stg_claims.
select n.*
from {{ source('lake', 'claim_numbers') }} as n
inner join {{ ref('stg_claims') }} as c using (claim_id, extractor_version)
qualify row_number() over (
    partition by n.claim_id, n.number_start, n.unit order by n.extractor_version desc
) = 1
