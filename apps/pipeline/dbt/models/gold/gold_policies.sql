{{ config(alias='policies') }}
-- Only contracts whose customer is known: a contract that arrives before its customer waits in silver.
with claim_totals as (
    select
        policy_id,
        count(*) as claims_count,
        sum(amount_eur) as claims_amount_eur,
        max(_loaded_at) as claims_loaded_at
    from {{ ref('silver_claims') }}
    group by policy_id
),

-- Incremental: computed from the whole silver state, only new and changed rows written (macros/incremental.sql);
-- the post-hook (_gold.yml) deletes the contracts this join no longer keeps.
mart as (
    select
        p.policy_id,
        p.customer_id,
        p.product,
        p.status,
        p.start_date,
        p.annual_premium,
        coalesce(t.claims_count, 0) as claims_count,
        cast(coalesce(t.claims_amount_eur, 0) as decimal(14, 2)) as claims_amount_eur,
        p.updated_at,
        -- the holder's row counts too: a contract that waited for its customer appears when the customer loads
        greatest(p._loaded_at, c._loaded_at, coalesce(t.claims_loaded_at, p._loaded_at)) as loaded_at
    from {{ ref('silver_policies') }} as p
    inner join {{ ref('silver_customers') }} as c on p.customer_id = c.customer_id
    left join claim_totals as t on p.policy_id = t.policy_id
)

select {{ contract_columns() }} from mart
{{ except_unchanged_rows() }}
