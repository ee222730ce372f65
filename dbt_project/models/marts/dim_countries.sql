select iso3, iso2, name, official_name, region, subregion, capital
from {{ ref('countries') }}
