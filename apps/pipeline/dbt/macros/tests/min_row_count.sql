{# Row-count floor: an empty or truncated mart fails (the Dagster row-count anomaly check compares runs). #}
{% test min_row_count(model, min_rows) %}
select count(*) as row_count
from {{ model }}
having count(*) < {{ min_rows }}
{% endtest %}
