-- One row per place. Countries, continents and unresolved names have null coordinates.
select place_id, name, country_iso3, latitude, longitude, feature_type, precision, population,
    confidence, geocoder_version
from {{ ref('stg_places') }}
