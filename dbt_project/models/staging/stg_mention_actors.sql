select mention_id, actor_id, match_reason, role, mention_country_iso3, confidence, resolver_version
from {{ source('lake', 'mention_actors') }}
