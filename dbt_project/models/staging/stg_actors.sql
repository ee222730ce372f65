select actor_id, canonical_name, actor_type, country_iso3, sector
from {{ source('lake', 'actors') }}
