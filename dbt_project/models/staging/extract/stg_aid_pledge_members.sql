select * from {{ source('lake', 'aid_pledge_members') }}
