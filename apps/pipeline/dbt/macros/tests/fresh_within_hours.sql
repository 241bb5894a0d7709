{# Freshness: fails when the newest row of the model was loaded more than `hours` hours ago (cross-database). #}
{% test fresh_within_hours(model, column_name, hours) %}
select max({{ column_name }}) as newest_load
from {{ model }}
having max({{ column_name }}) is null
    or max({{ column_name }}) < {{ dbt.dateadd('hour', -1 * (hours | int), dbt.current_timestamp()) }}
{% endtest %}
