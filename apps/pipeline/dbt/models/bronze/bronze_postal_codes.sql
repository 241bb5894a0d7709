{{ config(alias='postal_codes', materialized='table') }}
-- The reference is replaced as a whole when its DVC version changes, so bronze is a full copy.
select
    postal_code,
    commune,
    dvc_md5,
    cast(_loaded_at as timestamp) as _loaded_at
from {{ source('raw', 'postal_codes') }}
