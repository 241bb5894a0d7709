{# Freshness: fails when the newest row of the model was loaded more than `hours` hours ago. #}
{% test fresh_within_hours(model, column_name, hours) %}
select max({{ column_name }}) as newest_load
from {{ model }}
having max({{ column_name }}) is null
    or max({{ column_name }}) < cast(current_timestamp as timestamp) - interval ({{ hours }}) hour
{% endtest %}
