select distinct actor_id, alias
from {{ ref('stg_actor_aliases') }}
