-- One row per place. Continents and unresolved names have null coordinates; countries carry
-- their centroid, subdivisions theirs. geo_precision: ACLED's 1 town, 2 region, 3 country.
select place_id, name, country_iso3, latitude, longitude, feature_type, precision, geo_precision,
    population,
    confidence, geocoder_version
from {{ ref('stg_places') }}
