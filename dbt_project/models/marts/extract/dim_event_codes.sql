-- The interoperable codes of every PLOVER type and mode (seeds plover_event_codes and
-- plover_mode_weights, version in codes_version): CAMEO root, QuadClass and an intensity score
-- (the type's PLOVER conflict-cooperation score x the mode's weight). fct_events and
-- mart_actor_interactions carry these columns; this table says where each number comes from.
select
    c.event_type,
    w.mode,
    c.cameo_root,
    c.cameo_root_name,
    c.cameo_roots,
    c.quad_class,
    c.quad_class_name,
    c.plover_score,
    w.intensity_weight,
    round(c.plover_score * w.intensity_weight, 3) as intensity,
    c.codes_version,
    c.cameo_basis,
    c.quad_basis,
    c.score_basis,
    w.basis as intensity_weight_basis
from {{ ref('plover_event_codes') }} as c
cross join {{ ref('plover_mode_weights') }} as w
