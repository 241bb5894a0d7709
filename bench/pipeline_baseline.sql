-- The baseline of bench/pipeline.py: the pipeline's transformation as ONE hand-written DuckDB script.
-- Same inputs (the landed raw files + the postal-code reference), same normalisation functions
-- (dp_normalise / dp_normalise_error / dp_postal, registered by the bench from dataplatform_common),
-- same gold tables; no orchestration, no incremental bookkeeping, no checks.
-- Placeholders replaced by the bench: {landing}, {reference}.
create schema if not exists gold;

create temp table raw_customers as
select * from read_csv('{landing}/customers/*.csv', header = true, all_varchar = true, union_by_name = true);
create temp table raw_policies as select * from read_parquet('{landing}/policies/*.parquet', union_by_name = true);
create temp table raw_claims as
select * from read_csv('{landing}/claims/*.csv', header = true, all_varchar = true, union_by_name = true, filename = true);
create temp table raw_premiums as select * from read_parquet('{landing}/premiums/*.parquet', union_by_name = true, filename = true);

create temp table postal_codes as
with codes as (
    select dp_normalise('customer', 'postal_code', postal_code) as postal_code, trim(commune) as commune
    from read_csv('{reference}', header = true, all_varchar = true)
)
select postal_code, commune,
    dp_postal(postal_code, 'department_code') as department_code, dp_postal(postal_code, 'department') as department,
    dp_postal(postal_code, 'region_code') as region_code, dp_postal(postal_code, 'region') as region
from codes where postal_code is not null
qualify row_number() over (partition by postal_code order by commune) = 1;

create temp table customers as
with latest as (
    select *, coalesce(mobile_phone, phone) as any_phone, try_cast(updated_at as timestamp) as updated_ts
    from raw_customers where customer_id is not null
    qualify row_number() over (partition by upper(trim(customer_id)) order by updated_ts desc nulls last) = 1
), normalised as (
    select upper(trim(customer_id)) as customer_id,
        dp_normalise('customer', 'first_name', first_name) as first_name,
        dp_normalise('customer', 'last_name', last_name) as last_name,
        dp_normalise('customer', 'email', email) as email,
        dp_normalise('customer', 'phone', any_phone) as phone,
        try_cast(dp_normalise('customer', 'birth_date', birth_date) as date) as birth_date,
        dp_normalise('customer', 'postal_code', postal_code) as postal_code,
        email as raw_email, any_phone as raw_phone, updated_ts as updated_at
    from latest
)
select n.customer_id, n.first_name, n.last_name, n.email, n.phone, n.birth_date, n.postal_code,
    p.commune, p.department, p.region,
    case when n.email is null then dp_normalise_error('customer', 'email', n.raw_email) end as email_issue,
    case when n.phone is null then dp_normalise_error('customer', 'phone', n.raw_phone) end as phone_issue,
    n.updated_at
from normalised n left join postal_codes p on n.postal_code = p.postal_code;

create temp table policies as
select upper(trim(policy_id)) as policy_id, upper(trim(customer_id)) as customer_id, upper(trim(product)) as product,
    upper(trim(status)) as status, try_cast(start_date as date) as start_date,
    try_cast(annual_premium as decimal(12, 2)) as annual_premium, try_cast(updated_at as timestamp) as updated_at
from raw_policies where policy_id is not null
qualify row_number() over (partition by upper(trim(policy_id)) order by try_cast(updated_at as timestamp) desc nulls last) = 1;

create temp table claims as
select upper(trim(claim_id)) as claim_id, dp_normalise('claim', 'policy_id', policy_id) as policy_id,
    try_cast(dp_normalise('claim', 'claim_date', claim_date) as date) as claim_date,
    try_cast(dp_normalise('claim', 'amount_eur', amount_eur) as decimal(12, 2)) as amount_eur,
    upper(trim(status)) as status, dp_normalise('claim', 'postal_code', postal_code) as postal_code,
    dp_normalise('claim', 'description', description) as description, try_cast(reported_at as timestamp) as reported_at
from raw_claims where claim_id is not null
qualify row_number() over (partition by upper(trim(claim_id)) order by try_cast(reported_at as timestamp) desc nulls last, filename desc) = 1;

create temp table premiums as
select upper(trim(premium_id)) as premium_id, upper(trim(policy_id)) as policy_id, try_cast(due_month as date) as due_month,
    try_cast(amount_eur as decimal(12, 2)) as amount_eur, coalesce(try_cast(paid as boolean), false) as paid
from raw_premiums where premium_id is not null
qualify row_number() over (partition by upper(trim(premium_id)) order by filename desc) = 1;

create or replace table gold.ref_postal_codes as
select postal_code, commune, department_code, department, region_code, region from postal_codes;

create or replace table gold.customers as
with counts as (
    select customer_id, count(*) as policies_count, cast(count_if(status = 'ACTIVE') as bigint) as active_policies_count,
        min(start_date) as customer_since
    from policies group by customer_id
)
select c.customer_id, c.first_name, c.last_name, c.email, c.phone, c.birth_date, c.postal_code, c.commune,
    c.department, c.region, coalesce(p.policies_count, 0) as policies_count,
    coalesce(p.active_policies_count, 0) as active_policies_count, p.customer_since, c.updated_at
from customers c left join counts p on c.customer_id = p.customer_id;

create or replace table gold.policies as
with totals as (select policy_id, count(*) as claims_count, sum(amount_eur) as claims_amount_eur from claims group by policy_id)
select p.policy_id, p.customer_id, p.product, p.status, p.start_date, p.annual_premium,
    coalesce(t.claims_count, 0) as claims_count, cast(coalesce(t.claims_amount_eur, 0) as decimal(14, 2)) as claims_amount_eur,
    p.updated_at
from policies p inner join customers c on p.customer_id = c.customer_id left join totals t on p.policy_id = t.policy_id;

create or replace table gold.claims as
select cl.claim_id, cl.policy_id, p.customer_id, p.product, cl.claim_date,
    cast(date_trunc('month', cl.claim_date) as date) as claim_month, cl.amount_eur, cl.status, cl.postal_code,
    pc.department, pc.region, cl.description, cl.reported_at,
    cast(greatest(date_diff('month', cl.claim_date, cast(cl.reported_at as date)), 0) as integer) as reporting_delay_months
from claims cl inner join gold.policies p on cl.policy_id = p.policy_id
left join postal_codes pc on cl.postal_code = pc.postal_code
where cl.claim_date is not null and cl.amount_eur is not null;

create or replace table gold.premiums_monthly as
select pr.due_month as month, p.product, count(*) as premiums_count, count(distinct pr.policy_id) as policies_count,
    cast(sum(pr.amount_eur) as decimal(14, 2)) as premiums_due_eur,
    cast(sum(case when pr.paid then pr.amount_eur else 0 end) as decimal(14, 2)) as premiums_paid_eur,
    cast(sum(case when pr.paid then pr.amount_eur else 0 end) / sum(pr.amount_eur) as decimal(5, 4)) as payment_rate
from premiums pr inner join gold.policies p on pr.policy_id = p.policy_id
where pr.due_month is not null
group by pr.due_month, p.product;
