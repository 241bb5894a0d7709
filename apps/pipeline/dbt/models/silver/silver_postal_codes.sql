{{ config(alias='postal_codes') }}
-- A table, not incremental: the DVC reference is reloaded whole on every run, and a code a new version drops
-- must disappear. silver_customers re-resolves the customers whose commune, department or region it changes.
-- Conformed reference: department and region follow from the code (the enrichment API's rule).
with codes as (
    select
        dp_normalise('customer', 'postal_code', postal_code) as postal_code,
        trim(commune) as commune,
        dvc_md5,
        _loaded_at
    from {{ ref('bronze_postal_codes') }}
)
select
    postal_code,
    commune,
    dp_postal(postal_code, 'department_code') as department_code,
    dp_postal(postal_code, 'department') as department,
    dp_postal(postal_code, 'region_code') as region_code,
    dp_postal(postal_code, 'region') as region,
    dvc_md5,
    _loaded_at
from codes
where postal_code is not null
qualify row_number() over (partition by postal_code order by commune) = 1
