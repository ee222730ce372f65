select actor_id, canonical_name, actor_type, country_iso3, sector, country_source, resolver_version
from {{ source('lake', 'actors') }}
