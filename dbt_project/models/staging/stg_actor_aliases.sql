select actor_id, alias
from {{ source('lake', 'actor_aliases') }}
