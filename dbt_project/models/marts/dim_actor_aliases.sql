select distinct al.actor_id, al.alias, a.resolver_version
from {{ ref('stg_actor_aliases') }} as al
inner join {{ ref('stg_actors') }} as a using (actor_id)
