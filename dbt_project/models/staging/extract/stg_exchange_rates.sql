-- One rate per (currency, date) the pledges need, computed in Python (transforms/exchange_rates.py).
select * from {{ source('lake', 'exchange_rates') }}
