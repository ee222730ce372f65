select mention_id, actor_id, match_reason, confidence, resolver_version
from {{ source('lake', 'mention_actors') }}
