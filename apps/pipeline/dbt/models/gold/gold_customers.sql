{{ config(alias='customers') }}
with policy_counts as (
    select
        customer_id,
        count(*) as policies_count,
        cast(count_if(status = 'ACTIVE') as bigint) as active_policies_count,
        min(start_date) as customer_since,
        max(_loaded_at) as policies_loaded_at
    from {{ ref('silver_policies') }}
    group by customer_id
),

-- Incremental: computed from the whole silver state, only new and changed rows written (macros/incremental.sql).
mart as (
    select
        c.customer_id,
        c.first_name,
        c.last_name,
        c.email,
        c.phone,
        c.birth_date,
        c.postal_code,
        c.commune,
        c.department,
        c.region,
        coalesce(p.policies_count, 0) as policies_count,
        coalesce(p.active_policies_count, 0) as active_policies_count,
        p.customer_since,
        c.updated_at,
        -- newest load of the rows this record is built from (Snowflake's greatest() is NULL if one argument is)
        greatest(c._loaded_at, coalesce(p.policies_loaded_at, c._loaded_at)) as loaded_at
    from {{ ref('silver_customers') }} as c
    left join policy_counts as p on c.customer_id = p.customer_id
)

select {{ contract_columns() }} from mart
{{ except_unchanged_rows() }}
