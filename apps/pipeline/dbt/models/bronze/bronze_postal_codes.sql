{{ config(alias='postal_codes') }}
select
    postal_code,
    commune,
    dvc_md5,
    cast(_loaded_at as timestamp) as _loaded_at
from {{ source('raw', 'postal_codes') }}
