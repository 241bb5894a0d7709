{{ config(materialized='incremental', alias='claims', unique_key='claim_id') }}
-- Cleaned with the enrichment API's `claim` rules (dates DD/MM/YYYY -> ISO, amounts "1 234,50" -> 1234.50).
with latest as (
    select *
    from {{ ref('bronze_claims') }}
    where claim_id is not null
    {%- if is_incremental() %}
        -- only the keys new bronze rows touch, recomputed from their whole history (macros/incremental.sql)
        and upper(trim(claim_id)) in ({{ keys_loaded_after_target(ref('bronze_claims'), 'claim_id') }})
    {%- endif %}
    qualify row_number() over (
        partition by upper(trim(claim_id)) order by reported_at desc nulls last, _source_file desc
    ) = 1
)

select
    upper(trim(claim_id)) as claim_id,
    dp_normalise('claim', 'policy_id', policy_id) as policy_id,
    try_cast(dp_normalise('claim', 'claim_date', claim_date) as date) as claim_date,
    try_cast(dp_normalise('claim', 'amount_eur', amount_eur) as decimal(12, 2)) as amount_eur,
    upper(trim(status)) as status,
    dp_normalise('claim', 'postal_code', postal_code) as postal_code,
    dp_normalise('claim', 'description', description) as description,
    reported_at,
    _source_file,
    _loaded_at
from latest
