{#
  Great Expectations, inside dbt build: fails when the suite of this table (validated by the Python model
  audit.expectations_<layer>, passed as `results`) has a failed expectation, or has no result at all
  (a suite that did not run is not a pass). One failing row per failed expectation.
#}
{% test great_expectations_suite(model, results) %}
{%- set suite = (model.schema ~ '_' ~ model.identifier) | lower -%}
select expectation, column_name, unexpected_count
from {{ results }}
where suite = '{{ suite }}' and not success
union all
select 'suite_not_run' as expectation, null as column_name, null as unexpected_count
where not exists (select 1 from {{ results }} where suite = '{{ suite }}')
{% endtest %}
