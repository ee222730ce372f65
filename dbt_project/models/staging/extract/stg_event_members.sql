select * from {{ source('lake', 'event_members') }}
