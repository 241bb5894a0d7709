{{ config(alias='policies') }}
select
    policy_id,
    customer_id,
    product,
    status,
    try_cast(start_date as date) as start_date,
    try_cast(annual_premium as decimal(12, 2)) as annual_premium,
    try_cast(updated_at as timestamp) as updated_at,
    _source_file,
    cast(_loaded_at as timestamp) as _loaded_at
from {{ source('raw', 'policies') }}
