{{ config(alias='customers') }}
-- Typed, as received: text stays dirty (silver cleans it); the drifted phone column is conformed here.
select
    customer_id,
    first_name,
    last_name,
    email,
    {{ drifted_column(source('raw', 'customers'), ['mobile_phone', 'phone']) }} as phone,
    birth_date,
    postal_code,
    address,
    try_cast(updated_at as timestamp) as updated_at,
    _source_file,
    cast(_loaded_at as timestamp) as _loaded_at
from {{ source('raw', 'customers') }}
