{{ config(alias='ref_postal_codes') }}
-- Table name shared with the enrichment API's postal look-ups (docs/contracts.md, sample gold).
select postal_code, commune, department_code, department, region_code, region
from {{ ref('silver_postal_codes') }}
