select iso3, iso2, name, official_name, region, subregion, capital, independent
from {{ ref('countries') }}
