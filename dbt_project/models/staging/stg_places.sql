select place_id, name, country_iso3, latitude, longitude, feature_type, precision, geo_precision,
    population,
    confidence, geocoder_version
from {{ source('lake', 'places') }}
