{{ config(materialized='incremental', alias='premiums', unique_key='premium_id') }}
with latest as (
    select *
    from {{ ref('bronze_premiums') }}
    where premium_id is not null
    {%- if is_incremental() %}
        -- only the keys new bronze rows touch, recomputed from their whole history (macros/incremental.sql)
        and upper(trim(premium_id)) in ({{ keys_loaded_after_target(ref('bronze_premiums'), 'premium_id') }})
    {%- endif %}
    qualify row_number() over (partition by upper(trim(premium_id)) order by _source_file desc) = 1
)

select
    upper(trim(premium_id)) as premium_id,
    upper(trim(policy_id)) as policy_id,
    due_month,
    amount_eur,
    coalesce(paid, false) as paid,
    _source_file,
    _loaded_at
from latest
