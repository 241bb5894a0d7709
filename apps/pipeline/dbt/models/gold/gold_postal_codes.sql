{{ config(alias='postal_codes') }}
select postal_code, commune, department_code, department, region_code, region
from {{ ref('silver_postal_codes') }}
