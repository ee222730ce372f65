select * from {{ source('lake', 'aid_pledges') }}
