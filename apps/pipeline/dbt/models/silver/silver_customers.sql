{{ config(materialized='incremental', alias='customers', unique_key='customer_id') }}
-- Latest version of each customer, cleaned with the enrichment API's `customer` rules.
with latest as (
    select *
    from {{ ref('bronze_customers') }}
    where customer_id is not null
    {%- if is_incremental() %}
        -- only the keys new bronze rows touch, recomputed from their whole history (macros/incremental.sql)
        and (upper(trim(customer_id)) in ({{ keys_loaded_after_target(ref('bronze_customers'), 'customer_id') }})
        -- and the customers whose postal code a new reference version resolves differently
        or upper(trim(customer_id)) in (
            select t.customer_id
            from {{ this }} as t
            left join {{ ref('silver_postal_codes') }} as p on t.postal_code = p.postal_code
            where t.commune is distinct from p.commune
                or t.department is distinct from p.department
                or t.region is distinct from p.region
        ))
    {%- endif %}
    qualify row_number() over (
        partition by upper(trim(customer_id)) order by updated_at desc nulls last, _source_file desc
    ) = 1
),

normalised as (
    select
        upper(trim(customer_id)) as customer_id,
        dp_normalise('customer', 'first_name', first_name) as first_name,
        dp_normalise('customer', 'last_name', last_name) as last_name,
        dp_normalise('customer', 'email', email) as email,
        dp_normalise('customer', 'phone', phone) as phone,
        try_cast(dp_normalise('customer', 'birth_date', birth_date) as date) as birth_date,
        dp_normalise('customer', 'postal_code', postal_code) as postal_code,
        dp_normalise('customer', 'address', address) as address,
        email as raw_email,
        phone as raw_phone,
        updated_at,
        _source_file,
        _loaded_at
    from latest
)

select
    n.customer_id,
    n.first_name,
    n.last_name,
    n.email,
    n.phone,
    n.birth_date,
    n.postal_code,
    p.commune,
    p.department,
    p.region,
    n.address,
    -- Why a field was emptied: the rule's error code, for data owners (never the rejected value itself).
    case when n.email is null then dp_normalise_error('customer', 'email', n.raw_email) end as email_issue,
    case when n.phone is null then dp_normalise_error('customer', 'phone', n.raw_phone) end as phone_issue,
    n.updated_at,
    n._source_file,
    n._loaded_at
from normalised as n
left join {{ ref('silver_postal_codes') }} as p on n.postal_code = p.postal_code
