{# Layers land in schemas named exactly bronze / silver / gold (not <target schema>_bronze).
   On Snowflake gold is built into the audit schema gold_audit; the publish asset makes it `gold` once every
   blocking check passed (write-audit-publish: src/reference_pipeline/publish.py). #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif custom_schema_name | trim == 'gold' and target.type == 'snowflake' -%}gold_audit
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
