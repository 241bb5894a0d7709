{{ config(alias='ref_postal_codes', materialized='table') }}
-- A table: the DVC reference is replaced as a whole (silver_postal_codes), it has no load time of its own.
-- Table name shared with the enrichment API's postal look-ups (docs/contracts.md, sample gold).
select postal_code, commune, department_code, department, region_code, region
from {{ ref('silver_postal_codes') }}
