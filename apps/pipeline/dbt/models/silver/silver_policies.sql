{{ config(materialized='incremental', alias='policies', unique_key='policy_id') }}
with latest as (
    select *
    from {{ ref('bronze_policies') }}
    where policy_id is not null
    {%- if is_incremental() %}
        -- only the keys new bronze rows touch, recomputed from their whole history (macros/incremental.sql)
        and upper(trim(policy_id)) in ({{ keys_loaded_after_target(ref('bronze_policies'), 'policy_id') }})
    {%- endif %}
    qualify row_number() over (
        partition by upper(trim(policy_id)) order by updated_at desc nulls last, _source_file desc
    ) = 1
)

select
    upper(trim(policy_id)) as policy_id,
    upper(trim(customer_id)) as customer_id,
    upper(trim(product)) as product,
    upper(trim(status)) as status,
    start_date,
    annual_premium,
    updated_at,
    _source_file,
    _loaded_at
from latest
