{{ config(alias='claims') }}
-- claim_date and amount_eur keep the producer's formats (DD/MM/YYYY, decimal comma): silver normalises them.
select
    claim_id,
    policy_id,
    claim_date,
    amount_eur,
    status,
    postal_code,
    description,
    try_cast(reported_at as timestamp) as reported_at,
    _source_file,
    cast(_loaded_at as timestamp) as _loaded_at
from {{ source('raw', 'claims') }}
