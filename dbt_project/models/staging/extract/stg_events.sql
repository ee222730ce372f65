select * from {{ source('lake', 'events') }}
