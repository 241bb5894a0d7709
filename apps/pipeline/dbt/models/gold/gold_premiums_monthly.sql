{{ config(alias='premiums_monthly', materialized='table') }}
-- A table, not incremental: a premium whose due month or policy's product changes leaves a (month, product) group
-- that only the whole silver state reveals, and the groups (months x 4 products) are few: rewriting them costs
-- less than finding the changed ones.
-- Premiums called and paid per month and product; late payments land in their due month.
select
    pr.due_month as month,
    p.product,
    count(*) as premiums_count,
    count(distinct pr.policy_id) as policies_count,
    cast(sum(pr.amount_eur) as decimal(14, 2)) as premiums_due_eur,
    cast(sum(case when pr.paid then pr.amount_eur else 0 end) as decimal(14, 2)) as premiums_paid_eur,
    cast(sum(case when pr.paid then pr.amount_eur else 0 end) / sum(pr.amount_eur) as decimal(5, 4)) as payment_rate,
    -- newest load of the rows this group is built from (QlikSense reloads the groups whose loaded_at moved)
    greatest(max(pr._loaded_at), max(p.loaded_at)) as loaded_at
from {{ ref('silver_premiums') }} as pr
inner join {{ ref('gold_policies') }} as p on pr.policy_id = p.policy_id
where pr.due_month is not null
group by pr.due_month, p.product
