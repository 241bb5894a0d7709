{{ config(alias='premiums') }}
select
    premium_id,
    policy_id,
    try_cast(due_month as date) as due_month,
    try_cast(amount_eur as decimal(12, 2)) as amount_eur,
    try_cast(paid as boolean) as paid,
    _source_file,
    cast(_loaded_at as timestamp) as _loaded_at
from {{ source('raw', 'premiums') }}
