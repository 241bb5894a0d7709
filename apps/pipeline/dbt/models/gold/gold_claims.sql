{{ config(alias='claims') }}
select
    {{ contract_columns() }}
-- Incremental: computed from the whole silver state, only new and changed rows written (macros/incremental.sql);
-- the post-hook (_gold.yml) deletes the claims these conditions no longer keep.
from (
    select
        cl.claim_id,
        cl.policy_id,
        p.customer_id,
        p.product,
        cl.claim_date,
        cast(date_trunc('month', cl.claim_date) as date) as claim_month,
        cl.amount_eur,
        cl.status,
        cl.postal_code,
        pc.department,
        pc.region,
        cl.description,
        cl.reported_at,
        -- Late-arriving claims: reported one or more months after the loss.
        cast(greatest(date_diff('month', cl.claim_date, cast(cl.reported_at as date)), 0) as integer)
            as reporting_delay_months,
        -- The reference's load time is left out: the reference is reloaded on every run.
        greatest(cl._loaded_at, p.loaded_at) as loaded_at
    from {{ ref('silver_claims') }} as cl
    inner join {{ ref('gold_policies') }} as p on cl.policy_id = p.policy_id
    left join {{ ref('silver_postal_codes') }} as pc on cl.postal_code = pc.postal_code
    where cl.claim_date is not null and cl.amount_eur is not null
) as mart
{{ except_unchanged_rows() }}
